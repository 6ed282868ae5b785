#pragma once
// TxBroadcaster: the gRPC face of node/submit/TxSubmitter, the Broadcast
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
#include "node/submit/TxSubmitter.h"

namespace agora::node {

class TxBroadcaster {
public:
    explicit TxBroadcaster(TxSubmitter& submitter) : submitter_(submitter) {}

    // Decodes (once) and admits against the latest committed state.
    AdmitResult admit(const std::string& txBytes);

    // Runs a Broadcast call on a tx already decoded: fills resp and finishes the returned reactor.
    grpc::ServerUnaryReactor* broadcast(grpc::CallbackServerContext* ctx, const TxRef& tx,
                                        agora::tx::v1::BroadcastMode mode, agora::tx::v1::BroadcastResponse* resp);
    // The same from the request's bytes.
    grpc::ServerUnaryReactor* broadcast(grpc::CallbackServerContext* ctx, const std::string& txBytes,
                                        agora::tx::v1::BroadcastMode mode, agora::tx::v1::BroadcastResponse* resp);

    TxSubmitter& submitter() { return submitter_; }

private:
    TxSubmitter& submitter_;
};

}  // namespace agora::node
