#include "node/rpc/TxServiceImpl.h"

#include <atomic>

#include "node/rpc/GrpcStatus.h"

namespace agora::node {

using agora::tx::v1::BroadcastRequest;
using agora::tx::v1::BroadcastResponse;

AdmitResult TxServiceImpl::admit(const std::string& txBytes) {
    const auto view = ledger_();
    return mempool_.add(asBytes(txBytes), *view);
}

namespace {

std::string hashBytes(const Hash256& h) { return std::string(h.bytes().begin(), h.bytes().end()); }

// A commit-mode broadcast: finishes once, on commit or on cancellation.
class CommitReactor final : public grpc::ServerUnaryReactor {
public:
    CommitReactor(CommitWaiters& waiters, BroadcastResponse* resp) : waiters_(waiters), resp_(resp) {}

    void start(const Hash256& hash) {
        // Registered before the tx can commit (the caller admits after this).
        ticket_ = waiters_.wait(hash, [this](const CommittedTx& c) {
            resp_->set_code(c.code);
            resp_->set_message(c.message);
            resp_->set_height(c.height);
            auto* r = resp_->mutable_result();
            r->set_code(c.code);
            r->set_message(c.message);
            r->set_fee_charged(c.feeCharged);
            r->set_codespace(c.code == 0 ? "ok" : (c.code < 200 ? "malformed" : (c.code < 300 ? "rejected" : "failed")));
            for (const auto& e : c.events) {
                auto* ev = r->add_events();
                ev->set_type(e.type);
                ev->set_height(c.height);
                for (const auto& a : e.attributes) {
                    auto* attr = ev->add_attributes();
                    attr->set_key(a.key);
                    attr->set_value(a.value);
                }
            }
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

grpc::ServerUnaryReactor* TxServiceImpl::Broadcast(grpc::CallbackServerContext* ctx, const BroadcastRequest* req,
                                                   BroadcastResponse* resp) {
    if (req->mode() == agora::tx::v1::BROADCAST_MODE_COMMIT) {
        auto* reactor = new CommitReactor(waiters_, resp);
        const Hash256 hash = sha256(asBytes(req->tx()));
        resp->set_tx_hash(hashBytes(hash));
        reactor->start(hash);
        const AdmitResult r = admit(req->tx());
        // Already pending (e.g. a retry): keep waiting for the same tx.
        if (!r.ok() && r.code != static_cast<std::uint16_t>(AdmitCode::Duplicate))
            reactor->abandon(agoraError(ctx, r.code, r.message));
        return reactor;
    }
    auto* reactor = ctx->DefaultReactor();
    const AdmitResult r = admit(req->tx());
    if (!r.ok()) {
        reactor->Finish(agoraError(ctx, r.code, r.message));
        return reactor;
    }
    resp->set_tx_hash(hashBytes(r.txHash));
    resp->set_code(0);
    reactor->Finish(grpc::Status::OK);
    return reactor;
}

namespace {

class StreamReactor final : public grpc::ServerBidiReactor<BroadcastRequest, BroadcastResponse> {
public:
    explicit StreamReactor(TxServiceImpl& svc) : svc_(svc) { StartRead(&req_); }

    void OnReadDone(bool ok) override {
        if (!ok) {  // client finished sending
            Finish(grpc::Status::OK);
            return;
        }
        resp_.Clear();
        const AdmitResult r = svc_.admit(req_.tx());
        resp_.set_tx_hash(std::string(r.txHash.bytes().begin(), r.txHash.bytes().end()));
        resp_.set_code(r.code);
        resp_.set_message(r.message);
        StartWrite(&resp_);
    }
    void OnWriteDone(bool ok) override {
        if (!ok) {
            Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream write failed"));
            return;
        }
        StartRead(&req_);
    }
    void OnDone() override { delete this; }

private:
    TxServiceImpl& svc_;
    BroadcastRequest req_;
    BroadcastResponse resp_;
};

}  // namespace

grpc::ServerBidiReactor<BroadcastRequest, BroadcastResponse>* TxServiceImpl::BroadcastStream(
    grpc::CallbackServerContext*) {
    return new StreamReactor(*this);
}

}  // namespace agora::node
