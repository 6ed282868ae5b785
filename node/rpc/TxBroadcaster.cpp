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
    CommitReactor(CommitWaiters& waiters, BroadcastResponse* resp) : waiters_(waiters), resp_(resp) {}

    void start(const Hash256& hash) {
        // Registered before the tx can commit (the caller admits after this).
        ticket_ = waiters_.wait(hash, [this, hash](const CommittedTx& c) {
            resp_->set_code(c.code);
            resp_->set_message(c.message);
            resp_->set_height(c.height);
            fillTxResult(TxOutcome{c.code, c.feeCharged, c.message, c.events}, c.height, hash, resp_->mutable_result());
            finishOnce(grpc::Status::OK);
        });
    }
    void abandon(const grpc::Status& status) {
        if (waiters_.cancel(ticket_)) finishOnce(status);
    }
    void OnCancel() override { abandon(grpc::Status::CANCELLED); }
    void OnDone() override { delete this; }

private:
    void finishOnce(const grpc::Status& s) {
        if (!finished_.exchange(true)) Finish(s);
    }
    CommitWaiters& waiters_;
    BroadcastResponse* resp_;
    std::uint64_t ticket_ = 0;
    std::atomic<bool> finished_{false};
};

}  // namespace

AdmitResult TxBroadcaster::admit(const std::string& txBytes) {
    const auto view = ledger_();
    return mempool_.add(asBytes(txBytes), *view);
}

grpc::ServerUnaryReactor* TxBroadcaster::broadcast(grpc::CallbackServerContext* ctx, const std::string& txBytes,
                                                   agora::tx::v1::BroadcastMode mode, BroadcastResponse* resp) {
    if (!agora::tx::v1::BroadcastMode_IsValid(mode)) {
        auto* reactor = ctx->DefaultReactor();
        reactor->Finish(agoraError(ctx, static_cast<std::uint16_t>(RpcCode::UnknownBroadcastMode),
                                   "unknown broadcast mode " + std::to_string(static_cast<int>(mode)) +
                                       " (use BROADCAST_MODE_SYNC or BROADCAST_MODE_COMMIT)"));
        return reactor;
    }
    if (mode == agora::tx::v1::BROADCAST_MODE_COMMIT) {
        auto* reactor = new CommitReactor(waiters_, resp);
        const Hash256 hash = sha256(asBytes(txBytes));
        resp->set_tx_hash(hashBytes(hash));
        reactor->start(hash);
        const AdmitResult r = admit(txBytes);
        // Already pending (e.g. a retry): keep waiting for the same tx.
        if (!r.ok() && r.code != static_cast<std::uint16_t>(AdmitCode::Duplicate))
            reactor->abandon(agoraError(ctx, r.code, r.message));
        return reactor;
    }
    auto* reactor = ctx->DefaultReactor();
    const AdmitResult r = admit(txBytes);
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
