#pragma once
// State-sync chunks: one version of the state cut into the 2^depth subtrees
// of the sparse Merkle tree under the first `depth` key-hash bits, each
// carrying everything needed to check it alone against that version's root
// (the app_hash of the header at that height). Byte layout and the
// verification rule in docs/state.md, "State-sync chunks".
//
// A chunk holds the (key, value) pairs whose key hash starts with the
// chunk's index (its `depth` bits, most significant first), sorted by key
// hash, and the summaries of the `depth` sibling subtrees on the path from
// the chunk's subtree up to the root. A summary says what a subtree is in the
// canonical tree (SparseMerkleTree.h): empty, one lone leaf (with its key
// hash and value hash), or an internal node (its hash). Kinds are needed,
// not just hashes, because a lone leaf rises past empty siblings: the fold
// to the root applies the same rule the tree's shape does.
//
// Soundness: every hash in the fold is domain-separated (empty, leaf,
// internal), leaves commit to their key hash and must lie under their own
// subtree's prefix, so a chunk whose fold reaches the root holds exactly the
// pairs of that subtree, short of a SHA-256 collision.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Codec.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "consensus/state/TreeNode.h"

namespace agora::state {

// Deepest chunk split: 65536 chunks, enough for 10^9 keys at ~16k per chunk.
inline constexpr unsigned kChunkDepthMax = 16;
// Longest state key a chunk may carry (a decoding bound; contract keys are a
// prefix and a few ids, well under 200 bytes).
inline constexpr std::size_t kChunkKeyMax = 4096;
// Most pairs in one chunk (a decoding bound; the transport's message budget
// is the tighter limit in practice).
inline constexpr std::size_t kChunkEntriesMax = std::size_t{1} << 22;

// What a subtree is in the canonical tree.
struct SubtreeSummary {
    NodeKind kind = NodeKind::Empty;
    Hash256 keyHash;    // Leaf only
    Hash256 valueHash;  // Leaf only
    Hash256 nodeHash;   // Internal only

    static SubtreeSummary empty() { return {}; }
    static SubtreeSummary leaf(const Hash256& keyHash, const Hash256& valueHash);
    static SubtreeSummary internal(const Hash256& hash);

    // The subtree's hash: treeEmptyHash(), treeLeafHash(...) or nodeHash.
    Hash256 hash() const;

    // kind u8, then keyHash || valueHash (Leaf) or nodeHash (Internal).
    void encodeTo(Writer& w) const;
    static SubtreeSummary decodeFrom(Reader& r);
    bool operator==(const SubtreeSummary&) const = default;
};

// The parent of two sibling subtrees, by the canonical shape: two empties
// are empty, a lone leaf next to an empty half rises, anything else is an
// internal node.
SubtreeSummary combineSubtrees(const SubtreeSummary& left, const SubtreeSummary& right);

// One leaf as the tree sees it.
struct LeafHashes {
    Hash256 keyHash;
    Hash256 valueHash;
    auto operator<=>(const LeafHashes&) const = default;
};

// The summary of the subtree at `depth` holding `leaves` (sorted by key
// hash, distinct, all sharing their first `depth` bits).
SubtreeSummary summarizeSubtree(unsigned depth, std::span<const LeafHashes> leaves);

struct StateChunkEntry {
    Bytes key;
    Bytes value;
    bool operator==(const StateChunkEntry&) const = default;
};

struct StateChunk {
    static constexpr std::uint8_t kFormat = 1;

    std::uint64_t height = 0;              // the state version (block height) it belongs to
    std::uint8_t depth = 0;                // chunks of this snapshot: 2^depth
    std::uint32_t index = 0;               // < 2^depth: the first `depth` key-hash bits of its pairs
    std::vector<StateChunkEntry> entries;  // sorted by SHA-256(key), strictly
    // siblings[d] is the sibling of the chunk's path node at depth d + 1;
    // exactly `depth` of them.
    std::vector<SubtreeSummary> siblings;

    // Strict: unknown format, depth above kChunkDepthMax, an index outside
    // 2^depth, a sibling count other than depth, or entries not strictly
    // increasing by key hash fail to decode.
    void encodeTo(Writer& w) const;
    static StateChunk decodeFrom(Reader& r);
    bool operator==(const StateChunk&) const = default;
};

// Stable codes; never renumber.
enum class ChunkErrorCode : std::uint8_t {
    WrongHeight = 1,         // the chunk is of another height than the one being restored
    WrongLayout = 2,         // depth or index differ from the requested ones, or are malformed
    EntriesNotSorted = 3,    // pairs not strictly increasing by key hash (or a duplicate key)
    EntryOutsideChunk = 4,   // a pair whose key hash does not start with the chunk's index
    SiblingOutsidePath = 5,  // a lone-leaf sibling whose key hash is not under that sibling
    RootMismatch = 6,        // the fold of the pairs and siblings does not reach the app_hash
    EntryTooLarge = 7,       // a key or value above the chunk bounds
};

std::string_view errorName(ChunkErrorCode c);

struct ChunkError {
    ChunkErrorCode code;
    std::string detail;
    std::string message() const { return std::string(errorName(code)) + ": " + detail; }
};

// What a restoring node expects of one chunk.
struct ChunkRequest {
    std::uint64_t height = 0;
    Hash256 appHash;  // the trusted root of that height
    std::uint8_t depth = 0;
    std::uint32_t index = 0;
};

// Checks that `chunk` is exactly the pairs of subtree `want.index` of the
// state whose root is `want.appHash`. O(pairs + depth) hashes.
Expected<void, ChunkError> verifyStateChunk(const ChunkRequest& want, const StateChunk& chunk);

// Cuts a whole state into its chunks. add() in any order; finish() sorts
// each chunk, summarizes it and gives every chunk its sibling path. Holds
// the whole state in memory (the node's snapshot writer streams instead
// when that matters).
class StateChunkBuilder {
public:
    StateChunkBuilder(std::uint64_t height, unsigned depth);

    // EntryTooLarge for a key or value above the chunk bounds.
    Expected<void, ChunkError> add(Bytes key, Bytes value);
    // All 2^depth chunks (empty ones included) and the root they fold to.
    std::vector<StateChunk> finish(Hash256* root = nullptr) &&;

private:
    std::uint64_t height_;
    unsigned depth_;
    std::vector<std::vector<std::pair<Hash256, StateChunkEntry>>> buckets_;
};

// The summaries of all 2^depth chunk subtrees folded into the tree above
// them: the root, and each chunk's sibling path.
class ChunkSummaryTree {
public:
    // `chunkSummaries` has 2^depth entries, in index order.
    ChunkSummaryTree(unsigned depth, std::vector<SubtreeSummary> chunkSummaries);

    const SubtreeSummary& root() const { return levels_.front().front(); }
    std::vector<SubtreeSummary> siblingsOf(std::uint32_t index) const;

private:
    unsigned depth_;
    std::vector<std::vector<SubtreeSummary>> levels_;  // levels_[d] = the 2^d summaries at depth d
};

// The chunk index (first `depth` bits) of a key hash.
std::uint32_t chunkIndexOf(const Hash256& keyHash, unsigned depth);

}  // namespace agora::state
