#include "node/rpc/ProviderServiceImpl.h"

#include "node/rpc/ActionAdmission.h"

namespace agora::node {

#define AGORA_ACTION(Rpc, ...)                                                                                         \
    grpc::ServerUnaryReactor* ProviderServiceImpl::Rpc(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) { \
        return admitAction(broadcaster_, ctx, req, resp, "ProviderService." #Rpc, {__VA_ARGS__});                      \
    }

AGORA_ACTION(Register, MsgType::ProviderRegister)
AGORA_ACTION(Update, MsgType::ProviderUpdate)
AGORA_ACTION(SetOffer, MsgType::OfferSet)
AGORA_ACTION(RemoveOffer, MsgType::OfferRemove)
AGORA_ACTION(PlaceBid, MsgType::BidPlace)
AGORA_ACTION(WithdrawBid, MsgType::BidWithdraw)
AGORA_ACTION(ReportUsage, MsgType::UsageReport)
AGORA_ACTION(CloseLease, MsgType::LeaseClose)
AGORA_ACTION(WithdrawEarnings, MsgType::ProviderWithdraw)
AGORA_ACTION(Unbond, MsgType::ProviderUnbond)

#undef AGORA_ACTION

}  // namespace agora::node
