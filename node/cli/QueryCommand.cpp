// `agora query ...`: one command per QueryService RPC (plus `tx` = TxService.GetTx).
// Records come from the node typed (agora.query.v1 *Record); the CLI reads
// them back into the views of node/views (fromProto) and prints each view's
// one JSON mapping, the same text the HTTP API serves (amounts are decimal
// strings of uagr): -o json as is, -o text as "key: value" lines. docs/cli.md
// lists every command, flag and JSON shape.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "consensus/core/Bytes.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/Tx.h"
#include "node/cli/ChainCommands.h"
#include "node/cli/CliError.h"
#include "node/views/EvidenceView.h"
#include "node/views/GovViews.h"
#include "node/views/MarketViews.h"
#include "node/views/StakingViews.h"

namespace agora::node::cli {

namespace q = agora::query::v1;
namespace txpb = agora::tx::v1;
using Json = nlohmann::ordered_json;

namespace {

// Upper bound on pages `--all` follows, so a misbehaving node cannot loop us forever.
constexpr int kMaxPages = 100'000;

struct PageFlags {
    std::uint32_t limit = 0;
    std::string key;  // hex cursor from a previous next_key
    bool all = false;
};

struct RecordFlags {
    std::uint64_t height = 0;
    bool prove = false;
};

void addPageFlags(CLI::App* cmd, PageFlags& p) {
    cmd->add_option("--limit", p.limit, "records per page (0 = the node's default, 100; at most 1000)");
    cmd->add_option("--page-key", p.key, "continue after a previous page: its next_key (hex)");
    cmd->add_flag("--all", p.all, "follow next_key until the listing is complete");
}

void addRecordFlags(CLI::App* cmd, RecordFlags& r) {
    cmd->add_option("--height", r.height, "height to read at (0 = latest; only the latest is served)");
    cmd->add_flag("--prove", r.prove, "include the state value and its Merkle proof against app_hash");
}

// A typed record as its view's JSON; CliError when a field is malformed.
template <typename Record, typename ToJson>
Json recordJson(const Record& record, const char* what, ToJson&& toJson) {
    auto view = fromProto(record);
    if (!view) throw CliError(std::string("node sent a ") + what + " record that does not parse");
    return toJson(*view);
}

Json stateJson(const q::StateValue& s) {
    return Json{{"key", hex(s.key())},  {"value", hex(s.value())},       {"exists", s.exists()},
                {"height", s.height()}, {"app_hash", hex(s.app_hash())}, {"proof", hex(s.proof())}};
}

q::QueryOptions options(const RecordFlags& r) {
    q::QueryOptions o;
    o.set_height(r.height);
    o.set_prove(r.prove);
    return o;
}

std::string scalarText(const Json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

void printText(std::ostream& out, const Json& obj) {
    for (const auto& [k, v] : obj.items()) out << k << ": " << scalarText(v) << "\n";
}

void print(CliContext& ctx, const Json& j) {
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << jsonText(j) << "\n";
        return;
    }
    printText(ctx.out, j);
}

// A listing: {"<field>": [records], "next_key": hex}. Text: records separated by "---".
void printList(CliContext& ctx, const std::string& field, const Json& items, const std::string& nextKey) {
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << jsonText(Json{{field, items}, {"next_key", nextKey}}) << "\n";
        return;
    }
    bool first = true;
    for (const auto& item : items) {
        if (!first) ctx.out << "---\n";
        first = false;
        printText(ctx.out, item);
    }
    if (items.empty()) ctx.out << "(no " << field << ")\n";
    if (!nextKey.empty()) ctx.out << "next_key: " << nextKey << "\n";
}

// Runs one page call per cursor; `call` fills the records and returns next_key.
void runPaged(CliContext& ctx, const PageFlags& p, const std::string& field,
              const std::function<std::string(agora::types::v1::PageRequest&, Json&)>& call) {
    agora::types::v1::PageRequest page;
    page.set_limit(p.limit);
    if (!p.key.empty()) {
        auto key = fromHex(p.key);
        if (!key) throw CliError("--page-key must be hex (a next_key printed by a previous page)");
        page.set_key(std::string(key->begin(), key->end()));
    }
    Json items = Json::array();
    std::string next;
    for (int pages = 0; pages < kMaxPages; ++pages) {
        next = call(page, items);
        if (!p.all || next.empty()) break;
        auto key = fromHex(next);
        page.set_key(std::string(key->begin(), key->end()));
    }
    printList(ctx, field, items, next);
}

// Calls a unary QueryService RPC with the CLI's deadline, failing with the node's message.
template <typename Req, typename Resp, typename Method>
Resp callQuery(const CliContext& ctx, Method method, const Req& req) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 30);
    Resp resp;
    auto s = ((*stub).*method)(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    return resp;
}

