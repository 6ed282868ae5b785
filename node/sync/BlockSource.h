#pragma once
// BlockSource: one peer as seen by the block syncer. The gRPC client
// (GrpcBlockSource) implements it over agora.p2p.v1.BlockSync; tests use
// fakes. Nothing a source returns is trusted: BlockSyncer verifies every
// block and certificate before applying it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"

namespace agora::node {

struct SyncPeerStatus {
    std::string chainId;
    Hash256 genesisHash;
    std::uint64_t height = 0;
    std::uint64_t earliestHeight = 0;
};

struct SyncedBlockData {
    std::uint64_t height = 0;
    Bytes block;        // canonical Block bytes
    Bytes certificate;  // canonical CommitCertificate
};

class BlockSource {
public:
    virtual ~BlockSource() = default;
    virtual Expected<SyncPeerStatus, std::string> status() = 0;
    // Up to `max` consecutive blocks from `from` (fewer at the peer's tip).
    virtual Expected<std::vector<SyncedBlockData>, std::string> blocks(std::uint64_t from, std::uint32_t max) = 0;
};

// Makes the source for a "host:port" address.
using BlockSourceFactory = std::function<std::unique_ptr<BlockSource>(const std::string& address)>;

}  // namespace agora::node
