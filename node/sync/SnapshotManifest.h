#pragma once
// What a node serves about one state snapshot (docs/sync.md, "State sync"):
// the height, the block id and app_hash it was taken at, how it is cut into
// chunks, and the Application's chain record at that height (validator sets,
// pending updates, the height's commit certificate), which a restoring node
// needs besides the state and checks against trusted headers.
//
//   format u8 = 1 || height u64 || block id (32) || app hash (32) || depth u8
//   || keys u64 || bytes u64 || chain record bytes (varint length)
//
// Node-level and canonical (strict decoding) but never hashed or signed:
// nothing in it is trusted before the restoring node has checked it.

#include <cstdint>

#include "consensus/core/Bytes.h"
#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"

namespace agora::node {

struct SnapshotManifest {
    static constexpr std::uint8_t kFormat = 1;
    static constexpr std::size_t kChainRecordBytesMax = 4 * 1024 * 1024;

    std::uint64_t height = 0;
    Hash256 blockId;
    Hash256 appHash;
    std::uint8_t depth = 0;   // 2^depth chunks (consensus/state/StateChunk.h)
    std::uint64_t keys = 0;   // state keys in the snapshot
    std::uint64_t bytes = 0;  // encoded size of all chunks
    Bytes chainRecord;        // canonical ChainRecord (node/app/Application.h)

    std::uint32_t chunkCount() const { return std::uint32_t{1} << depth; }

    void encodeTo(Writer& w) const;
    static SnapshotManifest decodeFrom(Reader& r);
    bool operator==(const SnapshotManifest&) const = default;
};

}  // namespace agora::node
