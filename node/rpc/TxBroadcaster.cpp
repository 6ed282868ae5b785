#include "node/rpc/TxBroadcaster.h"

#include "node/chain/BlockResults.h"
#include "node/rpc/TxResultProto.h"

#include <atomic>

#include "node/rpc/GrpcStatus.h"

namespace agora::node {

using agora::tx::v1::BroadcastResponse;

namespace {

std::string hashBytes(const Hash256& h) {
    return std::string(h.bytes().begin(), h.bytes().end());
}

// A commit-mode broadcast: finishes once, on commit or on cancellation.
class CommitReactor final : public grpc::ServerUnaryReactor {
public:
    CommitReactor(TxSubmitter& submitter, BroadcastResponse* resp) : submitter_(submitter), resp_(resp) {}

    // Registers the wait, then admits; a refusal finishes the call with its status.
    void start(grpc::CallbackServerContext* ctx, const TxRef& tx) {
        const Hash256 hash = tx->hash;
        resp_->set_tx_hash(hashBytes(hash));
        auto waiting = submitter_.admitAndWait(tx, [this, hash](const CommittedTx& c) {
            resp_->set_code(c.code);
            resp_->set_message(c.message);
            resp_->set_height(c.height);
            fillTxResult(TxOutcome{c.code, c.feeCharged, c.message, c.events}, c.height, hash, resp_->mutable_result());
            finishOnce(grpc::Status::OK);
        });
        ticket_ = waiting.ticket;
        if (ticket_ == 0) finishOnce(agoraError(ctx, waiting.admitted.code, waiting.admitted.message));
    }
    void OnCancel() override {
        if (submitter_.cancel(ticket_)) finishOnce(grpc::Status::CANCELLED);
    }
    void OnDone() override { delete this; }

private:
    void finishOnce(const grpc::Status& s) {
        if (!finished_.exchange(true)) Finish(s);
    }
    TxSubmitter& submitter_;
    BroadcastResponse* resp_;
    std::uint64_t ticket_ = 0;
    std::atomic<bool> finished_{false};
};

}  // namespace

AdmitResult TxBroadcaster::admit(const std::string& txBytes) {
    auto tx = TxSubmitter::decode(asBytes(txBytes));
    if (!tx) return tx.error();
    return submitter_.admit(*tx);
}

grpc::ServerUnaryReactor* TxBroadcaster::broadcast(grpc::CallbackServerContext* ctx, const std::string& txBytes,
                                                   agora::tx::v1::BroadcastMode mode, BroadcastResponse* resp) {
    auto tx = TxSubmitter::decode(asBytes(txBytes));
    if (!tx) {
        auto* reactor = ctx->DefaultReactor();
        reactor->Finish(agoraError(ctx, tx.error().code, tx.error().message));
        return reactor;
    }
    return broadcast(ctx, *tx, mode, resp);
}

grpc::ServerUnaryReactor* TxBroadcaster::broadcast(grpc::CallbackServerContext* ctx, const TxRef& tx,
                                                   agora::tx::v1::BroadcastMode mode, BroadcastResponse* resp) {
    if (!agora::tx::v1::BroadcastMode_IsValid(mode)) {
        auto* reactor = ctx->DefaultReactor();
        reactor->Finish(agoraError(ctx, static_cast<std::uint16_t>(RpcCode::UnknownBroadcastMode),
                                   "unknown broadcast mode " + std::to_string(static_cast<int>(mode)) +
                                       " (use BROADCAST_MODE_SYNC or BROADCAST_MODE_COMMIT)"));
        return reactor;
    }
    if (mode == agora::tx::v1::BROADCAST_MODE_COMMIT) {
        auto* reactor = new CommitReactor(submitter_, resp);
        reactor->start(ctx, tx);
        return reactor;
    }
    auto* reactor = ctx->DefaultReactor();
    const AdmitResult r = submitter_.admit(tx);
    if (!r.ok()) {
        reactor->Finish(agoraError(ctx, r.code, r.message));
        return reactor;
    }
    resp->set_tx_hash(hashBytes(r.txHash));
    resp->set_code(0);
    reactor->Finish(grpc::Status::OK);
    return reactor;
}

}  // namespace agora::node
