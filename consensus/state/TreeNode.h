#pragma once
// Nodes of the sparse Merkle tree as they are stored (docs/state.md, "Node
// layout"). A node is addressed by the version that wrote it and its position
// (depth and path bits); nodes are never rewritten in place, so every
// committed version's tree stays readable until it is pruned.

#include <cstdint>
#include <variant>

#include "consensus/core/Bytes.h"
#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"

namespace agora::state {

// Longest state value a stored leaf may carry (a decoding bound, not a
// ledger rule: contracts keep values far smaller).
inline constexpr std::size_t kTreeValueMax = std::size_t{16} * 1024 * 1024;
// Depth of the deepest possible leaf: two key hashes differ in one of 256 bits.
inline constexpr unsigned kTreeMaxDepth = 256;

// Where a node lives: version that wrote it, depth (0 = root) and the first
// `depth` bits of the key hashes below it (later bits are zero).
struct NodeKey {
    std::uint64_t version = 0;
    std::uint16_t depth = 0;
    Hash256 path;

    // Encoding: version u64 BE || depth u16 BE || ceil(depth/8) path bytes.
    Bytes encode() const;
    auto operator<=>(const NodeKey&) const = default;
};

// The first `depth` bits of h, the rest zeroed.
Hash256 pathPrefix(const Hash256& h, unsigned depth);
// The path of child `bit` of the node at (depth, path).
Hash256 childPath(const Hash256& path, unsigned depth, bool bit);

// Stable codes; they are part of the node encoding.
enum class NodeKind : std::uint8_t { Empty = 0, Leaf = 1, Internal = 2 };

// A parent's reference to a child: its kind, the version that wrote it (so
// its NodeKey is (version, depth + 1, childPath)) and its hash.
struct ChildRef {
    NodeKind kind = NodeKind::Empty;
    std::uint64_t version = 0;
    Hash256 hash;

    static ChildRef empty();
    void encodeTo(Writer& w) const;
    static ChildRef decodeFrom(Reader& r);
    bool operator==(const ChildRef&) const = default;
};

struct InternalNode {
    ChildRef left;
    ChildRef right;
    Hash256 hash() const;
    bool operator==(const InternalNode&) const = default;
};

// A leaf carries its value so that proofs against older versions can return
// the value as it was then.
struct LeafNode {
    Hash256 keyHash;
    Bytes value;
    Hash256 hash() const;
    bool operator==(const LeafNode&) const = default;
};

// A stored node. Encoding: u8 tag (1 internal, 2 leaf), then for internal
// two ChildRefs, for leaf keyHash (32) and the value (varint length, bytes).
struct TreeNode {
    std::variant<InternalNode, LeafNode> node;

    Hash256 hash() const;
    void encodeTo(Writer& w) const;
    static TreeNode decodeFrom(Reader& r);
};

}  // namespace agora::state
