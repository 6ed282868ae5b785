#pragma once
// agora.tx.v1.TxService over the mempool (callback API: no thread is held
// while a commit-mode broadcast waits for its block).
//
//  Broadcast  sync mode: admitted to the mempool or an error status.
//             commit mode: admitted, then the reply waits until the tx is
//             committed (CommitWaiters) or the client's deadline/cancel.
//             (TxBroadcaster, shared with the action services.)
//  BroadcastStream  one BroadcastResponse per request, in order, sync mode
//             semantics; admission failures are reported in the response
//             (code, message) and the stream goes on.
//  BroadcastBatchStream  the same with 1..kBroadcastBatchMax txs per request
//             and one response (a result per tx) per request; a request
//             outside that range ends the stream with INVALID_ARGUMENT, code
//             603, after the responses to the requests before it.
//  Simulate   executes the tx on a throwaway sandbox over the latest state
//             (TxSimulator); nothing is committed.
//  GetTx      a committed tx by hash: tx index -> block -> stored results.
//
// Simulate and GetTx need the Application; without one they answer UNAVAILABLE.

#include <functional>
#include <memory>

#include "agora/tx/v1/tx.grpc.pb.h"
#include "node/app/Application.h"
#include "node/rpc/TxBroadcaster.h"
#include "node/submit/TxSubmitter.h"

namespace agora::node {

inline constexpr int kBroadcastBatchMax = 1'000;

class TxServiceImpl final : public agora::tx::v1::TxService::CallbackService {
public:
    explicit TxServiceImpl(TxSubmitter& submitter, Application* app = nullptr) : broadcaster_(submitter), app_(app) {}

    grpc::ServerUnaryReactor* Broadcast(grpc::CallbackServerContext* ctx, const agora::tx::v1::BroadcastRequest* req,
                                        agora::tx::v1::BroadcastResponse* resp) override;
    grpc::ServerBidiReactor<agora::tx::v1::BroadcastRequest, agora::tx::v1::BroadcastResponse>* BroadcastStream(
        grpc::CallbackServerContext* ctx) override;
    grpc::ServerBidiReactor<agora::tx::v1::BroadcastBatchRequest, agora::tx::v1::BroadcastBatchResponse>*
    BroadcastBatchStream(grpc::CallbackServerContext* ctx) override;
    grpc::ServerUnaryReactor* Simulate(grpc::CallbackServerContext* ctx, const agora::tx::v1::SimulateRequest* req,
                                       agora::tx::v1::SimulateResponse* resp) override;
    grpc::ServerUnaryReactor* GetTx(grpc::CallbackServerContext* ctx, const agora::tx::v1::GetTxRequest* req,
                                    agora::tx::v1::GetTxResponse* resp) override;

    // Admission shared by both broadcast RPCs.
    AdmitResult admit(const std::string& txBytes) { return broadcaster_.admit(txBytes); }
    // For the action services, which admit exactly like Broadcast.
    TxBroadcaster& broadcaster() { return broadcaster_; }

private:
    TxBroadcaster broadcaster_;
    Application* app_;
};

}  // namespace agora::node
