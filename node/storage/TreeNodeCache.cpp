#include "node/storage/TreeNodeCache.h"

#include <cstring>

namespace agora::node {

std::size_t TreeNodeCache::PositionHash::operator()(const Position& p) const {
    // Paths are prefixes of SHA-256 outputs: their leading bytes are already
    // uniformly spread, mixed with the depth to separate a node from its
    // left child (same path bits, one level deeper).
    std::uint64_t head = 0;
    std::memcpy(&head, p.path.bytes().data(), sizeof head);
    return static_cast<std::size_t>(head ^ (std::uint64_t{p.depth} * 0x9E3779B97F4A7C15ULL));
}

std::optional<state::InternalNode> TreeNodeCache::find(const state::NodeKey& key) const {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(Position{key.depth, key.path});
    if (it == entries_.end() || it->second.version != key.version) return std::nullopt;
    return it->second.node;
}

void TreeNodeCache::put(const state::NodeKey& key, const state::InternalNode& node) {
    std::lock_guard lock(mutex_);
    const Position pos{key.depth, key.path};
    const auto it = entries_.find(pos);
    if (it != entries_.end()) {
        if (it->second.version <= key.version) it->second = Entry{key.version, node};
        return;
    }
    if (entries_.size() >= capacity_) return;
    entries_.emplace(pos, Entry{key.version, node});
}

void TreeNodeCache::erase(const state::NodeKey& key) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(Position{key.depth, key.path});
    if (it != entries_.end() && it->second.version == key.version) entries_.erase(it);
}

std::size_t TreeNodeCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace agora::node
