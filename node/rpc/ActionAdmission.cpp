#include "node/rpc/ActionAdmission.h"

#include <algorithm>

#include "node/rpc/GrpcStatus.h"
#include "node/submit/TxSubmitter.h"

namespace agora::node {

grpc::ServerUnaryReactor* admitAction(TxBroadcaster& broadcaster, grpc::CallbackServerContext* ctx,
                                      const agora::market::v1::SignedTxRequest* req,
                                      agora::tx::v1::BroadcastResponse* resp, std::string_view rpc,
                                      std::initializer_list<MsgType> accepted) {
    auto tx = TxSubmitter::decode(asBytes(req->tx()));
    std::optional<AdmitResult> refusal;
    if (!tx)
        refusal = tx.error();
    else
        refusal = TxSubmitter::checkKinds(**tx, rpc, accepted);
    if (refusal) {
        auto* reactor = ctx->DefaultReactor();
        reactor->Finish(agoraError(ctx, refusal->code, refusal->message));
        return reactor;
    }
    return broadcaster.broadcast(ctx, *tx, req->mode(), resp);
}

}  // namespace agora::node
