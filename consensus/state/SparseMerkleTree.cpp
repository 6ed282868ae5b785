#include "consensus/state/SparseMerkleTree.h"

#include <algorithm>
#include <memory>
#include <span>
#include <string>

#include "consensus/state/TreeHash.h"

namespace agora::state {

namespace {

struct KeyUpdate {
    Hash256 keyHash;
    const std::optional<Bytes>* value;  // points into the caller's changes
};

// A leaf that will end up somewhere in the new subtree.
struct LeafEntry {
    LeafNode leaf;
    Hash256 hash;
    std::optional<NodeKey> placedAt;  // where it is already stored, if it is an old leaf
};

// A rebuilt subtree whose top has not been placed yet. Internal nodes are
// written where they are built (they never move); a lone leaf rises to the
// top of the largest subtree it is alone in, so its position is only known
// when the parent decides, in place().
struct Subtree {
    NodeKind kind = NodeKind::Empty;
    Hash256 hash = treeEmptyHash();
    std::uint64_t version = 0;        // Internal: the version that stored it
    std::optional<NodeKey> placedAt;  // Leaf: current position of an old leaf
    std::unique_ptr<LeafNode> leaf;   // Leaf: content, when already loaded
};

StoreError corrupt(const NodeKey& key, const std::string& what) {
    return StoreError{StoreErrorCode::CorruptData, "tree node v" + std::to_string(key.version) + " depth " +
                                                       std::to_string(key.depth) + ": " + what};
}

class Updater {
public:
    Updater(const TreeNodeSource& source, std::uint64_t version) : source_(source), version_(version) {}

    Expected<TreeBatch, StoreError> run(const ChildRef& root, std::span<const KeyUpdate> updates) {
        auto top = updateAt(root, 0, Hash256{}, updates);
        if (!top) return Unexpected(top.error());
        auto placed = place(*top, 0, Hash256{});
        if (!placed) return Unexpected(placed.error());
        out_.root = *placed;
        return std::move(out_);
    }

private:
    Expected<LeafNode, StoreError> loadLeaf(const NodeKey& key) {
        auto node = source_.loadNode(key);
        if (!node) return Unexpected(node.error());
        if (auto* leaf = std::get_if<LeafNode>(&node->node)) return std::move(*leaf);
        return Unexpected(corrupt(key, "expected a leaf"));
    }

    Expected<InternalNode, StoreError> loadInternal(const NodeKey& key) {
        auto node = source_.loadNode(key);
        if (!node) return Unexpected(node.error());
        if (auto* in = std::get_if<InternalNode>(&node->node)) return *in;
        return Unexpected(corrupt(key, "expected an internal node"));
    }

    // The subtree under `ref` (at depth/path) after applying `updates`, all
    // of whose key hashes start with `path`.
    Expected<Subtree, StoreError> updateAt(const ChildRef& ref, unsigned depth, const Hash256& path,
                                           std::span<const KeyUpdate> updates) {
        const NodeKey key{ref.version, static_cast<std::uint16_t>(depth), path};
        if (updates.empty()) {
            Subtree s;
            s.kind = ref.kind;
            s.hash = ref.hash;
            s.version = ref.version;
            if (ref.kind == NodeKind::Leaf) s.placedAt = key;
            return s;
        }
        switch (ref.kind) {
            case NodeKind::Empty: {
                std::vector<LeafEntry> entries;
                appendWrites(updates, entries);
                return build(depth, path, entries);
            }
            case NodeKind::Leaf: {
                auto old = loadLeaf(key);
                if (!old) return Unexpected(old.error());
                return mergeLeaf(std::move(*old), key, depth, path, updates);
            }
            case NodeKind::Internal: {
                if (depth >= kTreeMaxDepth) return Unexpected(corrupt(key, "internal node below max depth"));
                auto in = loadInternal(key);
                if (!in) return Unexpected(in.error());
                const auto mid = splitOnBit(updates, depth);
                auto l = updateAt(in->left, depth + 1, childPath(path, depth, false), updates.first(mid));
                if (!l) return Unexpected(l.error());
                auto r = updateAt(in->right, depth + 1, childPath(path, depth, true), updates.subspan(mid));
                if (!r) return Unexpected(r.error());
                return combine(depth, path, std::move(*l), std::move(*r), std::make_pair(key, *in));
            }
        }
        return Unexpected(corrupt(key, "unknown node kind"));
    }