// A single record with its optional proof.
void printRecord(CliContext& ctx, Json j, const q::StateValue& state, const RecordFlags& r) {
    if (r.prove) j["state"] = stateJson(state);
    print(ctx, j);
}

std::uint64_t parseId(const std::string& text, const std::string& what) {
    try {
        std::size_t used = 0;
        if (text.empty() || text[0] == '-') throw std::invalid_argument(text);
        const auto v = std::stoull(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
        return v;
    } catch (const std::exception&) {
        throw CliError(what + ": '" + text + "' is not a non-negative integer");
    }
}

// ---- the commands ---------------------------------------------------------

void runStatus(CliContext& ctx) {
    const auto s = fetchStatus(ctx);
    print(ctx, Json{{"chain_id", s.chain_id()},
                    {"node_id", s.node_id()},
                    {"latest_height", s.latest_height()},
                    {"latest_block_hash", hex(s.latest_block_id())},
                    {"app_hash", hex(s.latest_app_hash())},
                    {"latest_time_ms", s.latest_time_ms()},
                    {"catching_up", s.catching_up()},
                    {"earliest_height", s.earliest_height()},
                    {"version", s.version()}});
}

void runAccount(CliContext& ctx, const std::string& address, const RecordFlags& r) {
    q::AccountRequest req;
    req.set_address(address);
    *req.mutable_options() = options(r);
    const auto a = callQuery<q::AccountRequest, q::AccountResponse>(ctx, &q::QueryService::Stub::Account, req);
    Json j{{"address", a.address()},
           {"balance", a.balance()},
           {"next_nonce", a.next_nonce()},
           {"pending_nonce", a.pending_nonce()},
           {"height", a.state().height()}};
    if (r.prove) j["state"] = stateJson(a.state());
    print(ctx, j);
}

void runBlock(CliContext& ctx, std::uint64_t height, const std::string& hashHex) {
    q::BlockRequest req;
    req.set_height(height);
    if (!hashHex.empty()) {
        auto h = Hash256::fromHex(hashHex);
        if (!h) throw CliError("--hash must be 64 hex characters");
        req.set_hash(std::string(h->span().begin(), h->span().end()));
    }
    const auto resp = callQuery<q::BlockRequest, q::BlockResponse>(ctx, &q::QueryService::Stub::Block, req);
    const auto& v = resp.block().header_view();
    Json txs = Json::array();
    for (const auto& t : resp.block().txs()) txs.push_back(sha256(asBytes(t)).toHex());
    print(ctx, Json{{"height", v.height()},
                    {"hash", hex(v.block_id())},
                    {"app_hash", hex(v.app_hash())},
                    {"last_block_id", hex(v.last_block_id())},
                    {"time_ms", v.time_ms()},
                    {"proposer", v.proposer()},
                    {"chain_id", v.chain_id()},
                    {"num_txs", v.num_txs()},
                    {"txs", txs}});
}

void runProvider(CliContext& ctx, const std::string& address, const RecordFlags& r) {
    q::ProviderRequest req;
    req.set_address(address);
    *req.mutable_options() = options(r);
    const auto resp = callQuery<q::ProviderRequest, q::ProviderResponse>(ctx, &q::QueryService::Stub::Provider, req);
    printRecord(ctx, recordJson(resp.provider(), "provider", providerJson), resp.state(), r);
}

struct ProviderFilterFlags {
    std::vector<std::string> attrs;
    std::uint64_t minCpu = 0;
    std::uint64_t minMem = 0;
    std::uint64_t minStorage = 0;
    std::string gpu;
    std::uint32_t minGpus = 0;
};

void runProviders(CliContext& ctx, const ProviderFilterFlags& f, const PageFlags& p) {
    q::ListProvidersRequest base;
    for (const auto& item : f.attrs) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) throw CliError("--attr takes KEY=VALUE, got '" + item + "'");
        auto* a = base.add_attributes();
        a->set_key(item.substr(0, eq));
        a->set_value(item.substr(eq + 1));
    }
    base.set_min_free_cpu_millicores(f.minCpu);
    base.set_min_free_memory_mib(f.minMem);
    base.set_min_free_storage_gib(f.minStorage);
    base.set_gpu_model(f.gpu);
    base.set_min_free_gpus(f.minGpus);
    runPaged(ctx, p, "providers", [&](agora::types::v1::PageRequest& page, Json& items) {
        q::ListProvidersRequest req = base;
        *req.mutable_page() = page;
        const auto resp = callQuery<q::ListProvidersRequest, q::ListProvidersResponse>(
            ctx, &q::QueryService::Stub::ListProviders, req);
        for (const auto& rec : resp.providers()) items.push_back(recordJson(rec, "provider", providerJson));
        return hex(resp.page().next_key());
    });
}

