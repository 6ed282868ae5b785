#pragma once
// TxBroadcaster: admission of a signed tx to the mempool and the Broadcast
// reply in sync or commit mode, shared by TxService and the action services
// (ProviderService, ClientService, StakingService), so that every way in
// behaves and fails the same (docs/rpc.md, "Errors").
//
//   sync (or unspecified) mode: replies once the tx is admitted, or with an
//        error status carrying the admission code.
//   commit mode: admits, then replies when the tx is committed (height and
//        result) or when the client's deadline passes / it cancels. A tx
//        already pending (duplicate) is waited for as well.
//
// Thread-safe (the mempool and the waiters are).

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "agora/tx/v1/tx.pb.h"
#include "node/mempool/Mempool.h"
#include "node/rpc/CommitWaiters.h"

namespace agora::node {

class TxBroadcaster {
public:
    using LedgerViewSource = std::function<std::shared_ptr<const MempoolLedgerView>()>;

    TxBroadcaster(Mempool& mempool, LedgerViewSource ledger, CommitWaiters& waiters)
        : mempool_(mempool), ledger_(std::move(ledger)), waiters_(waiters) {}

    // Admission against the latest committed state.
    AdmitResult admit(const std::string& txBytes);

    // Runs a Broadcast call: fills resp and finishes the returned reactor.
    grpc::ServerUnaryReactor* broadcast(grpc::CallbackServerContext* ctx, const std::string& txBytes,
                                        agora::tx::v1::BroadcastMode mode, agora::tx::v1::BroadcastResponse* resp);

private:
    Mempool& mempool_;
    LedgerViewSource ledger_;
    CommitWaiters& waiters_;
};

}  // namespace agora::node
