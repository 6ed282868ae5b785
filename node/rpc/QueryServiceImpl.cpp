#include "node/rpc/QueryServiceImpl.h"

#include "contracts/Bank.h"
#include "contracts/Keys.h"

namespace agora::node {

namespace q = agora::query::v1;

namespace {
std::string str(ByteSpan b) { return std::string(b.begin(), b.end()); }

grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* ctx, grpc::Status status) {
    auto* r = ctx->DefaultReactor();
    r->Finish(std::move(status));
    return r;
}

// Fills a StateValue for key at the latest version, with a proof when asked.
grpc::Status fillState(Application& app, const Bytes& key, bool prove, q::StateValue* out) {
    auto snap = app.snapshot();
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
}  // namespace

grpc::ServerUnaryReactor* QueryServiceImpl::Status(grpc::CallbackServerContext* ctx, const q::StatusRequest*,
                                                   q::StatusResponse* resp) {
    resp->set_chain_id(app_.genesis().genesis.chainId);
    resp->set_node_id(nodeId_);
    resp->set_latest_height(app_.lastHeight());
    resp->set_latest_block_id(str(app_.lastBlockId().span()));
    resp->set_latest_app_hash(str(app_.lastAppHash().span()));
    resp->set_latest_time_ms(app_.lastTimeMs());
    resp->set_catching_up(false);
    resp->set_version("agorad 0.1.0");
    resp->set_earliest_height(app_.blocks().baseHeight());
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueryServiceImpl::Account(grpc::CallbackServerContext* ctx, const q::AccountRequest* req,
                                                    q::AccountResponse* resp) {
    auto addr = Address::fromBech32(req->address());
    if (!addr) return finish(ctx, {grpc::StatusCode::INVALID_ARGUMENT, std::string(errorName(addr.error()))});
    if (req->options().height() != 0 && req->options().height() != app_.lastHeight())
        return finish(ctx, {grpc::StatusCode::UNIMPLEMENTED, "historical account queries are not served yet"});
    const Bytes key = contracts::keys::account(*addr);
    auto st = fillState(app_, key, req->options().prove(), resp->mutable_state());
    if (!st.ok()) return finish(ctx, st);
    resp->set_address(addr->toBech32());
    if (resp->state().exists()) {
        auto acc = decode<contracts::Account>(asBytes(resp->state().value()));
        if (!acc) return finish(ctx, {grpc::StatusCode::DATA_LOSS, "stored account does not decode"});
        resp->set_balance(acc->balance.toString());
        resp->set_next_nonce(acc->nonce);
    } else {
        resp->set_balance("0");
        resp->set_next_nonce(0);
    }
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueryServiceImpl::Block(grpc::CallbackServerContext* ctx, const q::BlockRequest* req,
                                                  q::BlockResponse* resp) {
    std::uint64_t height = req->height();
    if (!req->hash().empty()) {
        auto id = Hash256::fromSpan(asBytes(req->hash()));
        if (!id) return finish(ctx, {grpc::StatusCode::INVALID_ARGUMENT, "hash must be 32 bytes"});
        auto h = app_.blocks().heightOf(*id);
        if (!h) return finish(ctx, {grpc::StatusCode::NOT_FOUND, "no block with that hash"});
        height = *h;
    }
    if (height == 0) height = app_.blocks().latestHeight();
    auto raw = app_.blocks().blockBytes(height);
    if (!raw) return finish(ctx, {grpc::StatusCode::NOT_FOUND, "no block at height " + std::to_string(height)});
    auto block = decodeBlock(*raw);
    if (!block) return finish(ctx, {grpc::StatusCode::DATA_LOSS, "stored block does not decode"});
    auto* b = resp->mutable_block();
    b->set_header(str(encode(block->header)));
    for (const auto& tx : block->txs) b->add_txs(str(tx));
    if (block->lastCommit) b->set_last_commit(str(encode(*block->lastCommit)));
    for (const auto& e : block->evidence) b->add_evidence(str(encode(e)));
    auto* v = b->mutable_header_view();
    const auto& h = block->header;
    v->set_chain_id(h.chainId);
    v->set_height(h.height);
    v->set_time_ms(h.timeMs);
    v->set_block_id(str(h.id().span()));
    v->set_last_block_id(str(h.lastBlockId.span()));
    v->set_app_hash(str(h.appHash.span()));
    v->set_data_hash(str(h.dataHash.span()));
    v->set_proposer(h.proposer.toBech32(kValidatorPrefix));
    v->set_num_txs(static_cast<std::uint32_t>(block->txs.size()));
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueryServiceImpl::Proof(grpc::CallbackServerContext* ctx, const q::ProofRequest* req,
                                                  q::ProofResponse* resp) {
    if (req->key().empty()) return finish(ctx, {grpc::StatusCode::INVALID_ARGUMENT, "key is required"});
    if (req->height() != 0 && req->height() != app_.lastHeight())
        return finish(ctx, {grpc::StatusCode::UNIMPLEMENTED, "proofs at past heights are not served yet"});
    const Bytes key(req->key().begin(), req->key().end());
    return finish(ctx, fillState(app_, key, true, resp->mutable_state()));
}

}  // namespace agora::node
