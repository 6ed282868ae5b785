#include "node/query/ChainQueries.h"

#include <algorithm>

namespace agora::node {

NodeStatusView nodeStatus(const Application& app, const ConsensusStatus& consensus, std::string nodeId) {
    NodeStatusView v;
    v.chainId = app.genesis().genesis.chainId;
    v.nodeId = std::move(nodeId);
    v.latestHeight = app.lastHeight();
    v.latestBlockId = app.lastBlockId();
    v.latestAppHash = app.lastAppHash();
    v.latestTimeMs = app.lastTimeMs();
    v.earliestHeight = app.blocks().baseHeight();
    v.catchingUp = consensus.catchingUp;
    v.consensus = consensus;
    return v;
}

QueryResult<Block> blockAt(const BlockStore& blocks, std::uint64_t height) {
    auto raw = blocks.blockBytes(height);
    if (!raw) return Unexpected(QueryError{QueryErrorKind::NotFound, "no block at height " + std::to_string(height)});
    auto block = decodeBlock(*raw);
    if (!block)
        return Unexpected(QueryError{QueryErrorKind::DataLoss,
                                     "stored block at height " + std::to_string(height) + " does not decode"});
    return std::move(*block);
}

QueryResult<Block> blockById(const BlockStore& blocks, const Hash256& id) {
    auto h = blocks.heightOf(id);
    if (!h) return Unexpected(QueryError{QueryErrorKind::NotFound, "no block with hash " + id.toHex()});
    return blockAt(blocks, *h);
}

QueryResult<BlockList> listBlocks(const BlockStore& blocks, std::uint64_t maxHeight, std::uint64_t limit) {
    if (limit == 0 || limit > kMaxBlockListLimit)
        return Unexpected(
            QueryError{QueryErrorKind::InvalidArgument, "limit must be 1.." + std::to_string(kMaxBlockListLimit)});
    const std::uint64_t latest = blocks.latestHeight();
    if (maxHeight == 0) maxHeight = latest;
    const std::uint64_t base = std::max<std::uint64_t>(blocks.baseHeight(), 1);
    BlockList out;
    std::uint64_t h = std::min(maxHeight, latest);
    for (; h >= base && h > 0 && out.blocks.size() < limit; --h) {
        auto block = blocks.block(h);
        if (!block)
            return Unexpected(QueryError{QueryErrorKind::DataLoss, "block " + std::to_string(h) + " is not readable"});
        out.blocks.push_back(std::move(*block));
    }
    out.nextMaxHeight = h >= base ? h : 0;
    return out;
}

}  // namespace agora::node