void runJob(CliContext& ctx, const std::string& id, const RecordFlags& r) {
    q::JobRequest req;
    req.set_job_id(parseId(id, "job id"));
    *req.mutable_options() = options(r);
    const auto resp = callQuery<q::JobRequest, q::JobResponse>(ctx, &q::QueryService::Stub::Job, req);
    printRecord(ctx, recordJson(resp.job(), "job", jobJson), resp.state(), r);
}

void runOpenJobs(CliContext& ctx, const PageFlags& p) {
    runPaged(ctx, p, "jobs", [&](agora::types::v1::PageRequest& page, Json& items) {
        q::OpenJobsRequest req;
        *req.mutable_page() = page;
        const auto resp =
            callQuery<q::OpenJobsRequest, q::OpenJobsResponse>(ctx, &q::QueryService::Stub::OpenJobs, req);
        for (const auto& j : resp.jobs()) items.push_back(recordJson(j, "job", jobJson));
        return hex(resp.page().next_key());
    });
}

void runBids(CliContext& ctx, const std::string& jobId, bool includeClosed, const PageFlags& p) {
    const std::uint64_t job = parseId(jobId, "job id");
    runPaged(ctx, p, "bids", [&](agora::types::v1::PageRequest& page, Json& items) {
        q::BidsRequest req;
        req.set_job_id(job);
        req.set_include_closed(includeClosed);
        *req.mutable_page() = page;
        const auto resp = callQuery<q::BidsRequest, q::BidsResponse>(ctx, &q::QueryService::Stub::Bids, req);
        for (const auto& b : resp.bids()) items.push_back(recordJson(b, "bid", bidJson));
        return hex(resp.page().next_key());
    });
}

void runLease(CliContext& ctx, const std::string& id, const RecordFlags& r) {
    q::LeaseRequest req;
    req.set_lease_id(parseId(id, "lease id"));
    *req.mutable_options() = options(r);
    const auto resp = callQuery<q::LeaseRequest, q::LeaseResponse>(ctx, &q::QueryService::Stub::Lease, req);
    printRecord(ctx, recordJson(resp.lease(), "lease", leaseJson), resp.state(), r);
}

void runLeases(CliContext& ctx, const std::string& client, const std::string& provider, const PageFlags& p) {
    if (client.empty() && provider.empty()) throw CliError("give --client ADDRESS and/or --provider ADDRESS");
    runPaged(ctx, p, "leases", [&](agora::types::v1::PageRequest& page, Json& items) {
        q::LeasesRequest req;
        req.set_owner(client);
        req.set_provider(provider);
        *req.mutable_page() = page;
        const auto resp = callQuery<q::LeasesRequest, q::LeasesResponse>(ctx, &q::QueryService::Stub::Leases, req);
        for (const auto& l : resp.leases()) items.push_back(recordJson(l, "lease", leaseJson));
        return hex(resp.page().next_key());
    });
}

