#pragma once
// The authenticated map over all state keys: a binary sparse Merkle tree
// keyed by SHA-256 of the state key, whose root hash is the app_hash.
//
// Canonical shape (so the root depends only on the set of (key, value) pairs,
// never on insertion order or how writes were split across versions):
//   - an empty subtree is not stored and hashes to treeEmptyHash();
//   - a subtree holding exactly one key is that key's leaf, placed at the
//     subtree's top (paths to lone leaves are compressed);
//   - every other subtree is an internal node whose children are the two
//     halves split on the next key-hash bit.
//
// The tree is persistent: an update writes new nodes at the new version and
// never modifies old ones, so earlier versions stay provable until pruned.
// Updating k keys in a tree of n keys loads and writes O(k x log n) nodes
// (the paths from the root to the changed leaves), never O(n).

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/state/MerkleProof.h"
#include "consensus/state/StoreError.h"
#include "consensus/state/TreeNode.h"

namespace agora::state {

// Ordered state changes: key -> new value, or nullopt for a deletion (the
// shape of Sandbox::changes()).
using StateChanges = std::map<Bytes, std::optional<Bytes>>;

// Where the tree reads its nodes from (a store's node key space).
class TreeNodeSource {
public:
    virtual ~TreeNodeSource() = default;
    // The node stored under key; CorruptData when it is missing or malformed.
    virtual Expected<TreeNode, StoreError> loadNode(const NodeKey& key) const = 0;
};

// Everything one version's update writes.
struct TreeBatch {
    ChildRef root;                                       // root of the new version
    std::vector<std::pair<NodeKey, TreeNode>> newNodes;  // all at the new version
    std::vector<NodeKey> staleNodes;                     // nodes of the old tree absent from the new one
};

class SparseMerkleTree {
public:
    // Applies `changes` to the tree rooted at `root` and returns the nodes to
    // write at `newVersion` (which must exceed every version in the tree).
    static Expected<TreeBatch, StoreError> update(const TreeNodeSource& source, const ChildRef& root,
                                                  std::uint64_t newVersion, const StateChanges& changes);

    // The value of key in the tree rooted at `root`, with its inclusion or
    // exclusion proof. Loads O(log n) nodes.
    static Expected<StateProof, StoreError> prove(const TreeNodeSource& source, const ChildRef& root, ByteSpan key);
};

}  // namespace agora::state
