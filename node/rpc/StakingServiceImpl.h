#pragma once
// agora.staking.v1.StakingService: the staking action RPCs (each takes a
// signed tx whose messages must all be of the RPC's kind, then broadcasts it
// like TxService.Broadcast) and the validator listing.
//
//   CreateValidator create_validator   EditValidator edit_validator
//   Delegate delegate   Unbond undelegate   Unjail unjail
//   Validators   paginated by operator address over the latest state;
//                jailed and tombstoned validators only with include_jailed.

#include "agora/staking/v1/staking.grpc.pb.h"
#include "node/app/Application.h"
#include "node/rpc/TxBroadcaster.h"

namespace agora::node {

class StakingServiceImpl final : public agora::staking::v1::StakingService::CallbackService {
public:
    StakingServiceImpl(Application& app, TxBroadcaster& broadcaster) : app_(app), broadcaster_(broadcaster) {}

    using Req = agora::market::v1::SignedTxRequest;
    using Resp = agora::tx::v1::BroadcastResponse;
    grpc::ServerUnaryReactor* Validators(grpc::CallbackServerContext* ctx,
                                         const agora::staking::v1::ValidatorsRequest* req,
                                         agora::staking::v1::ValidatorsResponse* resp) override;
    grpc::ServerUnaryReactor* CreateValidator(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* EditValidator(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* Delegate(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* Unbond(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* Unjail(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;

private:
    Application& app_;
    TxBroadcaster& broadcaster_;
};

}  // namespace agora::node