void runEscrow(CliContext& ctx, const std::string& id, const RecordFlags& r) {
    q::EscrowRequest req;
    req.set_lease_id(parseId(id, "lease id"));
    *req.mutable_options() = options(r);
    const auto e = callQuery<q::EscrowRequest, q::EscrowResponse>(ctx, &q::QueryService::Stub::Escrow, req);
    Json j{{"lease_id", e.lease_id()},
           {"lease_state", e.lease_state()},
           {"height", e.height()},
           {"time", e.time()},
           {"price_per_second", e.price_per_second()},
           {"deposited", e.deposited()},
           {"accrued", e.accrued()},
           {"withdrawn", e.withdrawn()},
           {"remaining", e.remaining()},
           {"refunded", e.refunded()},
           {"paid_through", e.paid_through()},
           {"end_time", e.end_time()},
           {"dry_time", e.dry_time()}};
    if (r.prove) j["state"] = stateJson(e.state());
    print(ctx, j);
}

void runReputation(CliContext& ctx, const std::string& address, const RecordFlags& r) {
    q::ReputationRequest req;
    req.set_provider(address);
    *req.mutable_options() = options(r);
    const auto resp =
        callQuery<q::ReputationRequest, q::ReputationResponse>(ctx, &q::QueryService::Stub::Reputation, req);
    printRecord(ctx, recordJson(resp.reputation(), "reputation", reputationJson), resp.state(), r);
}

void runClientRecord(CliContext& ctx, const std::string& address, const RecordFlags& r) {
    q::ClientRecordRequest req;
    req.set_client(address);
    *req.mutable_options() = options(r);
    const auto resp =
        callQuery<q::ClientRecordRequest, q::ClientRecordResponse>(ctx, &q::QueryService::Stub::ClientRecord, req);
    printRecord(ctx, recordJson(resp.record(), "client", clientRecordJson), resp.state(), r);
}

void runValidators(CliContext& ctx, const PageFlags& p) {
    runPaged(ctx, p, "validators", [&](agora::types::v1::PageRequest& page, Json& items) {
        q::ValidatorsRequest req;
        *req.mutable_page() = page;
        const auto resp =
            callQuery<q::ValidatorsRequest, q::ValidatorsResponse>(ctx, &q::QueryService::Stub::Validators, req);
        for (const auto& v : resp.validators()) items.push_back(recordJson(v, "validator", validatorJson));
        return hex(resp.page().next_key());
    });
}

void runParams(CliContext& ctx, const RecordFlags& r) {
    q::ParamsRequest req;
    *req.mutable_options() = options(r);
    const auto resp = callQuery<q::ParamsRequest, q::ParamsResponse>(ctx, &q::QueryService::Stub::Params, req);
    printRecord(ctx, recordJson(resp.params(), "params", paramsJson), resp.state(), r);
}

void runProposal(CliContext& ctx, const std::string& id, const RecordFlags& r, bool tallyOnly) {
    q::ProposalRequest req;
    req.set_proposal_id(parseId(id, "proposal id"));
    *req.mutable_options() = options(r);
    const auto resp = callQuery<q::ProposalRequest, q::ProposalResponse>(ctx, &q::QueryService::Stub::Proposal, req);
    const Json p = recordJson(resp.proposal(), "proposal", proposalJson);
    if (!tallyOnly) {
        printRecord(ctx, p, resp.state(), r);
        return;
    }
    Json t = p.at("tally");
    t["status"] = p.at("status");
    print(ctx, t);
}

void runProposals(CliContext& ctx, const std::string& status, const PageFlags& p) {
    runPaged(ctx, p, "proposals", [&](agora::types::v1::PageRequest& page, Json& items) {
        q::ProposalsRequest req;
        req.set_status(status);
        *req.mutable_page() = page;
        const auto resp =
            callQuery<q::ProposalsRequest, q::ProposalsResponse>(ctx, &q::QueryService::Stub::Proposals, req);
        for (const auto& j : resp.proposals()) items.push_back(recordJson(j, "proposal", proposalJson));
        return hex(resp.page().next_key());
    });
}

