#pragma once
// agora.p2p.v1.BlockSync server (sync API: each call runs on a gRPC thread
// and only reads the block store, which is safe from any thread). Responses
// are bounded: at most kMaxBlocksPerCall blocks and kMaxBytesPerCall bytes of
// block + certificate per GetBlocks call, whatever the request asks.

#include <cstddef>
#include <functional>
#include <string>

#include "agora/p2p/v1/sync.grpc.pb.h"
#include "consensus/core/Evidence.h"
#include "node/app/Application.h"
#include "node/sync/GrpcBlockSource.h"

namespace agora::node {

class BlockSyncService final : public agora::p2p::v1::BlockSync::Service {
public:
    static constexpr std::uint32_t kMaxBlocksPerCall = 128;
    static constexpr std::size_t kMaxBytesPerCall = kBlockSyncBytesPerCall;

    // submitEvidence: verifies and pools evidence; true when newly added,
    // an error message when invalid.
    using EvidenceSink = std::function<Expected<bool, std::string>(const DuplicateVoteEvidence&)>;

    BlockSyncService(const Application& app, EvidenceSink evidence);

    grpc::Status GetStatus(grpc::ServerContext* ctx, const agora::p2p::v1::SyncStatusRequest* req,
                           agora::p2p::v1::SyncStatusResponse* resp) override;
    grpc::Status GetBlocks(grpc::ServerContext* ctx, const agora::p2p::v1::GetBlocksRequest* req,
                           grpc::ServerWriter<agora::p2p::v1::SyncedBlock>* writer) override;
    grpc::Status SubmitEvidence(grpc::ServerContext* ctx, const agora::p2p::v1::SubmitEvidenceRequest* req,
                                agora::p2p::v1::SubmitEvidenceResponse* resp) override;

private:
    const Application& app_;
    EvidenceSink evidence_;
    Hash256 genesisHash_;
};

}  // namespace agora::node
