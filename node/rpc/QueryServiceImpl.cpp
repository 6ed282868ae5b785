#include "node/rpc/QueryServiceImpl.h"

#include "contracts/Bank.h"
#include "contracts/Keys.h"
#include "node/query/ChainQueries.h"
#include "node/query/EvidenceQueries.h"
#include "node/query/StateQueries.h"
#include "node/rpc/QueryStatus.h"
#include "node/views/EvidenceView.h"

namespace agora::node {

namespace q = agora::query::v1;
namespace keys = contracts::keys;
using Snapshot = std::shared_ptr<const state::StateSnapshot>;

namespace {
std::string str(ByteSpan b) {
    return std::string(b.begin(), b.end());
}

grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* ctx, grpc::Status status) {
    auto* r = ctx->DefaultReactor();
    r->Finish(std::move(status));
    return r;
}

// Fills a StateValue for key in snap, with a proof against snap's root when asked.
grpc::Status fillState(Application& app, const Snapshot& snap, const Bytes& key, bool prove, q::StateValue* out) {
    out->set_key(str(key));
    out->set_height(snap->version());
    out->set_app_hash(str(snap->root().span()));
    auto value = snap->get(key);
    out->set_exists(value.has_value());
    if (value) out->set_value(str(*value));
    if (prove) {
        auto proof = app.stateStore().prove(key, snap->version());
        if (!proof) return {grpc::StatusCode::UNAVAILABLE, "proof: " + proof.error().message()};
        out->set_proof(str(encode(proof->proof)));
    }
    return grpc::Status::OK;
}

// Only the latest state is served; height 0 means latest.
grpc::Status checkHeight(const q::QueryOptions& options, const Snapshot& snap) {
    if (options.height() == 0 || options.height() == snap->version()) return grpc::Status::OK;
    return {grpc::StatusCode::UNIMPLEMENTED, "historical state queries are not served (latest height is " +
                                                 std::to_string(snap->version()) + ", asked " +
                                                 std::to_string(options.height()) + ")"};
}

void headerView(const agora::Block& block, agora::types::v1::BlockHeaderView* v) {
    const auto& h = block.header;
    v->set_chain_id(h.chainId);
    v->set_height(h.height);
    v->set_time_ms(h.timeMs);
    v->set_block_id(str(h.id().span()));
    v->set_last_block_id(str(h.lastBlockId.span()));
    v->set_app_hash(str(h.appHash.span()));
    v->set_data_hash(str(h.dataHash.span()));
    v->set_proposer(h.proposer.toBech32(kValidatorPrefix));
    v->set_num_txs(static_cast<std::uint32_t>(block.txs.size()));
}

PageSpec pageOf(const agora::types::v1::PageRequest& p) {
    return pageSpec(asBytes(p.key()), p.limit());
}

void setNextKey(const Bytes& next, agora::types::v1::PageResponse* out) {
    out->set_next_key(str(next));
}

// An optional address field: empty = not given; otherwise it must parse.
Expected<std::optional<Address>, QueryError> optionalAddress(const std::string& text, std::string_view field) {
    if (text.empty()) return std::optional<Address>{};
    auto a = parseAddress(text, field);
    if (!a) return Unexpected(a.error());
    return std::optional<Address>(*a);
}

}  // namespace

