#include "consensus/state/MemoryStateStore.h"

#include <algorithm>
#include <string>

#include "consensus/state/TreeHash.h"

namespace agora::state {

namespace {
bool hasPrefix(ByteSpan key, ByteSpan prefix) {
    return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}
}  // namespace

struct MemoryStateStore::Data final : TreeNodeSource {
    // key -> (version -> value written at that version, nullopt = deleted)
    std::map<Bytes, std::map<std::uint64_t, std::optional<Bytes>>> values;
    std::map<NodeKey, TreeNode> nodes;
    std::map<std::uint64_t, ChildRef> roots;                // committed versions
    std::map<std::uint64_t, std::vector<NodeKey>> staleAt;  // version -> nodes it replaced
    std::uint64_t latest = 0;
    std::uint64_t oldest = 0;

    Expected<TreeNode, StoreError> loadNode(const NodeKey& key) const override {
        auto it = nodes.find(key);
        if (it == nodes.end()) {
            return Unexpected(StoreError{
                StoreErrorCode::CorruptData,
                "missing tree node v" + std::to_string(key.version) + " depth " + std::to_string(key.depth)});
        }
        return it->second;
    }

    Expected<ChildRef, StoreError> rootRef(std::uint64_t version) const {
        if (version > latest) {
            return Unexpected(StoreError{StoreErrorCode::UnknownVersion, "version " + std::to_string(version)});
        }
        if (version < oldest) {
            return Unexpected(StoreError{StoreErrorCode::PrunedVersion, "version " + std::to_string(version)});
        }
        auto it = roots.find(version);
        if (it == roots.end()) {
            return Unexpected(StoreError{StoreErrorCode::UnknownVersion, "version " + std::to_string(version)});
        }
        return it->second;
    }

    static const std::optional<Bytes>* valueAt(const std::map<std::uint64_t, std::optional<Bytes>>& history,
                                               std::uint64_t version) {
        auto it = history.upper_bound(version);
        if (it == history.begin()) return nullptr;
        return &std::prev(it)->second;
    }
};

namespace {

class MemorySnapshot final : public StateSnapshot {
public:
    MemorySnapshot(std::shared_ptr<const MemoryStateStore::Data> data, std::uint64_t version, Hash256 root)
        : data_(std::move(data)), version_(version), root_(root) {}

    std::optional<Bytes> get(ByteSpan key) const override {
        auto it = data_->values.find(Bytes(key.begin(), key.end()));
        if (it == data_->values.end()) return std::nullopt;
        const auto* v = MemoryStateStore::Data::valueAt(it->second, version_);
        if (v == nullptr) return std::nullopt;
        return *v;
    }

    void scan(ByteSpan prefix, ByteSpan start, const ScanVisitor& visit) const override {
        Bytes from(prefix.begin(), prefix.end());
        Bytes s(start.begin(), start.end());
        if (s > from) from = std::move(s);
        for (auto it = data_->values.lower_bound(from); it != data_->values.end() && hasPrefix(it->first, prefix);
             ++it) {
            const auto* v = MemoryStateStore::Data::valueAt(it->second, version_);
            if (v == nullptr || !v->has_value()) continue;
            if (!visit(it->first, **v)) return;
        }
    }

    std::uint64_t version() const override { return version_; }
    Hash256 root() const override { return root_; }

private:
    std::shared_ptr<const MemoryStateStore::Data> data_;
    std::uint64_t version_;
    Hash256 root_;
};

}  // namespace

MemoryStateStore::MemoryStateStore() : data_(std::make_shared<Data>()) {
    data_->roots.emplace(0, ChildRef::empty());
}

std::uint64_t MemoryStateStore::latestVersion() const {
    return data_->latest;
}

std::uint64_t MemoryStateStore::oldestVersion() const {
    return data_->oldest;
}

std::size_t MemoryStateStore::nodeCount() const {
    return data_->nodes.size();
}

Expected<Hash256, StoreError> MemoryStateStore::root(std::uint64_t version) const {
    auto ref = data_->rootRef(version);
    if (!ref) return Unexpected(ref.error());
    return ref->hash;
}

std::shared_ptr<const StateSnapshot> MemoryStateStore::snapshot() const {
    return std::make_shared<MemorySnapshot>(data_, data_->latest, data_->roots.at(data_->latest).hash);
}

Expected<Hash256, StoreError> MemoryStateStore::commit(std::uint64_t version, const StateChanges& changes) {
    Data& d = *data_;
    if (version <= d.latest) {
        return Unexpected(StoreError{StoreErrorCode::VersionNotIncreasing,
                                     "commit " + std::to_string(version) + " after " + std::to_string(d.latest)});
    }
    auto batch = SparseMerkleTree::update(d, d.roots.at(d.latest), version, changes);
    if (!batch) return Unexpected(batch.error());
    // Nothing above can fail half-way; from here on the commit is applied whole.
    for (auto& [key, node] : batch->newNodes) d.nodes.insert_or_assign(key, std::move(node));
    if (!batch->staleNodes.empty()) d.staleAt.emplace(version, std::move(batch->staleNodes));
    d.roots.emplace(version, batch->root);
    for (const auto& [key, value] : changes) d.values[key].insert_or_assign(version, value);
    d.latest = version;
    return batch->root.hash;
}

Expected<StateProof, StoreError> MemoryStateStore::prove(ByteSpan key, std::uint64_t version) const {
    auto ref = data_->rootRef(version);
    if (!ref) return Unexpected(ref.error());
    return SparseMerkleTree::prove(*data_, *ref, key);
}

Expected<void, StoreError> MemoryStateStore::pruneBelow(std::uint64_t oldestKept) {
    Data& d = *data_;
    if (oldestKept > d.latest) {
        return Unexpected(StoreError{StoreErrorCode::UnknownVersion, "prune below " + std::to_string(oldestKept) +
                                                                         " beyond latest " + std::to_string(d.latest)});
    }
    if (oldestKept <= d.oldest) return {};
    // A node replaced at version s belongs only to trees of versions < s.
    for (auto it = d.staleAt.begin(); it != d.staleAt.end() && it->first <= oldestKept;) {
        for (const auto& key : it->second) d.nodes.erase(key);
        it = d.staleAt.erase(it);
    }
    d.roots.erase(d.roots.begin(), d.roots.lower_bound(oldestKept));
    d.oldest = oldestKept;
    return {};
}

}  // namespace agora::state
