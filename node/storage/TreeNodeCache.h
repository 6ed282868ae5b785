#pragma once
// TreeNodeCache: the committing thread's in-memory copy of the latest tree's
// internal nodes, so a block's update reads the shared upper levels (and, up
// to the capacity, every level) from memory instead of LevelDB
// (docs/performance.md, "State commit").
//
// Keyed by position (depth, path) and holding only the newest version seen
// there: the committer always walks the latest tree, so older versions at a
// position are dead weight. A lookup hits only when the cached version equals
// the requested one, and a stored node never changes once written (nodes are
// addressed by the version that wrote them), so a hit returns exactly what
// LevelDB would: the cache cannot change a root.
//
// Bounded: once `capacity` positions are held, new positions are not added
// (the upper levels, which every path shares, are filled first). Thread-safe.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "consensus/state/TreeNode.h"

namespace agora::node {

class TreeNodeCache {
public:
    explicit TreeNodeCache(std::size_t capacity) : capacity_(capacity) {}

    // The internal node stored under key, if cached.
    std::optional<state::InternalNode> find(const state::NodeKey& key) const;
    // Remembers the internal node stored under key (ignored when a newer
    // version is already cached at its position, or the cache is full).
    void put(const state::NodeKey& key, const state::InternalNode& node);
    // Forgets the node stored under key (it left the latest tree).
    void erase(const state::NodeKey& key);

    std::size_t size() const;
    std::size_t capacity() const { return capacity_; }

private:
    struct Position {
        std::uint16_t depth = 0;
        Hash256 path;
        bool operator==(const Position&) const = default;
    };
    struct PositionHash {
        std::size_t operator()(const Position& p) const;
    };
    struct Entry {
        std::uint64_t version = 0;
        state::InternalNode node;
    };

    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<Position, Entry, PositionHash> entries_;
};

}  // namespace agora::node
