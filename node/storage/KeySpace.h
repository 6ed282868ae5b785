#pragma once
// The key spaces of the node's one LevelDB database: the first byte of every
// key says who owns it (docs/state.md, "Key spaces"). Prefixes are never
// reused or renumbered: a database written by one build is read by the next.

#include <cstdint>

namespace agora::node::keyspace {

// 0x00-0x0F belong to the state store (LevelDbStateStore); writes from
// anyone else into this range are refused.
inline constexpr std::uint8_t kStateMeta = 0x01;   // {0x01} -> commit record (latest version, root)
inline constexpr std::uint8_t kStateValue = 0x02;  // 0x02 || state key -> value at the latest version
inline constexpr std::uint8_t kTreeNode = 0x03;    // 0x03 || NodeKey -> encoded TreeNode
inline constexpr std::uint8_t kTreeRoot = 0x04;    // 0x04 || version (u64 BE) -> encoded ChildRef
inline constexpr std::uint8_t kTreeStale = 0x05;   // 0x05 || staleSince (u64 BE) || NodeKey -> ""
inline constexpr std::uint8_t kStateReservedEnd = 0x10;

// 0x10 and up belong to the rest of the node (block store, tx index, ...),
// allocated here as they are added.
inline constexpr std::uint8_t kNodeFirst = 0x10;
inline constexpr std::uint8_t kBlockByHeight = 0x10;    // 0x10 || height -> Block bytes
inline constexpr std::uint8_t kHeightByHash = 0x11;     // 0x11 || block id -> height
inline constexpr std::uint8_t kCommitByHeight = 0x12;   // 0x12 || height -> CommitCertificate deciding it
inline constexpr std::uint8_t kTxIndex = 0x13;          // 0x13 || tx hash -> (height, index)
inline constexpr std::uint8_t kResultsByHeight = 0x14;  // 0x14 || height -> BlockResults
inline constexpr std::uint8_t kBlockMeta = 0x15;        // 0x15 -> (base height, latest height)
inline constexpr std::uint8_t kChainRecord = 0x16;      // 0x16 -> ChainRecord (consensus state for the next height)
inline constexpr std::uint8_t kEvidenceByHeight =
    0x17;  // 0x17 || height || index -> committed evidence (EvidenceIndex)

}  // namespace agora::node::keyspace
