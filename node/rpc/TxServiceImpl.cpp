#include "node/rpc/TxServiceImpl.h"

#include <functional>
#include <optional>

#include "node/chain/BlockResults.h"
#include "node/chain/TxLookup.h"
#include "node/rpc/GrpcStatus.h"
#include "node/rpc/TxResultProto.h"
#include "node/rpc/TxSimulator.h"

namespace agora::node {

using agora::tx::v1::BroadcastRequest;
using agora::tx::v1::BroadcastResponse;

namespace {

grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* ctx, grpc::Status status) {
    auto* r = ctx->DefaultReactor();
    r->Finish(std::move(status));
    return r;
}

std::string str(ByteSpan b) {
    return std::string(b.begin(), b.end());
}

}  // namespace

grpc::ServerUnaryReactor* TxServiceImpl::Broadcast(grpc::CallbackServerContext* ctx, const BroadcastRequest* req,
                                                   BroadcastResponse* resp) {
    return broadcaster_.broadcast(ctx, req->tx(), req->mode(), resp);
}

namespace {

void setResult(const AdmitResult& r, BroadcastResponse& out) {
    out.set_tx_hash(std::string(r.txHash.bytes().begin(), r.txHash.bytes().end()));
    out.set_code(r.code);
    out.set_message(r.message);
}

// Read a request, answer it, read the next: one request in flight per
// stream, answers in order. `answer` fills the response, or returns the
// status that ends the stream.
template <typename Req, typename Resp>
class AdmitStreamReactor final : public grpc::ServerBidiReactor<Req, Resp> {
public:
    using Answer = std::function<std::optional<grpc::Status>(const Req&, Resp&)>;
    explicit AdmitStreamReactor(Answer answer) : answer_(std::move(answer)) { this->StartRead(&req_); }

    void OnReadDone(bool ok) override {
        if (!ok) {  // client finished sending
            this->Finish(grpc::Status::OK);
            return;
        }
        resp_.Clear();
        if (auto stop = answer_(req_, resp_)) {
            this->Finish(std::move(*stop));
            return;
        }
        this->StartWrite(&resp_);
    }
    void OnWriteDone(bool ok) override {
        if (!ok) {
            this->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream write failed"));
            return;
        }
        this->StartRead(&req_);
    }
    void OnDone() override { delete this; }

private:
    Answer answer_;
    Req req_;
    Resp resp_;
};

}  // namespace

grpc::ServerBidiReactor<BroadcastRequest, BroadcastResponse>* TxServiceImpl::BroadcastStream(
    grpc::CallbackServerContext*) {
    return new AdmitStreamReactor<BroadcastRequest, BroadcastResponse>(
        [this](const BroadcastRequest& req, BroadcastResponse& resp) -> std::optional<grpc::Status> {
            setResult(admit(req.tx()), resp);
            return std::nullopt;
        });
}

grpc::ServerBidiReactor<agora::tx::v1::BroadcastBatchRequest, agora::tx::v1::BroadcastBatchResponse>*
TxServiceImpl::BroadcastBatchStream(grpc::CallbackServerContext* ctx) {
    using agora::tx::v1::BroadcastBatchRequest;
    using agora::tx::v1::BroadcastBatchResponse;
    return new AdmitStreamReactor<BroadcastBatchRequest, BroadcastBatchResponse>(
        [this, ctx](const BroadcastBatchRequest& req, BroadcastBatchResponse& resp) -> std::optional<grpc::Status> {
            const int n = req.txs_size();
            if (n == 0 || n > kBroadcastBatchMax) {
                return agoraError(
                    ctx, static_cast<std::uint16_t>(RpcCode::BatchSize),
                    "a batch carries 1.." + std::to_string(kBroadcastBatchMax) + " txs, got " + std::to_string(n));
            }
            resp.mutable_results()->Reserve(n);
            for (const auto& tx : req.txs()) setResult(admit(tx), *resp.add_results());
            return std::nullopt;
        });
}

grpc::ServerUnaryReactor* TxServiceImpl::Simulate(grpc::CallbackServerContext* ctx,
                                                  const agora::tx::v1::SimulateRequest* req,
                                                  agora::tx::v1::SimulateResponse* resp) {
    if (app_ == nullptr) return finish(ctx, {grpc::StatusCode::UNAVAILABLE, "this server has no chain state"});
    try {
        auto sim =
            simulateTx(*app_, asBytes(req->tx()),
                       {.checkSignature = !req->skip_signature_check(), .allowFutureNonce = req->allow_future_nonce()});
        if (!sim) return finish(ctx, agoraError(ctx, static_cast<std::uint16_t>(AdmitCode::Malformed), sim.error()));
        resp->set_height(sim->height);
        resp->set_tx_hash(str(sim->txHash.span()));
        resp->set_required_fee(sim->requiredFee.micro());
        resp->set_nonce_assumed(sim->nonceAssumed);
        fillTxResult(sim->result, sim->height, sim->txHash, resp->mutable_result());
        return finish(ctx, grpc::Status::OK);
    } catch (const std::exception& e) {
        return finish(ctx, {grpc::StatusCode::INTERNAL, std::string("simulate: ") + e.what()});
    }
}

grpc::ServerUnaryReactor* TxServiceImpl::GetTx(grpc::CallbackServerContext* ctx, const agora::tx::v1::GetTxRequest* req,
                                               agora::tx::v1::GetTxResponse* resp) {
    if (app_ == nullptr) return finish(ctx, {grpc::StatusCode::UNAVAILABLE, "this server has no chain state"});
    auto hash = Hash256::fromSpan(asBytes(req->hash()));
    if (!hash)
        return finish(ctx,
                      {grpc::StatusCode::INVALID_ARGUMENT, "hash must be the 32-byte SHA-256 of the signed tx, got " +
                                                               std::to_string(req->hash().size()) + " bytes"});
    try {
        auto rec = findCommittedTx(app_->blocks(), *hash);
        if (!rec) {
            switch (rec.error().kind) {
                case TxLookupError::NotFound:
                    return finish(ctx, {grpc::StatusCode::NOT_FOUND, rec.error().message});
                case TxLookupError::DataLoss:
                    return finish(ctx, {grpc::StatusCode::DATA_LOSS, rec.error().message});
            }
        }
        resp->set_tx(str(rec->tx));
        resp->set_height(rec->height);
        resp->set_index(rec->index);
        fillTxResult(rec->outcome, rec->height, *hash, resp->mutable_result());
        return finish(ctx, grpc::Status::OK);
    } catch (const std::exception& e) {
        return finish(ctx, {grpc::StatusCode::INTERNAL, std::string("get tx: ") + e.what()});
    }
}

}  // namespace agora::node
