#include "node/rpc/StakingServiceImpl.h"

#include "node/query/StateQueries.h"
#include "node/rpc/ActionAdmission.h"
#include "node/rpc/QueryStatus.h"

namespace agora::node {

#define AGORA_ACTION(Rpc, ...)                                                                                        \
    grpc::ServerUnaryReactor* StakingServiceImpl::Rpc(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) { \
        return admitAction(broadcaster_, ctx, req, resp, "StakingService." #Rpc, {__VA_ARGS__});                      \
    }

AGORA_ACTION(CreateValidator, MsgType::CreateValidator)
AGORA_ACTION(EditValidator, MsgType::EditValidator)
AGORA_ACTION(Delegate, MsgType::Delegate)
AGORA_ACTION(Unbond, MsgType::Undelegate)
AGORA_ACTION(Unjail, MsgType::Unjail)

#undef AGORA_ACTION

grpc::ServerUnaryReactor* StakingServiceImpl::Validators(grpc::CallbackServerContext* ctx,
                                                         const agora::staking::v1::ValidatorsRequest* req,
                                                         agora::staking::v1::ValidatorsResponse* resp) {
    return finishQuery(ctx, [&]() -> grpc::Status {
        StateQueries q(app_.snapshot());
        auto page = q.validators(req->include_jailed(), pageSpec(asBytes(req->page().key()), req->page().limit()));
        if (!page) return toStatus(page.error());
        for (const auto& v : page->items) {
            auto* out = resp->add_validators();
            out->set_operator_(v.operatorAddress.toBech32(kValidatorPrefix));
            out->set_consensus_key(std::string(v.consensusKey.bytes().begin(), v.consensusKey.bytes().end()));
            out->set_moniker(v.moniker);
            out->set_tokens(v.tokens.toString());
            out->set_power(v.power);
            out->set_commission_bps(v.commissionBps);
            out->set_jailed(v.jailed);
            out->set_tombstoned(v.tombstoned);
            out->set_jailed_until(v.jailedUntil);
        }
        resp->mutable_page()->set_next_key(std::string(page->nextKey.begin(), page->nextKey.end()));
        return grpc::Status::OK;
    });
}

}  // namespace agora::node