struct EvidenceFlags {
    std::string validator;
    std::uint64_t minHeight = 0;
    std::uint64_t maxHeight = 0;
};

void runEvidence(CliContext& ctx, const EvidenceFlags& f) {
    q::EvidenceRequest req;
    req.set_validator(f.validator);
    req.set_min_height(f.minHeight);
    req.set_max_height(f.maxHeight);
    const auto resp = callQuery<q::EvidenceRequest, q::EvidenceResponse>(ctx, &q::QueryService::Stub::Evidence, req);
    Json items = Json::array();
    for (const auto& e : resp.evidence()) {
        auto view = fromProto(e);
        if (!view) throw CliError("node sent an evidence record that does not parse");
        items.push_back(evidenceJson(*view));
    }
    printList(ctx, "evidence", items, "");
}

void runTx(CliContext& ctx, const std::string& hashHex) {
    auto h = Hash256::fromHex(hashHex);
    if (!h) throw CliError("tx hash must be 64 hex characters");
    auto stub = txpb::TxService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 30);
    txpb::GetTxRequest req;
    req.set_hash(std::string(h->span().begin(), h->span().end()));
    txpb::GetTxResponse resp;
    auto s = stub->GetTx(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    Json events = Json::array();
    for (const auto& e : resp.result().events()) {
        Json attrs = Json::object();
        for (const auto& a : e.attributes()) attrs[a.key()] = a.value();
        events.push_back(Json{{"type", e.type()}, {"attributes", attrs}});
    }
    Json j{{"tx_hash", h->toHex()},
           {"height", resp.height()},
           {"index", resp.index()},
           {"code", resp.result().code()},
           {"codespace", resp.result().codespace()},
           {"message", resp.result().message()},
           {"fee_charged", std::to_string(resp.result().fee_charged())}};
    // The signed body, decoded locally: who sent what (the node stores the bytes only).
    if (auto stx = decodeSignedTx(asBytes(resp.tx()))) {
        Json msgs = Json::array();
        for (const auto& m : stx->body.msgs) msgs.push_back(std::string(msgTypeName(msgType(m))));
        j["chain_id"] = stx->body.chainId;
        j["signer"] = stx->body.signerAddress().toBech32();
        j["nonce"] = stx->body.nonce;
        j["fee"] = stx->body.fee.toString();
        j["memo"] = stx->body.memo;
        j["messages"] = msgs;
    }
    j["events"] = events;
    j["tx"] = hex(resp.tx());
    print(ctx, j);
}

void runProof(CliContext& ctx, const std::string& keyHex, std::uint64_t height) {
    auto key = fromHex(keyHex);
    if (!key || key->empty()) throw CliError("key must be a non-empty hex state key (docs/state.md)");
    q::ProofRequest req;
    req.set_key(std::string(key->begin(), key->end()));
    req.set_height(height);
    const auto resp = callQuery<q::ProofRequest, q::ProofResponse>(ctx, &q::QueryService::Stub::Proof, req);
    print(ctx, stateJson(resp.state()));
}

}  // namespace