grpc::ServerUnaryReactor* QueryServiceImpl::Status(grpc::CallbackServerContext* ctx, const q::StatusRequest*,
                                                   q::StatusResponse* resp) {
    const NodeStatusView s = nodeStatus(app_, consensus_ ? consensus_() : ConsensusStatus{}, nodeId_);
    resp->set_chain_id(s.chainId);
    resp->set_node_id(s.nodeId);
    resp->set_latest_height(s.latestHeight);
    resp->set_latest_block_id(str(s.latestBlockId.span()));
    resp->set_latest_app_hash(str(s.latestAppHash.span()));
    resp->set_latest_time_ms(s.latestTimeMs);
    resp->set_catching_up(s.catchingUp);
    resp->set_version(std::string(kNodeVersion));
    resp->set_earliest_height(s.earliestHeight);
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueryServiceImpl::Account(grpc::CallbackServerContext* ctx, const q::AccountRequest* req,
                                                    q::AccountResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        auto addr = parseAddress(req->address(), "address");
        if (!addr) return toStatus(addr.error());
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        auto acc = queries.account(*addr, pendingNonce_);
        if (!acc) return toStatus(acc.error());
        toProto(*acc, resp);
        return fillState(app_, queries.snapshot(), keys::account(*addr), req->options().prove(), resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Provider(grpc::CallbackServerContext* ctx, const q::ProviderRequest* req,
                                                     q::ProviderResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        auto addr = parseAddress(req->address(), "address");
        if (!addr) return toStatus(addr.error());
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        auto p = queries.provider(*addr);
        if (!p) return toStatus(p.error());
        toProto(*p, resp->mutable_provider());
        return fillState(app_, queries.snapshot(), keys::provider(*addr), req->options().prove(),
                         resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::ListProviders(grpc::CallbackServerContext* ctx,
                                                          const q::ListProvidersRequest* req,
                                                          q::ListProvidersResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        ProviderFilter filter;
        for (const auto& a : req->attributes()) {
            if (a.key().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "attribute filter with an empty key"};
            filter.attributes.push_back(Attribute{a.key(), a.value()});
        }
        filter.minFreeCpuMillicores = req->min_free_cpu_millicores();
        filter.minFreeMemoryMib = req->min_free_memory_mib();
        filter.minFreeStorageGib = req->min_free_storage_gib();
        filter.gpuModel = req->gpu_model();
        filter.minFreeGpus = req->min_free_gpus();
        StateQueries queries(app_.snapshot());
        auto page = queries.providers(filter, pageOf(req->page()));
        if (!page) return toStatus(page.error());
        for (const auto& p : page->items) toProto(p, resp->add_providers());
        setNextKey(page->nextKey, resp->mutable_page());
        return grpc::Status::OK;
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Job(grpc::CallbackServerContext* ctx, const q::JobRequest* req,
                                                q::JobResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        auto j = queries.job(req->job_id());
        if (!j) return toStatus(j.error());
        toProto(*j, resp->mutable_job());
        return fillState(app_, queries.snapshot(), keys::job(req->job_id()), req->options().prove(),
                         resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::OpenJobs(grpc::CallbackServerContext* ctx, const q::OpenJobsRequest* req,
                                                     q::OpenJobsResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries queries(app_.snapshot());
        auto page = queries.openJobs(pageOf(req->page()));
        if (!page) return toStatus(page.error());
        for (const auto& j : page->items) toProto(j, resp->add_jobs());
        setNextKey(page->nextKey, resp->mutable_page());
        return grpc::Status::OK;
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Bids(grpc::CallbackServerContext* ctx, const q::BidsRequest* req,
                                                 q::BidsResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries queries(app_.snapshot());
        auto page = queries.bids(req->job_id(), req->include_closed(), pageOf(req->page()));
        if (!page) return toStatus(page.error());
        for (const auto& b : page->items) toProto(b, resp->add_bids());
        setNextKey(page->nextKey, resp->mutable_page());
        return grpc::Status::OK;
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Lease(grpc::CallbackServerContext* ctx, const q::LeaseRequest* req,
                                                  q::LeaseResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        auto l = queries.lease(req->lease_id());
        if (!l) return toStatus(l.error());
        toProto(*l, resp->mutable_lease());
        return fillState(app_, queries.snapshot(), keys::lease(req->lease_id()), req->options().prove(),
                         resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Leases(grpc::CallbackServerContext* ctx, const q::LeasesRequest* req,
                                                   q::LeasesResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        auto client = optionalAddress(req->owner(), "owner");
        if (!client) return toStatus(client.error());
        auto provider = optionalAddress(req->provider(), "provider");
        if (!provider) return toStatus(provider.error());
        StateQueries queries(app_.snapshot());
        auto page = queries.leases(*client, *provider, pageOf(req->page()));
        if (!page) return toStatus(page.error());
        for (const auto& l : page->items) toProto(l, resp->add_leases());
        setNextKey(page->nextKey, resp->mutable_page());
        return grpc::Status::OK;
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Escrow(grpc::CallbackServerContext* ctx, const q::EscrowRequest* req,
                                                   q::EscrowResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        // State does not hold its block's time: the block store does.
        auto time = app_.blockTimeMs(queries.height());
        if (!time)
            return toStatus(QueryError{QueryErrorKind::NotFound, "block " + std::to_string(queries.height()) +
                                                                     " is not kept: its time is unknown"});
        auto e = queries.escrow(req->lease_id(), *time);
        if (!e) return toStatus(e.error());
        const auto& l = e->lease;
        resp->set_deposited(l.deposited.toString());
        resp->set_accrued(e->accrued.toString());
        resp->set_withdrawn(l.paidOut.toString());
        resp->set_remaining(e->remaining.toString());
        resp->set_dry_time(e->dryTime);
        resp->set_lease_id(l.id);
        resp->set_refunded(l.refunded.toString());
        resp->set_price_per_second(l.pricePerSecond.toString());
        resp->set_paid_through(e->paidThrough);
        resp->set_end_time(l.endTime);
        resp->set_lease_state(std::string(contracts::leaseStateName(l.state)));
        resp->set_height(e->height);
        resp->set_time(e->time);
        return fillState(app_, queries.snapshot(), keys::lease(req->lease_id()), req->options().prove(),
                         resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Reputation(grpc::CallbackServerContext* ctx,
                                                       const q::ReputationRequest* req, q::ReputationResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        auto addr = parseAddress(req->provider(), "provider");
        if (!addr) return toStatus(addr.error());
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        auto rep = queries.reputation(*addr);
        if (!rep) return toStatus(rep.error());
        toProto(*rep, resp->mutable_reputation());
        // A registered provider without settled leases has no record yet
        // (exists = false; the record shows the neutral starting values).
        return fillState(app_, queries.snapshot(), keys::providerReputation(*addr), req->options().prove(),
                         resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Validators(grpc::CallbackServerContext* ctx,
                                                       const q::ValidatorsRequest* req, q::ValidatorsResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries queries(app_.snapshot());
        auto page = queries.validators(true, pageOf(req->page()));
        if (!page) return toStatus(page.error());
        for (const auto& v : page->items) toProto(v, resp->add_validators());
        setNextKey(page->nextKey, resp->mutable_page());
        return grpc::Status::OK;
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Params(grpc::CallbackServerContext* ctx, const q::ParamsRequest* req,
                                                   q::ParamsResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        toProto(queries.paramsView(), resp->mutable_params());
        return fillState(app_, queries.snapshot(), keys::params(), req->options().prove(), resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::ClientRecord(grpc::CallbackServerContext* ctx,
                                                         const q::ClientRecordRequest* req,
                                                         q::ClientRecordResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        auto addr = parseAddress(req->client(), "client");
        if (!addr) return toStatus(addr.error());
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        toProto(queries.clientRecord(*addr), resp->mutable_record());
        return fillState(app_, queries.snapshot(), keys::clientRecord(*addr), req->options().prove(),
                         resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Proposal(grpc::CallbackServerContext* ctx, const q::ProposalRequest* req,
                                                     q::ProposalResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries queries(app_.snapshot());
        if (auto st = checkHeight(req->options(), queries.snapshot()); !st.ok()) return st;
        auto p = queries.proposal(req->proposal_id());
        if (!p) return toStatus(p.error());
        toProto(*p, resp->mutable_proposal());
        return fillState(app_, queries.snapshot(), keys::proposal(req->proposal_id()), req->options().prove(),
                         resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Proposals(grpc::CallbackServerContext* ctx, const q::ProposalsRequest* req,
                                                      q::ProposalsResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        auto status = proposalStatusFilter(req->status());
        if (!status) return toStatus(status.error());
        StateQueries queries(app_.snapshot());
        auto page = queries.proposals(*status, pageOf(req->page()));
        if (!page) return toStatus(page.error());
        for (const auto& p : page->items) toProto(p, resp->add_proposals());
        setNextKey(page->nextKey, resp->mutable_page());
        return grpc::Status::OK;
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Block(grpc::CallbackServerContext* ctx, const q::BlockRequest* req,
                                                  q::BlockResponse* resp) {
    QueryResult<agora::Block> block = Unexpected(QueryError{});
    if (!req->hash().empty()) {
        auto id = Hash256::fromSpan(asBytes(req->hash()));
        if (!id) return finish(ctx, {grpc::StatusCode::INVALID_ARGUMENT, "hash must be 32 bytes"});
        block = blockById(app_.blocks(), *id);
    } else {
        block = blockAt(app_.blocks(), req->height() == 0 ? app_.blocks().latestHeight() : req->height());
    }
    if (!block) return finish(ctx, toStatus(block.error()));
    auto* b = resp->mutable_block();
    b->set_header(str(encode(block->header)));
    for (const auto& tx : block->txs) b->add_txs(str(tx));
    if (block->lastCommit) b->set_last_commit(str(encode(*block->lastCommit)));
    for (const auto& e : block->evidence) b->add_evidence(str(encode(e)));
    headerView(*block, b->mutable_header_view());
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueryServiceImpl::Blocks(grpc::CallbackServerContext* ctx, const q::BlocksRequest* req,
                                                   q::BlocksResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        auto list =
            listBlocks(app_.blocks(), req->max_height(), req->limit() == 0 ? kDefaultBlockListLimit : req->limit());
        if (!list) return toStatus(list.error());
        for (const auto& block : list->blocks) {
            auto* s = resp->add_blocks();
            headerView(block, s->mutable_header());
            for (const auto& tx : block.txs) s->add_tx_hashes(str(sha256(tx).span()));
            if (block.lastCommit) {
                for (const auto& sig : block.lastCommit->signatures)
                    s->add_last_commit_signers(str(sig.validator.span()));
            }
            s->set_evidence_count(static_cast<std::uint32_t>(block.evidence.size()));
        }
        resp->set_next_max_height(list->nextMaxHeight);
        return grpc::Status::OK;
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Proof(grpc::CallbackServerContext* ctx, const q::ProofRequest* req,
                                                  q::ProofResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        if (req->key().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "key is required"};
        const Snapshot snap = app_.snapshot();
        if (req->height() != 0 && req->height() != snap->version())
            return {grpc::StatusCode::UNIMPLEMENTED, "proofs at past heights are not served yet"};
        const Bytes key(req->key().begin(), req->key().end());
        return fillState(app_, snap, key, true, resp->mutable_state());
    });
}

grpc::ServerUnaryReactor* QueryServiceImpl::Evidence(grpc::CallbackServerContext* ctx, const q::EvidenceRequest* req,
                                                     q::EvidenceResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        const Snapshot snap = app_.snapshot();
        auto list =
            queryEvidence(app_.blocks(), *snap, EvidenceQuery{req->validator(), req->min_height(), req->max_height()});
        if (!list) return toStatus(list.error());
        for (const auto& e : *list) toProto(e, resp->add_evidence());
        return grpc::Status::OK;
    });
}

}  // namespace agora::node
