#include "node/sync/BlockSyncService.h"

#include <algorithm>

namespace agora::node {

namespace pb = agora::p2p::v1;

namespace {
std::string str(ByteSpan b) {
    return std::string(b.begin(), b.end());
}
}  // namespace

BlockSyncService::BlockSyncService(const Application& app, EvidenceSink evidence)
    : app_(app), evidence_(std::move(evidence)), genesisHash_(app.genesis().hash()) {}

grpc::Status BlockSyncService::GetStatus(grpc::ServerContext*, const pb::SyncStatusRequest*,
                                         pb::SyncStatusResponse* resp) {
    const auto& blocks = app_.blocks();
    const std::uint64_t height = blocks.latestHeight();
    resp->set_chain_id(app_.genesis().genesis.chainId);
    resp->set_genesis_hash(str(genesisHash_.span()));
    resp->set_height(height);
    if (height > 0) {
        if (auto b = blocks.block(height)) resp->set_latest_block_id(str(b->id().span()));
    }
    resp->set_earliest_height(blocks.baseHeight());
    return grpc::Status::OK;
}

grpc::Status BlockSyncService::GetBlocks(grpc::ServerContext* ctx, const pb::GetBlocksRequest* req,
                                         grpc::ServerWriter<pb::SyncedBlock>* writer) {
    const auto& blocks = app_.blocks();
    if (req->from_height() == 0) return {grpc::StatusCode::INVALID_ARGUMENT, "from_height must be >= 1"};
    const std::uint32_t max =
        std::min(req->max_blocks() == 0 ? kMaxBlocksPerCall : req->max_blocks(), kMaxBlocksPerCall);
    const std::uint64_t latest = blocks.latestHeight();
    std::size_t sent = 0;
    for (std::uint64_t h = req->from_height(); h <= latest && h - req->from_height() < max; ++h) {
        if (ctx->IsCancelled()) return {grpc::StatusCode::CANCELLED, "cancelled"};
        auto block = blocks.blockBytes(h);
        auto cert = blocks.commit(h);
        if (!block || !cert) {
            if (h < blocks.baseHeight()) return {grpc::StatusCode::OUT_OF_RANGE, "height pruned"};
            return {grpc::StatusCode::INTERNAL, "block " + std::to_string(h) + " is missing"};
        }
        const Bytes certBytes = encode(*cert);
        // Always send at least one block, so progress is possible.
        if (sent > 0 && sent + block->size() + certBytes.size() > kMaxBytesPerCall) break;
        sent += block->size() + certBytes.size();
        pb::SyncedBlock msg;
        msg.set_height(h);
        msg.set_block(str(*block));
        msg.set_commit_certificate(str(certBytes));
        if (!writer->Write(msg)) break;
    }
    return grpc::Status::OK;
}

grpc::Status BlockSyncService::SubmitEvidence(grpc::ServerContext*, const pb::SubmitEvidenceRequest* req,
                                              pb::SubmitEvidenceResponse* resp) {
    auto ev = decode<DuplicateVoteEvidence>(asBytes(req->evidence()));
    if (!ev) return {grpc::StatusCode::INVALID_ARGUMENT, "evidence does not decode: " + ev.error().message()};
    if (!evidence_) return {grpc::StatusCode::UNIMPLEMENTED, "this node takes no evidence"};
    auto added = evidence_(*ev);
    if (!added) return {grpc::StatusCode::INVALID_ARGUMENT, added.error()};
    resp->set_added(*added);
    return grpc::Status::OK;
}

}  // namespace agora::node
