#pragma once
// GrpcBlockSource: a peer's agora.p2p.v1.BlockSync service as a BlockSource.
// Every call has a deadline, and a response larger than the limits below is
// refused, so a slow or hostile peer cannot stall or flood the syncer.

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "agora/p2p/v1/sync.grpc.pb.h"
#include "node/config/SizeBudget.h"
#include "node/sync/BlockSource.h"

namespace agora::node {

// Block and certificate bytes per GetBlocks answer, both sides (at least one block).
inline constexpr std::size_t kBlockSyncBytesPerCall = 8 * 1024 * 1024;

struct GrpcBlockSourceOptions {
    std::uint32_t statusDeadlineMs = 2'000;
    std::uint32_t blocksDeadlineMs = 30'000;
    // One SyncedBlock message: a block of the block limit with its certificate.
    std::uint32_t maxMessageBytes = budget::kSyncedBlockMessageBytesMax;
    // Block and certificate bytes taken from one GetBlocks answer (at least
    // one block): the serving side's own bound (BlockSyncService). A peer
    // streaming more is cut off there, so it cannot fill our memory.
    std::size_t maxBytesPerCall = kBlockSyncBytesPerCall;
};

class GrpcBlockSource final : public BlockSource {
public:
    GrpcBlockSource(const std::string& address, GrpcBlockSourceOptions options);

    Expected<SyncPeerStatus, std::string> status() override;
    Expected<std::vector<SyncedBlockData>, std::string> blocks(std::uint64_t from, std::uint32_t max) override;
    // Hands evidence to the peer's pool (tests and tools; the p2p layer gossips it).
    Expected<bool, std::string> submitEvidence(const Bytes& evidence);

private:
    GrpcBlockSourceOptions options_;
    std::unique_ptr<agora::p2p::v1::BlockSync::Stub> stub_;
};

}  // namespace agora::node
