// The gRPC read and action surface over loopback, against a real Application
// on a temporary LevelDB: a marketplace lifecycle goes in through the action
// RPCs (ProviderService, ClientService, StakingService), blocks are proposed
// and committed with a signed certificate, and every query is checked.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include <google/protobuf/util/message_differencer.h>

#include "agora/market/v1/market.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/staking/v1/staking.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "consensus/state/MerkleProof.h"
#include "contracts/Keys.h"
#include "contracts/Reputation.h"
#include "node/app/Application.h"
#include "node/rpc/ClientServiceImpl.h"
#include "node/rpc/GrpcServer.h"
#include "node/rpc/GrpcStatus.h"
#include "node/rpc/ProviderServiceImpl.h"
#include "node/rpc/QueryServiceImpl.h"
#include "node/rpc/StakingServiceImpl.h"
#include "node/rpc/TxServiceImpl.h"
#include "node/views/GovViews.h"
#include "node/views/MarketViews.h"
#include "node/views/StakingViews.h"
#include "support/TestKeys.h"
#include "support/TestNode.h"

using namespace agora;
using namespace agora::node;
namespace q = agora::query::v1;
namespace mk = agora::market::v1;
namespace sk = agora::staking::v1;
namespace txpb = agora::tx::v1;
using Json = nlohmann::json;

