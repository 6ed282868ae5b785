#pragma once
// agora.query.v1.QueryService: reads committed state and blocks. Every call
// reads one immutable snapshot or point lookups; none touches consensus.
// Implemented: Status, Account (with optional proof), Block, Proof.
// The marketplace queries (providers, jobs, bids, leases, escrow,
// reputation, validators, params) come with the rest of issue 5 and answer
// UNIMPLEMENTED until then.

#include <functional>

#include "agora/query/v1/query.grpc.pb.h"
#include "node/app/Application.h"
#include "node/consensus/ConsensusDriver.h"

namespace agora::node {

class QueryServiceImpl final : public agora::query::v1::QueryService::CallbackService {
public:
    QueryServiceImpl(Application& app, std::function<ConsensusStatus()> consensus, std::string nodeId)
        : app_(app), consensus_(std::move(consensus)), nodeId_(std::move(nodeId)) {}

    grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* ctx, const agora::query::v1::StatusRequest* req,
                                     agora::query::v1::StatusResponse* resp) override;
    grpc::ServerUnaryReactor* Account(grpc::CallbackServerContext* ctx, const agora::query::v1::AccountRequest* req,
                                      agora::query::v1::AccountResponse* resp) override;
    grpc::ServerUnaryReactor* Block(grpc::CallbackServerContext* ctx, const agora::query::v1::BlockRequest* req,
                                    agora::query::v1::BlockResponse* resp) override;
    grpc::ServerUnaryReactor* Proof(grpc::CallbackServerContext* ctx, const agora::query::v1::ProofRequest* req,
                                    agora::query::v1::ProofResponse* resp) override;

private:
    Application& app_;
    std::function<ConsensusStatus()> consensus_;
    std::string nodeId_;
};

}  // namespace agora::node