    // An old leaf meets writes below its position: it survives unless one of
    // them names its key.
    Expected<Subtree, StoreError> mergeLeaf(LeafNode old, const NodeKey& key, unsigned depth, const Hash256& path,
                                            std::span<const KeyUpdate> updates) {
        const auto same = std::lower_bound(updates.begin(), updates.end(), old.keyHash,
                                           [](const KeyUpdate& u, const Hash256& h) { return u.keyHash < h; });
        const bool touched = same != updates.end() && same->keyHash == old.keyHash;
        // A rewrite with the value it already has keeps the old leaf (and its position).
        const bool keepOld = !touched || (same->value->has_value() && **same->value == old.value);
        if (!keepOld) out_.staleNodes.push_back(key);
        std::vector<LeafEntry> entries;
        entries.reserve(updates.size() + 1);
        for (auto u = updates.begin(); u != updates.end(); ++u) {
            if (touched && keepOld && u == same) continue;  // the old leaf stands for it
            if (u->value->has_value()) {
                LeafNode leaf{u->keyHash, **u->value};
                const Hash256 h = leaf.hash();
                entries.push_back(LeafEntry{std::move(leaf), h, std::nullopt});
            }
        }
        if (keepOld) {
            auto at = std::lower_bound(entries.begin(), entries.end(), old.keyHash,
                                       [](const LeafEntry& e, const Hash256& h) { return e.leaf.keyHash < h; });
            const Hash256 oldHash = old.hash();
            entries.insert(at, LeafEntry{std::move(old), oldHash, key});
        }
        return build(depth, path, entries);
    }

    static void appendWrites(std::span<const KeyUpdate> updates, std::vector<LeafEntry>& entries) {
        for (const auto& u : updates) {
            if (!u.value->has_value()) continue;  // deleting an absent key changes nothing
            LeafNode leaf{u.keyHash, **u.value};
            const Hash256 h = leaf.hash();
            entries.push_back(LeafEntry{std::move(leaf), h, std::nullopt});
        }
    }

    template <typename T, typename HashOf>
    static std::size_t splitOnBitBy(std::span<T> items, unsigned depth, HashOf hashOf) {
        auto it =
            std::partition_point(items.begin(), items.end(), [&](const T& x) { return !treeBit(hashOf(x), depth); });
        return static_cast<std::size_t>(it - items.begin());
    }
    static std::size_t splitOnBit(std::span<const KeyUpdate> u, unsigned depth) {
        return splitOnBitBy(u, depth, [](const KeyUpdate& x) -> const Hash256& { return x.keyHash; });
    }

    // The canonical subtree at depth/path holding exactly `entries` (sorted by key hash).
    Expected<Subtree, StoreError> build(unsigned depth, const Hash256& path, std::span<LeafEntry> entries) {
        if (entries.empty()) return Subtree{};
        if (entries.size() == 1) {
            Subtree s;
            s.kind = NodeKind::Leaf;
            s.hash = entries[0].hash;
            s.placedAt = entries[0].placedAt;
            s.leaf = std::make_unique<LeafNode>(std::move(entries[0].leaf));
            return s;
        }
        if (depth >= kTreeMaxDepth) {
            return Unexpected(StoreError{StoreErrorCode::CorruptData, "two leaves with the same key hash"});
        }
        const auto mid =
            splitOnBitBy(entries, depth, [](const LeafEntry& e) -> const Hash256& { return e.leaf.keyHash; });
        auto l = build(depth + 1, childPath(path, depth, false), entries.first(mid));
        if (!l) return Unexpected(l.error());
        auto r = build(depth + 1, childPath(path, depth, true), entries.subspan(mid));
        if (!r) return Unexpected(r.error());
        return combine(depth, path, std::move(*l), std::move(*r), std::nullopt);
    }

    // Joins two rebuilt halves into the subtree at depth/path, replacing the
    // old internal node there (if any).
    Expected<Subtree, StoreError> combine(unsigned depth, const Hash256& path, Subtree l, Subtree r,
                                          const std::optional<std::pair<NodeKey, InternalNode>>& old) {
        const bool lEmpty = l.kind == NodeKind::Empty;
        const bool rEmpty = r.kind == NodeKind::Empty;
        if (lEmpty && rEmpty) {
            if (old) out_.staleNodes.push_back(old->first);
            return Subtree{};
        }
        if ((lEmpty && r.kind == NodeKind::Leaf) || (rEmpty && l.kind == NodeKind::Leaf)) {
            if (old) out_.staleNodes.push_back(old->first);
            return lEmpty ? std::move(r) : std::move(l);  // the lone leaf rises
        }
        auto lRef = place(l, depth + 1, childPath(path, depth, false));
        if (!lRef) return Unexpected(lRef.error());
        auto rRef = place(r, depth + 1, childPath(path, depth, true));
        if (!rRef) return Unexpected(rRef.error());
        InternalNode node{*lRef, *rRef};
        Subtree s;
        s.kind = NodeKind::Internal;
        if (old && old->second == node) {  // nothing below changed: keep the old node
            s.hash = old->second.hash();
            s.version = old->first.version;
            return s;
        }
        if (old) out_.staleNodes.push_back(old->first);
        s.hash = node.hash();
        s.version = version_;
        out_.newNodes.emplace_back(NodeKey{version_, static_cast<std::uint16_t>(depth), path}, TreeNode{node});
        return s;
    }