namespace {

const char* kChain = "rpc-market";
constexpr std::uint8_t kValidatorKey = 10;
constexpr std::uint8_t kClient = 7;
constexpr std::uint8_t kNewValidator = 6;

Address addr(std::uint8_t key) {
    return Address::fromPublicKey(test::testKey(key).publicKey);
}
std::string bech(std::uint8_t key) {
    return addr(key).toBech32();
}
std::string str(ByteSpan b) {
    return std::string(b.begin(), b.end());
}

GenesisDoc genesis() {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = kChain;
    d.genesis.params.minSelfStake = Amount(1'000'000);
    // A lease here pays a few thousand uagr: a few leases of weight in reputation, and its
    // client (which leases from no other provider) weighs in full: standing off (decision 55).
    d.genesis.params.reputationReferencePaid = Amount(1'000);
    d.genesis.params.reputationClientStanding = Amount(0);
    const auto val = test::testKey(kValidatorKey);
    d.genesis.validators.push_back({addr(kValidatorKey), val.publicKey, "v0", 0, Amount(1'000'000'000'000ULL)});
    for (std::uint8_t i = 1; i <= 7; ++i) d.genesis.accounts.push_back({addr(i), Amount(10'000'000'000ULL)});
    return d;
}

std::string trailingCode(const grpc::ClientContext& ctx) {
    auto md = ctx.GetServerTrailingMetadata();
    auto it = md.find(kAgoraCodeMetadata);
    return it == md.end() ? "" : std::string(it->second.data(), it->second.size());
}

// One node without consensus (test/support/TestNode.h) serving the gRPC
// services on loopback: the test proposes and commits blocks itself.
struct Chain : test::TestNode {
    std::unique_ptr<TxServiceImpl> txService;
    std::unique_ptr<QueryServiceImpl> queryService;
    std::unique_ptr<ProviderServiceImpl> providerService;
    std::unique_ptr<ClientServiceImpl> clientService;
    std::unique_ptr<StakingServiceImpl> stakingService;
    GrpcServer server{GrpcServerOptions{"127.0.0.1:0", 1 << 20, 100}};
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<txpb::TxService::Stub> tx;
    std::unique_ptr<q::QueryService::Stub> query;
    std::unique_ptr<mk::ProviderService::Stub> provider;
    std::unique_ptr<mk::ClientService::Stub> client;
    std::unique_ptr<sk::StakingService::Stub> staking;

    Chain() : TestNode(genesis(), {.name = "rpc-market"}) {
        txService = std::make_unique<TxServiceImpl>(submitter(), &app());
        queryService = std::make_unique<QueryServiceImpl>(
            app(), [] { return ConsensusStatus{}; }, "test-node",
            [this](const Address& a) { return mempool().pendingNextNonce(a); });
        providerService = std::make_unique<ProviderServiceImpl>(txService->broadcaster());
        clientService = std::make_unique<ClientServiceImpl>(txService->broadcaster());
        stakingService = std::make_unique<StakingServiceImpl>(app(), txService->broadcaster());
        for (grpc::Service* s : std::initializer_list<grpc::Service*>{
                 txService.get(), queryService.get(), providerService.get(), clientService.get(), stakingService.get()})
            server.addService(s);
        auto port = server.start();
        REQUIRE(port.hasValue());
        channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(*port), grpc::InsecureChannelCredentials());
        tx = txpb::TxService::NewStub(channel);
        query = q::QueryService::NewStub(channel);
        provider = mk::ProviderService::NewStub(channel);
        client = mk::ClientService::NewStub(channel);
        staking = sk::StakingService::NewStub(channel);
    }
    ~Chain() { server.shutdown(1000); }

    // Proposes the mempool's txs, certifies and commits the block (waiters answered); each tx must succeed.
    CommitOutcome block() {
        auto c = commitMempool();
        for (std::size_t i = 0; i < c.results.txs.size(); ++i) {
            INFO("tx " << i << " of block " << c.height << ": " << c.results.txs[i].message);
            CHECK(c.results.txs[i].code == 0);
        }
        return c;
    }

    // A signed tx from `key` with its next nonce.
    std::string signedTx(std::uint8_t key, std::vector<Msg> msgs, bool advanceNonce = true) {
        auto bytes = str(TestNode::tx(key, std::move(msgs)));
        if (!advanceNonce) --nonces()[key];
        return bytes;
    }
};

// Calls an action RPC in sync mode; returns the status (and the agora code).
template <typename Stub, typename Method>
grpc::Status action(Stub& stub, Method method, const std::string& txBytes, std::string* code = nullptr,
                    txpb::BroadcastResponse* out = nullptr) {
    mk::SignedTxRequest req;
    req.set_tx(txBytes);
    req.set_mode(txpb::BROADCAST_MODE_SYNC);
    txpb::BroadcastResponse resp;
    grpc::ClientContext ctx;
    auto st = (stub.*method)(&ctx, req, &resp);
    if (code != nullptr) *code = trailingCode(ctx);
    if (out != nullptr) *out = resp;
    return st;
}

template <typename Stub, typename Method>
void mustAdmit(Stub& stub, Method method, const std::string& txBytes) {
    std::string code;
    auto st = action(stub, method, txBytes, &code);
    INFO(st.error_message());
    REQUIRE(st.ok());
}

// Unary query helper: status + response.
template <typename Resp, typename Stub, typename Method, typename Req>
std::pair<grpc::Status, Resp> ask(Stub& stub, Method method, const Req& req) {
    Resp resp;
    grpc::ClientContext ctx;
    auto st = (stub.*method)(&ctx, req, &resp);
    return {st, resp};
}

Resources res(std::uint64_t cpu, std::uint64_t mem, std::uint64_t storage, std::vector<GpuCount> gpus = {}) {
    return Resources{cpu, mem, storage, std::move(gpus)};
}

MsgProviderRegister registration(std::vector<Attribute> attrs, Resources capacity) {
    return MsgProviderRegister{"https://p.example:8443", std::move(attrs), std::move(capacity), Amount(200'000'000)};
}

// A typed record from the node read back into its view (node/views): it must
// parse, and view -> record -> view must give the same record and view (every
// record of this real chain round-trips). Returns the view's JSON mapping, the
// text the HTTP API and the CLI print.
template <typename Record, typename ToJson>
Json typed(const Record& record, ToJson&& toJson) {
    const auto view = fromProto(record);
    REQUIRE(view.has_value());
    Record again;
    toProto(*view, &again);
    REQUIRE(google::protobuf::util::MessageDifferencer::Equals(again, record));
    REQUIRE(fromProto(again) == view);
    return Json(toJson(*view));
}
Json rec(const q::ProviderRecord& r) {
    return typed(r, providerJson);
}
Json rec(const q::JobRecord& r) {
    return typed(r, jobJson);
}
Json rec(const q::BidRecord& r) {
    return typed(r, bidJson);
}
Json rec(const q::LeaseRecord& r) {
    return typed(r, leaseJson);
}
Json rec(const q::ValidatorRecord& r) {
    return typed(r, validatorJson);
}
Json rec(const q::ProposalRecord& r) {
    return typed(r, proposalJson);
}
Json rec(const q::ProviderResponse& r) {
    return rec(r.provider());
}
Json rec(const q::JobResponse& r) {
    return rec(r.job());
}
Json rec(const q::LeaseResponse& r) {
    return rec(r.lease());
}
Json rec(const q::ReputationResponse& r) {
    return typed(r.reputation(), reputationJson);
}
Json rec(const q::ClientRecordResponse& r) {
    return typed(r.record(), clientRecordJson);
}
Json rec(const q::ParamsResponse& r) {
    const auto view = fromProto(r.params());
    REQUIRE(view.has_value());
    q::ParamsResponse again;
    toProto(*view, again.mutable_params());
    q::ParamsResponse expected;
    *expected.mutable_params() = r.params();
    REQUIRE(google::protobuf::util::MessageDifferencer::Equals(again, expected));
    return Json(paramsJson(*view));
}

std::set<std::string> providerAddresses(const q::ListProvidersResponse& r) {
    std::set<std::string> out;
    for (const auto& j : r.providers()) out.insert(rec(j)["address"].get<std::string>());
    return out;
}

// Runs a listing to the end with the given page size; returns every item's
// `field` in order (duplicates kept, so a test can detect them).
template <typename Fetch>
std::vector<std::string> drain(Fetch fetch, std::size_t* pages = nullptr) {
    std::vector<std::string> all;
    std::string key;
    std::size_t n = 0;
    do {
        auto [items, next] = fetch(key);
        all.insert(all.end(), items.begin(), items.end());
        key = next;
        REQUIRE(++n < 100);
    } while (!key.empty());
    if (pages != nullptr) *pages = n;
    return all;
}

}  // namespace

TEST_CASE("a marketplace lifecycle through the action RPCs is visible through every query", "[rpc][query]") {
    Chain c;
    c.block();  // height 1 applies genesis; accounts are funded from here on

    // --- providers register and one publishes an offer (ProviderService) ---
    using PS = mk::ProviderService::Stub;
    using CS = mk::ClientService::Stub;
    mustAdmit(
        *c.provider, &PS::Register,
        c.signedTx(1, {registration({{"region", "eu"}, {"tier", "gold"}}, res(8000, 16384, 500, {{"a100", 2}}))}));
    mustAdmit(*c.provider, &PS::Register,
              c.signedTx(2, {registration({{"region", "us"}, {"tier", "gold"}}, res(4000, 8192, 100, {{"h100", 1}}))}));
    mustAdmit(*c.provider, &PS::Register,
              c.signedTx(3, {registration({{"region", "eu"}, {"tier", "silver"}}, res(16000, 32768, 1000))}));
    mustAdmit(*c.provider, &PS::Register,
              c.signedTx(4, {registration({{"region", "eu"}, {"tier", "gold"}}, res(2000, 4096, 50))}));
    mustAdmit(
        *c.provider, &PS::Register,
        c.signedTx(5, {registration({{"region", "eu"}, {"tier", "bronze"}}, res(32000, 65536, 2000, {{"a100", 8}}))}));
    c.block();
    mustAdmit(*c.provider, &PS::SetOffer,
              c.signedTx(2, {MsgOfferSet{1, PriceSchedule{Amount(1), Amount(0), Amount(0), {}}}}));
    c.block();

    // --- the client posts two jobs and leases provider 2's offer (ClientService) ---
    mustAdmit(
        *c.client, &CS::CreateJob,
        c.signedTx(kClient,
                   {MsgJobCreate{res(1000, 1024, 10), {{"region", "eu"}}, Amount(500), 100, 10, 0, Amount(50'000)}}));
    mustAdmit(*c.client, &CS::CreateJob,
              c.signedTx(kClient, {MsgJobCreate{res(500, 512, 5), {}, Amount(100), 10, 10, 0, Amount(1'000)}}));
    // 10,000 uagr at 1,000 per second: dry after 10 of its 50 seconds (blocks here are one second apart).
    mustAdmit(*c.client, &CS::LeaseOffer,
              c.signedTx(kClient, {MsgLeaseFromOffer{
                                      addr(2), 1, res(1000, 0, 0), 50, Amount(10'000), {}, Amount(1'000'000), 1}}));
    const auto jobsBlock = c.block();
    const std::uint64_t offerLeaseStart = jobsBlock.height;
    const std::uint64_t offerLeaseStartMs = c.app().lastTimeMs();  // that block's time

    // --- four eu providers bid on job 1 ---
    const std::map<std::uint8_t, std::uint64_t> bidPrices = {{1, 400}, {3, 450}, {4, 300}, {5, 350}};
    for (const auto& [key, price] : bidPrices)
        mustAdmit(*c.provider, &PS::PlaceBid, c.signedTx(key, {MsgBidPlace{1, Amount(price), Amount(1'000'000)}}));
    c.block();

    SECTION("bids of a job page through the open-bid index without duplicates or gaps") {
        std::size_t pages = 0;
        auto ids = drain(
            [&](const std::string& key) {
                q::BidsRequest req;
                req.set_job_id(1);
                req.mutable_page()->set_key(key);
                req.mutable_page()->set_limit(3);
                auto [st, resp] = ask<q::BidsResponse>(*c.query, &q::QueryService::Stub::Bids, req);
                REQUIRE(st.ok());
                std::vector<std::string> out;
                for (const auto& j : resp.bids()) {
                    auto b = rec(j);
                    REQUIRE(b["state"] == "open");
                    REQUIRE(b["job_id"] == 1);
                    out.push_back(std::to_string(b["id"].get<std::uint64_t>()));
                }
                return std::make_pair(out, resp.page().next_key());
            },
            &pages);
        REQUIRE(pages == 2);
        REQUIRE(ids.size() == 4);
        REQUIRE(std::set<std::string>(ids.begin(), ids.end()).size() == 4);
    }

    // Both jobs are open for bidding (QueryService.OpenJobs, the listing of GET /v1/jobs), one per page.
    {
        q::OpenJobsRequest req;
        req.mutable_page()->set_limit(1);
        auto [st, first] = ask<q::OpenJobsResponse>(*c.query, &q::QueryService::Stub::OpenJobs, req);
        REQUIRE(st.ok());
        REQUIRE(first.jobs_size() == 1);
        REQUIRE_FALSE(first.page().next_key().empty());
        req.mutable_page()->set_key(first.page().next_key());
        auto [st2, second] = ask<q::OpenJobsResponse>(*c.query, &q::QueryService::Stub::OpenJobs, req);
        REQUIRE(st2.ok());
        REQUIRE(second.jobs_size() == 1);
        REQUIRE(second.page().next_key().empty());
        const std::set<std::uint64_t> open = {rec(first.jobs(0))["id"].get<std::uint64_t>(),
                                              rec(second.jobs(0))["id"].get<std::uint64_t>()};
        REQUIRE(open == std::set<std::uint64_t>{1, 2});
        REQUIRE(rec(first.jobs(0))["state"] == "open");
    }

    // Blocks newest first (QueryService.Blocks, the listing of GET /v1/blocks), in pages.
    {
        q::StatusRequest sreq;
        auto [sst, status] = ask<q::StatusResponse>(*c.query, &q::QueryService::Stub::Status, sreq);
        REQUIRE(sst.ok());
        const std::uint64_t latest = status.latest_height();
        REQUIRE(latest > 3);
        q::BlocksRequest req;
        req.set_limit(2);
        auto [st, page] = ask<q::BlocksResponse>(*c.query, &q::QueryService::Stub::Blocks, req);
        REQUIRE(st.ok());
        REQUIRE(page.blocks_size() == 2);
        REQUIRE(page.blocks(0).header().height() == latest);
        REQUIRE(page.blocks(1).header().height() == latest - 1);
        REQUIRE(page.next_max_height() == latest - 2);
        req.set_max_height(page.next_max_height());
        req.set_limit(100);
        auto [st2, rest] = ask<q::BlocksResponse>(*c.query, &q::QueryService::Stub::Blocks, req);
        REQUIRE(st2.ok());
        REQUIRE(static_cast<std::uint64_t>(rest.blocks_size()) == latest - 2);
        REQUIRE(rest.next_max_height() == 0);
        req.set_limit(101);
        auto [st3, refused] = ask<q::BlocksResponse>(*c.query, &q::QueryService::Stub::Blocks, req);
        REQUIRE(st3.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    }

    // --- the client accepts provider 4's bid; job 2 is cancelled ---
    std::uint64_t bid4 = 0;
    {
        q::BidsRequest req;
        req.set_job_id(1);
        auto [st, resp] = ask<q::BidsResponse>(*c.query, &q::QueryService::Stub::Bids, req);
        REQUIRE(st.ok());
        for (const auto& j : resp.bids()) {
            auto b = rec(j);
            if (b["provider"] == bech(4)) bid4 = b["id"].get<std::uint64_t>();
        }
        REQUIRE(bid4 != 0);
    }
    const std::string acceptTx = c.signedTx(kClient, {MsgBidAccept{bid4}});
    mustAdmit(*c.client, &CS::AcceptBid, acceptTx);
    mustAdmit(*c.client, &CS::CancelJob, c.signedTx(kClient, {MsgJobCancel{2}}));
    const auto acceptBlock = c.block();
    for (int i = 0; i < 3; ++i) c.block();

    // Leased and cancelled jobs leave the open-jobs listing.
    {
        auto [st, none] = ask<q::OpenJobsResponse>(*c.query, &q::QueryService::Stub::OpenJobs, q::OpenJobsRequest{});
        REQUIRE(st.ok());
        REQUIRE(none.jobs_size() == 0);
        REQUIRE(none.page().next_key().empty());
    }

    // The job names its lease.
    q::JobRequest jreq;
    jreq.set_job_id(1);
    auto [jst, jresp] = ask<q::JobResponse>(*c.query, &q::QueryService::Stub::Job, jreq);
    REQUIRE(jst.ok());
    const auto job = rec(jresp);
    REQUIRE(job["state"] == "leased");
    REQUIRE(job["client"] == bech(kClient));
    REQUIRE(job["max_price_per_second"] == "500");
    REQUIRE(job["constraints"] == Json::parse(R"([{"key":"region","value":"eu"}])"));
    const std::uint64_t bidLease = job["lease_id"].get<std::uint64_t>();
    REQUIRE(bidLease != 0);

    SECTION("job, lease, provider and escrow answer with the ledger's records") {
        jreq.set_job_id(2);
        auto [j2st, j2] = ask<q::JobResponse>(*c.query, &q::QueryService::Stub::Job, jreq);
        REQUIRE(j2st.ok());
        REQUIRE(rec(j2)["state"] == "cancelled");

        q::LeaseRequest lreq;
        lreq.set_lease_id(bidLease);
        auto [lst, lresp] = ask<q::LeaseResponse>(*c.query, &q::QueryService::Stub::Lease, lreq);
        REQUIRE(lst.ok());
        const auto lease = rec(lresp);
        REQUIRE(lease["provider"] == bech(4));
        REQUIRE(lease["client"] == bech(kClient));
        REQUIRE(lease["price_per_second"] == "300");
        REQUIRE(lease["state"] == "active");
        REQUIRE(lease["start_height"] == acceptBlock.height);
        REQUIRE(lease["deposited"] == "50000");
        REQUIRE(lease["usage"].is_null());

        // Provider 4 has 1000 of its 2000 millicores reserved.
        q::ProviderRequest preq;
        preq.set_address(bech(4));
        auto [pst, presp] = ask<q::ProviderResponse>(*c.query, &q::QueryService::Stub::Provider, preq);
        REQUIRE(pst.ok());
        const auto p4 = rec(presp);
        REQUIRE(p4["free"]["cpu_millicores"] == 1000);
        REQUIRE(p4["reserved"]["cpu_millicores"] == 1000);
        REQUIRE(p4["open_leases"] == 1);
        REQUIRE(p4["stake"] == "200000000");
        preq.set_address(bech(2));
        auto [p2st, p2resp] = ask<q::ProviderResponse>(*c.query, &q::QueryService::Stub::Provider, preq);
        REQUIRE(p2st.ok());
        const auto p2 = rec(p2resp);
        REQUIRE(p2["offers"].size() == 1);
        REQUIRE(p2["offers"][0]["offer_id"] == 1);
        REQUIRE(p2["offers"][0]["per_cpu_millicore"] == "1");

        // Escrow, accrued lazily: price x seconds of block time since the start, at the latest block.
        const std::uint64_t h = c.app().lastHeight();
        q::EscrowRequest ereq;
        ereq.set_lease_id(bidLease);
        auto [est, escrow] = ask<q::EscrowResponse>(*c.query, &q::QueryService::Stub::Escrow, ereq);
        REQUIRE(est.ok());
        const std::uint64_t accrued = 300 * (h - acceptBlock.height);
        REQUIRE(escrow.height() == h);
        REQUIRE(escrow.time() == c.app().lastTimeMs());
        REQUIRE(escrow.deposited() == "50000");
        REQUIRE(escrow.accrued() == std::to_string(accrued));
        REQUIRE(escrow.remaining() == std::to_string(50'000 - accrued));
        REQUIRE(escrow.withdrawn() == "0");
        REQUIRE(escrow.dry_time() == 0);  // 50,000 covers all 100 seconds at 300
        REQUIRE(escrow.paid_through() == c.app().lastTimeMs());
        REQUIRE(escrow.lease_state() == "active");
        // The stored record itself has not accrued yet: the view is computed.
        REQUIRE(rec(lresp)["accrued"] == "0");

        // The offer lease runs dry after 10 seconds of its 50.
        const std::uint64_t offerLease = bidLease == 1 ? 2 : 1;
        ereq.set_lease_id(offerLease);
        auto [e2st, e2] = ask<q::EscrowResponse>(*c.query, &q::QueryService::Stub::Escrow, ereq);
        REQUIRE(e2st.ok());
        REQUIRE(e2.dry_time() == offerLeaseStartMs + 10'000);
        REQUIRE(e2.accrued() == std::to_string(1'000 * (h - offerLeaseStart)));
        REQUIRE(e2.price_per_second() == "1000");
    }

    SECTION("bids include closed ones on request; the open index empties on accept") {
        q::BidsRequest req;
        req.set_job_id(1);
        auto [st, resp] = ask<q::BidsResponse>(*c.query, &q::QueryService::Stub::Bids, req);
        REQUIRE(st.ok());
        REQUIRE(resp.bids_size() == 0);
        req.set_include_closed(true);
        auto [st2, all] = ask<q::BidsResponse>(*c.query, &q::QueryService::Stub::Bids, req);
        REQUIRE(st2.ok());
        REQUIRE(all.bids_size() == 4);
        std::map<std::string, int> states;
        for (const auto& j : all.bids()) states[rec(j)["state"].get<std::string>()]++;
        REQUIRE(states == std::map<std::string, int>{{"accepted", 1}, {"lost", 3}});
    }

    SECTION("providers are filtered by attributes, free capacity and gpus, and page without gaps") {
        auto list = [&](auto fill) {
            q::ListProvidersRequest req;
            fill(req);
            auto [st, resp] = ask<q::ListProvidersResponse>(*c.query, &q::QueryService::Stub::ListProviders, req);
            INFO(st.error_message());
            REQUIRE(st.ok());
            return providerAddresses(resp);
        };
        auto attr = [](q::ListProvidersRequest& r, const char* k, const char* v) {
            auto* a = r.add_attributes();
            a->set_key(k);
            a->set_value(v);
        };
        REQUIRE(list([](auto&) {}).size() == 5);
        REQUIRE(list([&](auto& r) { attr(r, "region", "eu"); }) ==
                std::set<std::string>{bech(1), bech(3), bech(4), bech(5)});
        // Attribute order in the filter does not matter; all must match.
        REQUIRE(list([&](auto& r) {
                    attr(r, "tier", "gold");
                    attr(r, "region", "eu");
                }) == std::set<std::string>{bech(1), bech(4)});
        REQUIRE(list([&](auto& r) { r.set_min_free_cpu_millicores(10'000); }) ==
                std::set<std::string>{bech(3), bech(5)});
        // Provider 4's lease left it 1000 free millicores.
        REQUIRE(list([&](auto& r) {
                    attr(r, "region", "eu");
                    attr(r, "tier", "gold");
                    r.set_min_free_cpu_millicores(1500);
                }) == std::set<std::string>{bech(1)});
        REQUIRE(list([&](auto& r) { r.set_gpu_model("a100"); }) == std::set<std::string>{bech(1), bech(5)});
        REQUIRE(list([&](auto& r) {
                    r.set_gpu_model("a100");
                    r.set_min_free_gpus(3);
                }) == std::set<std::string>{bech(5)});
        REQUIRE(list([&](auto& r) {
                    r.set_min_free_memory_mib(20'000);
                    r.set_min_free_storage_gib(1500);
                }) == std::set<std::string>{bech(5)});
        REQUIRE(list([&](auto& r) { attr(r, "region", "mars"); }).empty());

        for (std::uint32_t limit : {1u, 2u, 4u}) {
            std::size_t pages = 0;
            auto all = drain(
                [&](const std::string& key) {
                    q::ListProvidersRequest req;
                    req.mutable_page()->set_key(key);
                    req.mutable_page()->set_limit(limit);
                    auto [st, resp] =
                        ask<q::ListProvidersResponse>(*c.query, &q::QueryService::Stub::ListProviders, req);
                    REQUIRE(st.ok());
                    REQUIRE(static_cast<std::uint32_t>(resp.providers_size()) <= limit);
                    std::vector<std::string> out;
                    for (const auto& j : resp.providers()) out.push_back(rec(j)["address"]);
                    return std::make_pair(out, resp.page().next_key());
                },
                &pages);
            INFO("limit " << limit);
            REQUIRE(all.size() == 5);
            REQUIRE(std::set<std::string>(all.begin(), all.end()).size() == 5);
            REQUIRE(pages == (5 + limit - 1) / limit);
        }
    }

    SECTION("leases by owner and by provider page without duplicates") {
        auto leases = [&](const std::string& owner, const std::string& prov, std::uint32_t limit) {
            return drain([&](const std::string& key) {
                q::LeasesRequest req;
                req.set_owner(owner);
                req.set_provider(prov);
                req.mutable_page()->set_key(key);
                req.mutable_page()->set_limit(limit);
                auto [st, resp] = ask<q::LeasesResponse>(*c.query, &q::QueryService::Stub::Leases, req);
                INFO(st.error_message());
                REQUIRE(st.ok());
                std::vector<std::string> out;
                for (const auto& j : resp.leases()) out.push_back(std::to_string(rec(j)["id"].get<std::uint64_t>()));
                return std::make_pair(out, resp.page().next_key());
            });
        };
        auto byClient = leases(bech(kClient), "", 1);
        REQUIRE(byClient.size() == 2);
        REQUIRE(byClient[0] != byClient[1]);
        REQUIRE(leases("", bech(4), 10) == std::vector<std::string>{std::to_string(bidLease)});
        REQUIRE(leases("", bech(1), 10).empty());
        REQUIRE(leases(bech(kClient), bech(4), 10) == std::vector<std::string>{std::to_string(bidLease)});
    }

    SECTION("withdraw, top-up, close and settle move the escrow; reputation records the rating") {
        mustAdmit(*c.provider, &PS::WithdrawEarnings, c.signedTx(4, {MsgProviderWithdraw{bidLease}}));
        mustAdmit(*c.client, &CS::TopUp, c.signedTx(kClient, {MsgLeaseTopUp{bidLease, Amount(1'000)}}));
        const auto b = c.block();
        q::EscrowRequest ereq;
        ereq.set_lease_id(bidLease);
        auto [est, escrow] = ask<q::EscrowResponse>(*c.query, &q::QueryService::Stub::Escrow, ereq);
        REQUIRE(est.ok());
        REQUIRE(escrow.withdrawn() == std::to_string(300 * (b.height - acceptBlock.height)));
        REQUIRE(escrow.deposited() == "51000");
        REQUIRE(escrow.accrued() == "0");

        // Paid for long enough to count as a completed lease in reputation (blocks are one second apart).
        for (std::uint64_t i = 0; i < contracts::kReputationMinPaidSeconds; ++i) c.block();
        mustAdmit(*c.client, &CS::CloseLease, c.signedTx(kClient, {MsgLeaseClose{bidLease, CloseReason::Completed}}));
        c.block();
        mustAdmit(*c.client, &CS::Settle, c.signedTx(kClient, {MsgLeaseSettle{bidLease, 5}}));
        c.block();
        q::LeaseRequest lreq;
        lreq.set_lease_id(bidLease);
        auto [lst, lresp] = ask<q::LeaseResponse>(*c.query, &q::QueryService::Stub::Lease, lreq);
        REQUIRE(lst.ok());
        const auto lease = rec(lresp);
        REQUIRE(lease["state"] == "closed");
        REQUIRE(lease["close_reason"] == "completed");
        REQUIRE(lease["settled"] == true);
        REQUIRE(lease["rating"] == 5);
        ereq.set_lease_id(bidLease);
        auto [e2st, e2] = ask<q::EscrowResponse>(*c.query, &q::QueryService::Stub::Escrow, ereq);
        REQUIRE(e2st.ok());
        REQUIRE(e2.remaining() == "0");
        REQUIRE(e2.lease_state() == "closed");
        // deposited = withdrawn + refunded once settled
        REQUIRE(std::stoull(e2.withdrawn()) + std::stoull(e2.refunded()) == 51'000);

        q::ReputationRequest rreq;
        rreq.set_provider(bech(4));
        auto [rst, rep] = ask<q::ReputationResponse>(*c.query, &q::QueryService::Stub::Reputation, rreq);
        REQUIRE(rst.ok());
        const auto r = rec(rep);
        REQUIRE(r["completed"] == 1);
        // One lease of weight per reputation_reference_paid (1,000 here) it paid; rated 5/5 and no
        // early closes, so the score is the lower bound of that many successes (decisions 46, 55).
        const std::uint64_t weight = std::stoull(e2.withdrawn()) * 1'000'000 / 1'000;
        REQUIRE(r["success_weight"] == weight);
        REQUIRE(r["score"] == contracts::wilsonLowerBoundPpm(weight, 0));
        REQUIRE(r["total_paid"] == e2.withdrawn());
        REQUIRE(rep.state().exists());
        // A provider without settled leases scores 0 (no evidence) and has no record.
        rreq.set_provider(bech(3));
        auto [r3st, rep3] = ask<q::ReputationResponse>(*c.query, &q::QueryService::Stub::Reputation, rreq);
        REQUIRE(r3st.ok());
        REQUIRE(rec(rep3)["score"] == 0);
        REQUIRE_FALSE(rep3.state().exists());

        // The client's record: one lease settled, what it paid; zeros for an address without one.
        q::ClientRecordRequest creq;
        creq.set_client(bech(kClient));
        creq.mutable_options()->set_prove(true);
        auto [cst, crec] = ask<q::ClientRecordResponse>(*c.query, &q::QueryService::Stub::ClientRecord, creq);
        REQUIRE(cst.ok());
        const auto cr = rec(crec);
        CHECK(cr["leases_settled"] == 1);
        CHECK(cr["total_paid"] == e2.withdrawn());
        CHECK(cr["early_closes"] == 0);
        CHECK(crec.state().exists());
        creq.set_client(bech(3));
        auto [c3st, crec3] = ask<q::ClientRecordResponse>(*c.query, &q::QueryService::Stub::ClientRecord, creq);
        REQUIRE(c3st.ok());
        CHECK(rec(crec3)["leases_settled"] == 0);
        CHECK_FALSE(crec3.state().exists());
        creq.set_client("agora1bogus");
        CHECK(ask<q::ClientRecordResponse>(*c.query, &q::QueryService::Stub::ClientRecord, creq).first.error_code() ==
              grpc::StatusCode::INVALID_ARGUMENT);
    }

    SECTION("a new validator and a delegation go through StakingService; validators page") {
        using SS = sk::StakingService::Stub;
        mustAdmit(
            *c.staking, &SS::CreateValidator,
            c.signedTx(kNewValidator, {MsgCreateValidator{test::testKey(20).publicKey, "v1", 500, Amount(2'000'000)}}));
        mustAdmit(*c.staking, &SS::Delegate,
                  c.signedTx(kClient, {MsgDelegate{addr(kValidatorKey), Amount(5'000'000)}}));
        c.block();
        std::size_t pages = 0;
        auto monikers = drain(
            [&](const std::string& key) {
                q::ValidatorsRequest req;
                req.mutable_page()->set_key(key);
                req.mutable_page()->set_limit(1);
                auto [st, resp] = ask<q::ValidatorsResponse>(*c.query, &q::QueryService::Stub::Validators, req);
                REQUIRE(st.ok());
                std::vector<std::string> out;
                for (const auto& j : resp.validators()) out.push_back(rec(j)["moniker"]);
                return std::make_pair(out, resp.page().next_key());
            },
            &pages);
        REQUIRE(std::set<std::string>(monikers.begin(), monikers.end()) == std::set<std::string>{"v0", "v1"});
        REQUIRE(monikers.size() == 2);

        sk::ValidatorsRequest sreq;
        auto [sst, sresp] = ask<sk::ValidatorsResponse>(*c.staking, &SS::Validators, sreq);
        REQUIRE(sst.ok());
        REQUIRE(sresp.validators_size() == 2);
        for (const auto& v : sresp.validators()) {
            if (v.moniker() != "v0") continue;
            REQUIRE(v.operator_() == addr(kValidatorKey).toBech32(kValidatorPrefix));
            REQUIRE(v.tokens() == std::to_string(1'000'000'000'000ULL + 5'000'000));
            REQUIRE(v.power() == 1'000'000'000'000ULL + 5'000'000);
        }
    }

    SECTION("proofs of query answers verify against the app_hash of the block at their height") {
        q::ProviderRequest preq;
        preq.set_address(bech(1));
        preq.mutable_options()->set_prove(true);
        auto [pst, presp] = ask<q::ProviderResponse>(*c.query, &q::QueryService::Stub::Provider, preq);
        REQUIRE(pst.ok());
        auto check = [&](const q::StateValue& sv, const Bytes& key) {
            REQUIRE(asBytes(sv.key()).size() == key.size());
            REQUIRE(Bytes(sv.key().begin(), sv.key().end()) == key);
            auto proof = decode<state::MerkleProof>(asBytes(sv.proof()));
            REQUIRE(proof.hasValue());
            const auto root = Hash256::fromSpan(asBytes(sv.app_hash())).value();
            std::optional<Bytes> value;
            if (sv.exists()) value = Bytes(sv.value().begin(), sv.value().end());
            REQUIRE(state::verifyProof(root, key, value, *proof));
            // A tampered value does not verify.
            REQUIRE_FALSE(state::verifyProof(root, key, Bytes{1, 2, 3}, *proof));
            // The root is the app_hash in the header of that height.
            q::BlockRequest breq;
            breq.set_height(sv.height());
            auto [bst, block] = ask<q::BlockResponse>(*c.query, &q::QueryService::Stub::Block, breq);
            REQUIRE(bst.ok());
            REQUIRE(block.block().header_view().app_hash() == sv.app_hash());
        };
        check(presp.state(), contracts::keys::provider(addr(1)));

        q::LeaseRequest lreq;
        lreq.set_lease_id(bidLease);
        lreq.mutable_options()->set_prove(true);
        auto [lst, lresp] = ask<q::LeaseResponse>(*c.query, &q::QueryService::Stub::Lease, lreq);
        REQUIRE(lst.ok());
        check(lresp.state(), contracts::keys::lease(bidLease));

        jreq.mutable_options()->set_prove(true);
        auto [jst2, jresp2] = ask<q::JobResponse>(*c.query, &q::QueryService::Stub::Job, jreq);
        REQUIRE(jst2.ok());
        check(jresp2.state(), contracts::keys::job(1));

        q::ParamsRequest pr;
        pr.mutable_options()->set_prove(true);
        auto [prst, params] = ask<q::ParamsResponse>(*c.query, &q::QueryService::Stub::Params, pr);
        REQUIRE(prst.ok());
        REQUIRE(rec(params)["min_fee"] == "1000");
        REQUIRE(rec(params)["min_self_stake"] == "1000000");
        check(params.state(), contracts::keys::params());

        // Exclusion proof: provider 3 has no reputation record.
        q::ReputationRequest rreq;
        rreq.set_provider(bech(3));
        rreq.mutable_options()->set_prove(true);
        auto [rst, rep] = ask<q::ReputationResponse>(*c.query, &q::QueryService::Stub::Reputation, rreq);
        REQUIRE(rst.ok());
        REQUIRE_FALSE(rep.state().exists());
        check(rep.state(), contracts::keys::providerReputation(addr(3)));

        q::EscrowRequest ereq;
        ereq.set_lease_id(bidLease);
        ereq.mutable_options()->set_prove(true);
        auto [est, escrow] = ask<q::EscrowResponse>(*c.query, &q::QueryService::Stub::Escrow, ereq);
        REQUIRE(est.ok());
        check(escrow.state(), contracts::keys::lease(bidLease));
    }

    SECTION("GetTx returns a committed tx with its stored result and events") {
        const Hash256 hash = sha256(asBytes(acceptTx));
        txpb::GetTxRequest req;
        req.set_hash(str(hash.span()));
        auto [st, resp] = ask<txpb::GetTxResponse>(*c.tx, &txpb::TxService::Stub::GetTx, req);
        INFO(st.error_message());
        REQUIRE(st.ok());
        REQUIRE(resp.tx() == acceptTx);
        REQUIRE(resp.height() == acceptBlock.height);
        REQUIRE(resp.result().code() == 0);
        REQUIRE(resp.result().codespace() == "ok");
        REQUIRE(resp.result().fee_charged() == 1'000);
        const auto& idx = resp.index();
        REQUIRE(acceptBlock.txHashes.at(idx) == hash);
        std::set<std::string> types;
        for (const auto& e : resp.result().events()) {
            types.insert(e.type());
            REQUIRE(e.height() == acceptBlock.height);
            REQUIRE(e.tx_hash() == str(hash.span()));
        }
        REQUIRE(types.count("bid_accepted") == 1);
        REQUIRE(types.count("lease_created") == 1);

        req.set_hash(std::string(32, '\x01'));
        auto [nst, nresp] = ask<txpb::GetTxResponse>(*c.tx, &txpb::TxService::Stub::GetTx, req);
        REQUIRE(nst.error_code() == grpc::StatusCode::NOT_FOUND);
        req.set_hash("short");
        auto [ist, iresp] = ask<txpb::GetTxResponse>(*c.tx, &txpb::TxService::Stub::GetTx, req);
        REQUIRE(ist.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    }

    SECTION("Simulate executes against the latest state and changes nothing") {
        const Hash256 appBefore = c.app().lastAppHash();
        const std::uint64_t heightBefore = c.app().lastHeight();
        q::AccountRequest areq;
        areq.set_address(bech(kClient));
        auto [a1st, before] = ask<q::AccountResponse>(*c.query, &q::QueryService::Stub::Account, areq);
        REQUIRE(a1st.ok());

        auto simulate = [&](const std::string& t, bool skipSig = false) {
            txpb::SimulateRequest req;
            req.set_tx(t);
            req.set_skip_signature_check(skipSig);
            return ask<txpb::SimulateResponse>(*c.tx, &txpb::TxService::Stub::Simulate, req);
        };
        const std::string send = c.signedTx(kClient, {MsgSend{addr(1), Amount(777)}}, false);
        auto [st, ok] = simulate(send);
        INFO(st.error_message());
        REQUIRE(st.ok());
        REQUIRE(ok.result().code() == 0);
        REQUIRE(ok.result().fee_charged() == 1'000);
        REQUIRE(ok.height() == heightBefore + 1);
        bool transfer = false;
        for (const auto& e : ok.result().events()) transfer = transfer || e.type() == "transfer";
        REQUIRE(transfer);

        // A failing message: fee charged, code from the ledger.
        auto [fst, failed] = simulate(c.signedTx(kClient, {MsgBidPlace{999, Amount(1), Amount(1'000'000)}}, false));
        REQUIRE(fst.ok());
        REQUIRE(failed.result().code() == 330);
        REQUIRE(failed.result().codespace() == "failed");
        REQUIRE(failed.result().fee_charged() == 1'000);

        // A bad signature is reported, unless the caller asked to skip it.
        std::string badSig = send;
        badSig.back() = static_cast<char>(badSig.back() ^ 1);
        auto [bst, bad] = simulate(badSig);
        REQUIRE(bst.ok());
        REQUIRE(bad.result().code() == 105);
        auto [sst, skipped] = simulate(badSig, true);
        REQUIRE(sst.ok());
        REQUIRE(skipped.result().code() == 0);

        auto [gst, garbage] = simulate("garbage");
        REQUIRE(gst.error_code() == grpc::StatusCode::INVALID_ARGUMENT);

        auto [a2st, after] = ask<q::AccountResponse>(*c.query, &q::QueryService::Stub::Account, areq);
        REQUIRE(a2st.ok());
        REQUIRE(after.balance() == before.balance());
        REQUIRE(after.next_nonce() == before.next_nonce());
        REQUIRE(c.app().lastAppHash() == appBefore);
        REQUIRE(c.app().lastHeight() == heightBefore);
        REQUIRE(c.mempool().size() == 0);
        // The simulated tx is still valid for real.
        txpb::BroadcastRequest breq;
        breq.set_tx(send);
        REQUIRE(ask<txpb::BroadcastResponse>(*c.tx, &txpb::TxService::Stub::Broadcast, breq).first.ok());
        REQUIRE(c.mempool().size() == 1);
    }

    SECTION("unknown objects are NOT_FOUND and malformed input INVALID_ARGUMENT") {
        using QS = q::QueryService::Stub;
        q::ProviderRequest preq;
        preq.set_address(bech(kClient));
        REQUIRE(ask<q::ProviderResponse>(*c.query, &QS::Provider, preq).first.error_code() ==
                grpc::StatusCode::NOT_FOUND);
        preq.set_address("agora1notanaddress");
        auto bad = ask<q::ProviderResponse>(*c.query, &QS::Provider, preq).first;
        REQUIRE(bad.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(bad.error_message().find("address") != std::string::npos);
        preq.set_address("");
        REQUIRE(ask<q::ProviderResponse>(*c.query, &QS::Provider, preq).first.error_code() ==
                grpc::StatusCode::INVALID_ARGUMENT);

        q::JobRequest j;
        j.set_job_id(999);
        REQUIRE(ask<q::JobResponse>(*c.query, &QS::Job, j).first.error_code() == grpc::StatusCode::NOT_FOUND);
        q::BidsRequest b;
        b.set_job_id(999);
        REQUIRE(ask<q::BidsResponse>(*c.query, &QS::Bids, b).first.error_code() == grpc::StatusCode::NOT_FOUND);
        q::LeaseRequest l;
        l.set_lease_id(999);
        REQUIRE(ask<q::LeaseResponse>(*c.query, &QS::Lease, l).first.error_code() == grpc::StatusCode::NOT_FOUND);
        q::EscrowRequest e;
        e.set_lease_id(999);
        REQUIRE(ask<q::EscrowResponse>(*c.query, &QS::Escrow, e).first.error_code() == grpc::StatusCode::NOT_FOUND);
        q::ReputationRequest r;
        r.set_provider(bech(kClient));
        REQUIRE(ask<q::ReputationResponse>(*c.query, &QS::Reputation, r).first.error_code() ==
                grpc::StatusCode::NOT_FOUND);

        q::LeasesRequest ls;
        REQUIRE(ask<q::LeasesResponse>(*c.query, &QS::Leases, ls).first.error_code() ==
                grpc::StatusCode::INVALID_ARGUMENT);
        ls.set_owner("bogus");
        REQUIRE(ask<q::LeasesResponse>(*c.query, &QS::Leases, ls).first.error_code() ==
                grpc::StatusCode::INVALID_ARGUMENT);

        // Page keys must come from the same listing.
        q::ListProvidersRequest lp;
        lp.mutable_page()->set_key("\x99");
        auto pk = ask<q::ListProvidersResponse>(*c.query, &QS::ListProviders, lp).first;
        REQUIRE(pk.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(pk.error_message().find("page key") != std::string::npos);
        b.set_job_id(1);
        b.mutable_page()->set_key(str(contracts::keys::provider(addr(1))));
        REQUIRE(ask<q::BidsResponse>(*c.query, &QS::Bids, b).first.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        q::ListProvidersRequest gpus;
        gpus.set_min_free_gpus(2);
        REQUIRE(ask<q::ListProvidersResponse>(*c.query, &QS::ListProviders, gpus).first.error_code() ==
                grpc::StatusCode::INVALID_ARGUMENT);

        // Historical heights are not served.
        q::JobRequest old;
        old.set_job_id(1);
        old.mutable_options()->set_height(1);
        REQUIRE(ask<q::JobResponse>(*c.query, &QS::Job, old).first.error_code() == grpc::StatusCode::UNIMPLEMENTED);
    }

    SECTION("an action RPC refuses a tx carrying a message of another kind") {
        const std::size_t pending = c.mempool().size();
        std::string code;
        auto st =
            action(*c.provider, &PS::PlaceBid,
                   c.signedTx(kClient, {MsgJobCreate{res(1, 1, 1), {}, Amount(1), 1, 1, 0, Amount(1)}}, false), &code);
        REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(code == "600");
        REQUIRE(st.error_message().find("ProviderService.PlaceBid accepts only bid_place") != std::string::npos);
        REQUIRE(st.error_message().find("job_create") != std::string::npos);

        // One wrong message among right ones is enough to refuse.
        st = action(*c.provider, &PS::PlaceBid,
                    c.signedTx(3, {MsgBidPlace{1, Amount(1), Amount(1'000'000)}, MsgSend{addr(1), Amount(1)}}, false),
                    &code);
        REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(st.error_message().find("message 1 is send") != std::string::npos);

        st = action(*c.client, &CS::CreateJob, c.signedTx(kClient, {MsgBidAccept{1}}, false), &code);
        REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(code == "600");
        st = action(*c.client, &CS::Settle, c.signedTx(kClient, {MsgLeaseClose{1, CloseReason::Completed}}, false),
                    &code);
        REQUIRE(code == "600");
        st = action(*c.staking, &sk::StakingService::Stub::Delegate,
                    c.signedTx(kClient, {MsgSend{addr(1), Amount(1)}}, false), &code);
        REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(code == "600");
        st = action(*c.staking, &sk::StakingService::Stub::Unbond,
                    c.signedTx(kClient, {MsgProviderUnbond{Amount(1)}}, false), &code);
        REQUIRE(code == "600");
        st = action(*c.provider, &PS::Register, "not a tx", &code);
        REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(code == "500");
        REQUIRE(c.mempool().size() == pending);

        // The right RPC admits the tx, then applies the mempool's checks like Broadcast.
        st = action(*c.client, &CS::CancelJob, c.signedTx(kClient, {MsgJobCancel{1}}, false), &code);
        REQUIRE(st.ok());
        st = action(*c.client, &CS::CancelJob, c.signedTx(kClient, {MsgJobCancel{1}}, false), &code);
        REQUIRE(st.error_code() == grpc::StatusCode::ALREADY_EXISTS);
        REQUIRE(code == "501");
    }
}

TEST_CASE("an action RPC in commit mode replies with the committed result", "[rpc][query]") {
    Chain c;
    c.block();
    mk::SignedTxRequest req;
    req.set_tx(c.signedTx(1, {registration({{"region", "eu"}}, res(1000, 1000, 10))}));
    req.set_mode(txpb::BROADCAST_MODE_COMMIT);
    txpb::BroadcastResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    c.provider->async()->Register(&ctx, &req, &resp, [&](grpc::Status s) {
        std::lock_guard lock(mu);
        status = std::move(s);
        done = true;
        cv.notify_all();
    });
    // Wait until the tx is pending, then commit a block holding it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (c.mempool().size() == 0) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::yield();
    }
    const auto b = c.block();
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_until(lock, deadline, [&] { return done; }));
    INFO(status.error_message());
    REQUIRE(status.ok());
    REQUIRE(resp.height() == b.height);
    REQUIRE(resp.code() == 0);

    // An unknown broadcast mode is refused with a clear error.
    mk::SignedTxRequest odd;
    odd.set_tx(c.signedTx(1, {MsgProviderUnbond{Amount(1)}}, false));
    odd.set_mode(static_cast<txpb::BroadcastMode>(7));
    txpb::BroadcastResponse oddResp;
    grpc::ClientContext octx;
    auto st = c.provider->Unbond(&octx, odd, &oddResp);
    REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    REQUIRE(trailingCode(octx) == "601");
}

TEST_CASE("the account query's pending nonce counts the sender's mempool txs and falls back to the committed nonce",
          "[rpc][query]") {
    Chain c;
    c.block();
    auto account = [&](std::uint8_t key) {
        q::AccountRequest req;
        req.set_address(addr(key).toBech32());
        auto [st, resp] = ask<q::AccountResponse>(*c.query, &q::QueryService::Stub::Account, req);
        INFO(st.error_message());
        REQUIRE(st.ok());
        return resp;
    };
    auto broadcast = [&](const std::string& tx) {
        txpb::BroadcastRequest req;
        req.set_tx(tx);
        auto [st, resp] = ask<txpb::BroadcastResponse>(*c.tx, &txpb::TxService::Stub::Broadcast, req);
        INFO(st.error_message());
        REQUIRE(st.ok());
    };
    auto fresh = account(2);
    CHECK(fresh.next_nonce() == 0);
    CHECK(fresh.pending_nonce() == 0);

    broadcast(c.signedTx(2, {MsgSend{addr(1), Amount(5)}}));
    broadcast(c.signedTx(2, {MsgSend{addr(1), Amount(6)}}));
    auto pending = account(2);
    CHECK(pending.next_nonce() == 0);
    CHECK(pending.pending_nonce() == 2);
    CHECK(account(3).pending_nonce() == 0);  // other senders are not affected

    c.block();
    auto committed = account(2);
    CHECK(committed.next_nonce() == 2);
    CHECK(committed.pending_nonce() == 2);
}
