#pragma once
// agora.tx.v1.TxService over the mempool (callback API: no thread is held
// while a commit-mode broadcast waits for its block).
//
//  Broadcast  sync mode: admitted to the mempool or an error status.
//             commit mode: admitted, then the reply waits until the tx is
//             committed (CommitWaiters) or the client's deadline/cancel.
//  BroadcastStream  one BroadcastResponse per request, in order, sync mode
//             semantics; admission failures are reported in the response
//             (code, message) and the stream goes on.
//  Simulate, GetTx  provided by the node once blocks are stored (UNIMPLEMENTED
//             until then).

#include <functional>
#include <memory>

#include "agora/tx/v1/tx.grpc.pb.h"
#include "node/mempool/Mempool.h"
#include "node/rpc/CommitWaiters.h"

namespace agora::node {

class TxServiceImpl final : public agora::tx::v1::TxService::CallbackService {
public:
    using LedgerViewSource = std::function<std::shared_ptr<const MempoolLedgerView>()>;

    TxServiceImpl(Mempool& mempool, LedgerViewSource ledger, CommitWaiters& waiters)
        : mempool_(mempool), ledger_(std::move(ledger)), waiters_(waiters) {}

    grpc::ServerUnaryReactor* Broadcast(grpc::CallbackServerContext* ctx, const agora::tx::v1::BroadcastRequest* req,
                                        agora::tx::v1::BroadcastResponse* resp) override;
    grpc::ServerBidiReactor<agora::tx::v1::BroadcastRequest, agora::tx::v1::BroadcastResponse>* BroadcastStream(
        grpc::CallbackServerContext* ctx) override;

    // Admission shared by both RPCs.
    AdmitResult admit(const std::string& txBytes);

private:
    Mempool& mempool_;
    LedgerViewSource ledger_;
    CommitWaiters& waiters_;
};

}  // namespace agora::node
