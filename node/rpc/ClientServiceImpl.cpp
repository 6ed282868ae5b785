#include "node/rpc/ClientServiceImpl.h"

#include "node/rpc/ActionAdmission.h"

namespace agora::node {

#define AGORA_ACTION(Rpc, ...)                                                                                       \
    grpc::ServerUnaryReactor* ClientServiceImpl::Rpc(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) { \
        return admitAction(broadcaster_, ctx, req, resp, "ClientService." #Rpc, {__VA_ARGS__});                      \
    }

AGORA_ACTION(CreateJob, MsgType::JobCreate)
AGORA_ACTION(CancelJob, MsgType::JobCancel)
AGORA_ACTION(AcceptBid, MsgType::BidAccept)
AGORA_ACTION(LeaseOffer, MsgType::LeaseFromOffer)
AGORA_ACTION(TopUp, MsgType::LeaseTopUp, MsgType::LeaseSetAutoTopUp)
AGORA_ACTION(CloseLease, MsgType::LeaseClose)
AGORA_ACTION(Settle, MsgType::LeaseSettle)

#undef AGORA_ACTION

}  // namespace agora::node
