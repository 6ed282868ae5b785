#pragma once
// agora.query.v1.QueryService: reads committed state and blocks. Every call
// reads ONE immutable state snapshot (so all parts of an answer, and its
// proof, belong to one height) or point lookups in the block store; none
// touches consensus. Ledger reads go through the service layer
// (node/query/StateQueries, shared with the HTTP gateway); replies carry the
// typed records of node/views (toProto), never JSON (docs/rpc.md lists every
// RPC, its errors and the pagination rules).
//
// QueryOptions.height must be 0 (latest) or the latest height: historical
// state is not served (UNIMPLEMENTED). QueryOptions.prove adds the state
// value's Merkle proof against the app_hash of that height.

#include <functional>
#include <optional>

#include "agora/query/v1/query.grpc.pb.h"
#include "node/app/Application.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/query/StateQueries.h"

namespace agora::node {

class QueryServiceImpl final : public agora::query::v1::QueryService::CallbackService {
public:
    // pendingNonce: the mempool's next nonce for a sender (nullopt: none
    // pending); empty when the service runs without a mempool.
    QueryServiceImpl(Application& app, std::function<ConsensusStatus()> consensus, std::string nodeId,
                     PendingNonce pendingNonce = {})
        : app_(app),
          consensus_(std::move(consensus)),
          nodeId_(std::move(nodeId)),
          pendingNonce_(std::move(pendingNonce)) {}

    grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* ctx, const agora::query::v1::StatusRequest* req,
                                     agora::query::v1::StatusResponse* resp) override;
    grpc::ServerUnaryReactor* Account(grpc::CallbackServerContext* ctx, const agora::query::v1::AccountRequest* req,
                                      agora::query::v1::AccountResponse* resp) override;
    grpc::ServerUnaryReactor* Provider(grpc::CallbackServerContext* ctx, const agora::query::v1::ProviderRequest* req,
                                       agora::query::v1::ProviderResponse* resp) override;
    grpc::ServerUnaryReactor* ListProviders(grpc::CallbackServerContext* ctx,
                                            const agora::query::v1::ListProvidersRequest* req,
                                            agora::query::v1::ListProvidersResponse* resp) override;
    grpc::ServerUnaryReactor* Job(grpc::CallbackServerContext* ctx, const agora::query::v1::JobRequest* req,
                                  agora::query::v1::JobResponse* resp) override;
    grpc::ServerUnaryReactor* OpenJobs(grpc::CallbackServerContext* ctx, const agora::query::v1::OpenJobsRequest* req,
                                       agora::query::v1::OpenJobsResponse* resp) override;
    grpc::ServerUnaryReactor* Bids(grpc::CallbackServerContext* ctx, const agora::query::v1::BidsRequest* req,
                                   agora::query::v1::BidsResponse* resp) override;
    grpc::ServerUnaryReactor* Lease(grpc::CallbackServerContext* ctx, const agora::query::v1::LeaseRequest* req,
                                    agora::query::v1::LeaseResponse* resp) override;
    grpc::ServerUnaryReactor* Leases(grpc::CallbackServerContext* ctx, const agora::query::v1::LeasesRequest* req,
                                     agora::query::v1::LeasesResponse* resp) override;
    grpc::ServerUnaryReactor* Escrow(grpc::CallbackServerContext* ctx, const agora::query::v1::EscrowRequest* req,
                                     agora::query::v1::EscrowResponse* resp) override;
    grpc::ServerUnaryReactor* Reputation(grpc::CallbackServerContext* ctx,
                                         const agora::query::v1::ReputationRequest* req,
                                         agora::query::v1::ReputationResponse* resp) override;
    grpc::ServerUnaryReactor* Validators(grpc::CallbackServerContext* ctx,
                                         const agora::query::v1::ValidatorsRequest* req,
                                         agora::query::v1::ValidatorsResponse* resp) override;
    grpc::ServerUnaryReactor* Params(grpc::CallbackServerContext* ctx, const agora::query::v1::ParamsRequest* req,
                                     agora::query::v1::ParamsResponse* resp) override;
    grpc::ServerUnaryReactor* Block(grpc::CallbackServerContext* ctx, const agora::query::v1::BlockRequest* req,
                                    agora::query::v1::BlockResponse* resp) override;
    grpc::ServerUnaryReactor* Blocks(grpc::CallbackServerContext* ctx, const agora::query::v1::BlocksRequest* req,
                                     agora::query::v1::BlocksResponse* resp) override;
    grpc::ServerUnaryReactor* Proof(grpc::CallbackServerContext* ctx, const agora::query::v1::ProofRequest* req,
                                    agora::query::v1::ProofResponse* resp) override;
    grpc::ServerUnaryReactor* Evidence(grpc::CallbackServerContext* ctx, const agora::query::v1::EvidenceRequest* req,
                                       agora::query::v1::EvidenceResponse* resp) override;
    grpc::ServerUnaryReactor* ClientRecord(grpc::CallbackServerContext* ctx,
                                           const agora::query::v1::ClientRecordRequest* req,
                                           agora::query::v1::ClientRecordResponse* resp) override;
    grpc::ServerUnaryReactor* Proposal(grpc::CallbackServerContext* ctx, const agora::query::v1::ProposalRequest* req,
                                       agora::query::v1::ProposalResponse* resp) override;
    grpc::ServerUnaryReactor* Proposals(grpc::CallbackServerContext* ctx, const agora::query::v1::ProposalsRequest* req,
                                        agora::query::v1::ProposalsResponse* resp) override;

private:
    Application& app_;
    std::function<ConsensusStatus()> consensus_;
    std::string nodeId_;
    PendingNonce pendingNonce_;
};

}  // namespace agora::node
