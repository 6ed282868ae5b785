#include "node/rpc/ActionAdmission.h"

#include <algorithm>

#include "consensus/core/Tx.h"
#include "node/mempool/Mempool.h"
#include "node/rpc/GrpcStatus.h"

namespace agora::node {

std::optional<ActionRefusal> checkActionTx(ByteSpan txBytes, std::string_view rpc,
                                           std::initializer_list<MsgType> accepted) {
    auto tx = decodeSignedTx(txBytes);
    if (!tx)
        return ActionRefusal{static_cast<std::uint16_t>(AdmitCode::Malformed),
                             "tx does not decode: " + tx.error().message()};
    const auto& msgs = tx->body.msgs;
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        const MsgType kind = msgType(msgs[i]);
        if (std::find(accepted.begin(), accepted.end(), kind) != accepted.end()) continue;
        std::string want;
        for (MsgType a : accepted) want += (want.empty() ? "" : ", ") + std::string(msgTypeName(a));
        return ActionRefusal{static_cast<std::uint16_t>(RpcCode::WrongMessageKind),
                             std::string(rpc) + " accepts only " + want + " messages; message " + std::to_string(i) +
                                 " is " + std::string(msgTypeName(kind)) + " (use its own RPC or TxService.Broadcast)"};
    }
    // No messages at all is the ledger's to refuse (code 101), like Broadcast.
    return std::nullopt;
}

grpc::ServerUnaryReactor* admitAction(TxBroadcaster& broadcaster, grpc::CallbackServerContext* ctx,
                                      const agora::market::v1::SignedTxRequest* req,
                                      agora::tx::v1::BroadcastResponse* resp, std::string_view rpc,
                                      std::initializer_list<MsgType> accepted) {
    if (auto refusal = checkActionTx(asBytes(req->tx()), rpc, accepted)) {
        auto* reactor = ctx->DefaultReactor();
        reactor->Finish(agoraError(ctx, refusal->code, refusal->message));
        return reactor;
    }
    return broadcaster.broadcast(ctx, req->tx(), req->mode(), resp);
}

}  // namespace agora::node