void registerQueryCommand(CLI::App& root, CliContext& ctx) {
    CLI::App* query = root.add_subcommand("query", "Read chain state from a node");
    query->fallthrough();
    query->callback([query] {
        if (query->get_subcommands().empty()) throw CliError("missing subcommand: agora query --help lists them");
    });
    query->add_subcommand("status", "Chain id, latest height, block id and app hash")->callback([&ctx] {
        runStatus(ctx);
    });
    {
        auto address = std::make_shared<std::string>();
        auto r = std::make_shared<RecordFlags>();
        auto* c = query->add_subcommand("account", "Balance and next nonce of an address");
        c->add_option("address", *address, "bech32 agora1... address")->required();
        addRecordFlags(c, *r);
        c->callback([&ctx, address, r] { runAccount(ctx, *address, *r); });
    }
    {
        auto height = std::make_shared<std::uint64_t>(0);
        auto hash = std::make_shared<std::string>();
        auto* c = query->add_subcommand("block", "A block by height or hash (latest when omitted)");
        c->add_option("height", *height, "block height");
        c->add_option("--hash", *hash, "block id (64 hex) instead of a height");
        c->callback([&ctx, height, hash] { runBlock(ctx, *height, *hash); });
    }
    {
        auto address = std::make_shared<std::string>();
        auto r = std::make_shared<RecordFlags>();
        auto* c = query->add_subcommand("provider", "A provider: attributes, capacity, reserved, free, stake, offers");
        c->add_option("address", *address, "provider agora1... address")->required();
        addRecordFlags(c, *r);
        c->callback([&ctx, address, r] { runProvider(ctx, *address, *r); });
    }
    {
        auto f = std::make_shared<ProviderFilterFlags>();
        auto p = std::make_shared<PageFlags>();
        auto* c = query->add_subcommand("providers", "Providers matching attribute and free-capacity filters");
        c->add_option("--attr", f->attrs, "required attribute KEY=VALUE (repeatable; all must match)");
        c->add_option("--min-cpu", f->minCpu, "free cpu millicores at least");
        c->add_option("--min-mem", f->minMem, "free memory MiB at least");
        c->add_option("--min-storage", f->minStorage, "free storage GiB at least");
        c->add_option("--gpu", f->gpu, "GPU model the provider must have free");
        c->add_option("--min-gpus", f->minGpus, "free GPUs of --gpu at least (default 1)");
        addPageFlags(c, *p);
        c->callback([&ctx, f, p] { runProviders(ctx, *f, *p); });
    }
    {
        auto id = std::make_shared<std::string>();
        auto r = std::make_shared<RecordFlags>();
        auto* c = query->add_subcommand("job", "A job");
        c->add_option("job_id", *id, "job id")->required();
        addRecordFlags(c, *r);
        c->callback([&ctx, id, r] { runJob(ctx, *id, *r); });
    }
    {
        auto p = std::make_shared<PageFlags>();
        auto* c = query->add_subcommand("jobs", "Jobs open for bidding, by bidding end height");
        addPageFlags(c, *p);
        c->callback([&ctx, p] { runOpenJobs(ctx, *p); });
    }
    {
        auto id = std::make_shared<std::string>();
        auto closed = std::make_shared<bool>(false);
        auto p = std::make_shared<PageFlags>();
        auto* c = query->add_subcommand("bids", "Bids on a job (open ones unless --include-closed)");
        c->add_option("job_id", *id, "job id")->required();
        c->add_flag("--include-closed", *closed, "also accepted, lost and withdrawn bids");
        addPageFlags(c, *p);
        c->callback([&ctx, id, closed, p] { runBids(ctx, *id, *closed, *p); });
    }
    {
        auto id = std::make_shared<std::string>();
        auto r = std::make_shared<RecordFlags>();
        auto* c = query->add_subcommand("lease", "A lease (stored values; `escrow` shows accrual now)");
        c->add_option("lease_id", *id, "lease id")->required();
        addRecordFlags(c, *r);
        c->callback([&ctx, id, r] { runLease(ctx, *id, *r); });
    }
    {
        auto client = std::make_shared<std::string>();
        auto provider = std::make_shared<std::string>();
        auto p = std::make_shared<PageFlags>();
        auto* c = query->add_subcommand("leases", "Leases of a client and/or a provider");
        c->add_option("--client", *client, "client agora1... address");
        c->add_option("--provider", *provider, "provider agora1... address");
        addPageFlags(c, *p);
        c->callback([&ctx, client, provider, p] { runLeases(ctx, *client, *provider, *p); });
    }
    {
        auto id = std::make_shared<std::string>();
        auto r = std::make_shared<RecordFlags>();
        auto* c =
            query->add_subcommand("escrow", "A lease's escrow as the ledger would settle it at the latest height");
        c->add_option("lease_id", *id, "lease id")->required();
        addRecordFlags(c, *r);
        c->callback([&ctx, id, r] { runEscrow(ctx, *id, *r); });
    }
    {
        auto address = std::make_shared<std::string>();
        auto r = std::make_shared<RecordFlags>();
        auto* c = query->add_subcommand("reputation", "A provider's reputation record and score (ppm)");
        c->add_option("address", *address, "provider agora1... address")->required();
        addRecordFlags(c, *r);
        c->callback([&ctx, address, r] { runReputation(ctx, *address, *r); });
    }
    {
        auto address = std::make_shared<std::string>();
        auto r = std::make_shared<RecordFlags>();
        auto* c = query->add_subcommand("client-record",
                                        "A client's record: leases settled, amount paid, early closes (zeros if none)");
        c->add_option("address", *address, "client agora1... address")->required();
        addRecordFlags(c, *r);
        c->callback([&ctx, address, r] { runClientRecord(ctx, *address, *r); });
    }
    {
        auto p = std::make_shared<PageFlags>();
        auto* c = query->add_subcommand("validators", "Validators, jailed ones included");
        addPageFlags(c, *p);
        c->callback([&ctx, p] { runValidators(ctx, *p); });
    }
    {
        auto r = std::make_shared<RecordFlags>();
        auto* c = query->add_subcommand("params", "The ledger parameters");
        addRecordFlags(c, *r);
        c->callback([&ctx, r] { runParams(ctx, *r); });
    }
    {
        auto* gov = query->add_subcommand("gov", "Governance proposals");
        gov->require_subcommand(1);
        {
            auto status = std::make_shared<std::string>();
            auto p = std::make_shared<PageFlags>();
            auto* c = gov->add_subcommand("proposals", "Proposals by id, with their tallies");
            c->add_option("--status", *status,
                          "only deposit_period, voting_period, passed, rejected, rejected_veto, failed or expired");
            addPageFlags(c, *p);
            c->callback([&ctx, status, p] { runProposals(ctx, *status, *p); });
        }
        {
            auto id = std::make_shared<std::string>();
            auto r = std::make_shared<RecordFlags>();
            auto* c = gov->add_subcommand("proposal", "One proposal with its tally so far");
            c->add_option("proposal_id", *id, "proposal id")->required();
            addRecordFlags(c, *r);
            c->callback([&ctx, id, r] { runProposal(ctx, *id, *r, false); });
        }
        {
            auto id = std::make_shared<std::string>();
            auto r = std::make_shared<RecordFlags>();
            auto* c = gov->add_subcommand("tally", "A proposal's tally (stake per option; final once the vote closed)");
            c->add_option("proposal_id", *id, "proposal id")->required();
            c->callback([&ctx, id, r] { runProposal(ctx, *id, *r, true); });
        }
    }
    {
        auto f = std::make_shared<EvidenceFlags>();
        auto* c = query->add_subcommand("evidence", "Committed double-sign evidence, oldest first (at most 1000)");
        c->add_option("--validator", f->validator, "only evidence against this agoravaloper1... operator");
        c->add_option("--min-height", f->minHeight, "included at this height or later");
        c->add_option("--max-height", f->maxHeight, "included at this height or earlier (0 = latest)");
        c->callback([&ctx, f] { runEvidence(ctx, *f); });
    }
    {
        auto hash = std::make_shared<std::string>();
        auto* c = query->add_subcommand("tx", "A committed tx: block, result, events, decoded body");
        c->add_option("hash", *hash, "tx hash (64 hex)")->required();
        c->callback([&ctx, hash] { runTx(ctx, *hash); });
    }
    {
        auto key = std::make_shared<std::string>();
        auto height = std::make_shared<std::uint64_t>(0);
        auto* c = query->add_subcommand("proof", "A raw state key's value and Merkle proof against app_hash");
        c->add_option("key", *key, "state key in hex (docs/state.md)")->required();
        c->add_option("--height", *height, "height (0 = latest; only the latest is served)");
        c->callback([&ctx, key, height] { runProof(ctx, *key, *height); });
    }
}

}  // namespace agora::node::cli
