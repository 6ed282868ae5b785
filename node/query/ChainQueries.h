#pragma once
// The chain reads of the service layer (design decision 39): the node's
// status, and blocks by height, by id and newest first. Shared by
// QueryService.Status/Block/Blocks and GET /v1/status, /v1/blocks...; the
// adapters make protobuf and JSON of the views.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Block.h"
#include "node/app/Application.h"
#include "node/chain/BlockStore.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/query/QueryTypes.h"

namespace agora::node {

inline constexpr std::string_view kNodeVersion = "agorad 0.1.0";
// Most blocks one block-list page holds, and its default.
inline constexpr std::uint64_t kMaxBlockListLimit = 100;
inline constexpr std::uint64_t kDefaultBlockListLimit = 20;

struct NodeStatusView {
    std::string chainId;
    std::string nodeId;
    std::uint64_t latestHeight = 0;
    Hash256 latestBlockId;
    Hash256 latestAppHash;
    std::uint64_t latestTimeMs = 0;
    std::uint64_t earliestHeight = 0;  // the oldest block kept (pruning)
    bool catchingUp = false;           // block sync running (docs/sync.md)
    ConsensusStatus consensus;
};

NodeStatusView nodeStatus(const Application& app, const ConsensusStatus& consensus, std::string nodeId);

// NotFound when no block is stored at that height (heights start at 1);
// DataLoss when the stored block does not decode.
QueryResult<Block> blockAt(const BlockStore& blocks, std::uint64_t height);
QueryResult<Block> blockById(const BlockStore& blocks, const Hash256& id);

struct BlockList {
    std::vector<Block> blocks;        // newest first
    std::uint64_t nextMaxHeight = 0;  // max_height of the next page; 0 when nothing is left
};
// Newest first from min(maxHeight, latest) (maxHeight 0 = the latest), at
// most `limit` blocks (1..kMaxBlockListLimit, else InvalidArgument), never
// below the oldest block kept.
QueryResult<BlockList> listBlocks(const BlockStore& blocks, std::uint64_t maxHeight, std::uint64_t limit);

}  // namespace agora::node