    // Stores the top of s at depth/path (unless it is already there) and
    // returns the parent's reference to it.
    Expected<ChildRef, StoreError> place(Subtree& s, unsigned depth, const Hash256& path) {
        switch (s.kind) {
            case NodeKind::Empty:
                return ChildRef::empty();
            case NodeKind::Internal:
                return ChildRef{NodeKind::Internal, s.version, s.hash};
            case NodeKind::Leaf: {
                if (s.placedAt && s.placedAt->depth == depth)
                    return ChildRef{NodeKind::Leaf, s.placedAt->version, s.hash};
                if (!s.leaf) {
                    auto loaded = loadLeaf(*s.placedAt);
                    if (!loaded) return Unexpected(loaded.error());
                    s.leaf = std::make_unique<LeafNode>(std::move(*loaded));
                }
                if (s.placedAt) out_.staleNodes.push_back(*s.placedAt);
                out_.newNodes.emplace_back(NodeKey{version_, static_cast<std::uint16_t>(depth), path},
                                           TreeNode{*s.leaf});
                return ChildRef{NodeKind::Leaf, version_, s.hash};
            }
        }
        return ChildRef::empty();
    }

    const TreeNodeSource& source_;
    std::uint64_t version_;
    TreeBatch out_;
};

}  // namespace

Expected<TreeBatch, StoreError> SparseMerkleTree::update(const TreeNodeSource& source, const ChildRef& root,
                                                         std::uint64_t newVersion, const StateChanges& changes) {
    std::vector<KeyUpdate> updates;
    updates.reserve(changes.size());
    for (const auto& [key, value] : changes) updates.push_back(KeyUpdate{sha256(key), &value});
    std::sort(updates.begin(), updates.end(),
              [](const KeyUpdate& a, const KeyUpdate& b) { return a.keyHash < b.keyHash; });
    Updater updater(source, newVersion);
    return updater.run(root, updates);
}

Expected<StateProof, StoreError> SparseMerkleTree::prove(const TreeNodeSource& source, const ChildRef& root,
                                                         ByteSpan key) {
    const Hash256 keyHash = sha256(key);
    StateProof out;
    ChildRef cur = root;
    Hash256 path;
    for (unsigned depth = 0;; ++depth) {
        const NodeKey nodeKey{cur.version, static_cast<std::uint16_t>(depth), path};
        switch (cur.kind) {
            case NodeKind::Empty:
                out.proof.terminal = ProofTerminal::Empty;
                return out;
            case NodeKind::Leaf: {
                auto node = source.loadNode(nodeKey);
                if (!node) return Unexpected(node.error());
                auto* leaf = std::get_if<LeafNode>(&node->node);
                if (leaf == nullptr) return Unexpected(corrupt(nodeKey, "expected a leaf"));
                if (leaf->keyHash == keyHash) {
                    out.proof.terminal = ProofTerminal::KeyLeaf;
                    out.value = std::move(leaf->value);
                } else {
                    out.proof.terminal = ProofTerminal::OtherLeaf;
                    out.proof.otherKeyHash = leaf->keyHash;
                    out.proof.otherValueHash = sha256(leaf->value);
                }
                return out;
            }
            case NodeKind::Internal: {
                if (depth >= kTreeMaxDepth) return Unexpected(corrupt(nodeKey, "internal node below max depth"));
                auto node = source.loadNode(nodeKey);
                if (!node) return Unexpected(node.error());
                auto* in = std::get_if<InternalNode>(&node->node);
                if (in == nullptr) return Unexpected(corrupt(nodeKey, "expected an internal node"));
                const bool bit = treeBit(keyHash, depth);
                out.proof.siblings.push_back(bit ? in->left.hash : in->right.hash);
                cur = bit ? in->right : in->left;
                path = childPath(path, depth, bit);
                break;
            }
        }
    }
}

}  // namespace agora::state
