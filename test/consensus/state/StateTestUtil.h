#pragma once
// Helpers shared by the state store tests: byte strings, random change sets
// and an independent from-scratch computation of the tree root.

#include <algorithm>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Hash256.h"
#include "consensus/state/SparseMerkleTree.h"
#include "consensus/state/TreeHash.h"
#include "support/TestRng.h"

namespace agora::test {

inline Bytes bytesOf(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

// A random key from a pool of `pool` names (so keys repeat across blocks).
inline Bytes randomKey(TestRng& rng, std::uint64_t pool) {
    return bytesOf("k/" + std::to_string(rng.below(pool)));
}

inline Bytes randomValue(TestRng& rng) {
    Bytes v(static_cast<std::size_t>(rng.below(40)));
    for (auto& b : v) b = static_cast<std::uint8_t>(rng.next());
    return v;
}

// Applies changes to a plain map (the model of the state).
inline void applyTo(std::map<Bytes, Bytes>& model, const state::StateChanges& changes) {
    for (const auto& [k, v] : changes) {
        if (v)
            model[k] = *v;
        else
            model.erase(k);
    }
}

struct ReferenceTree {
    Hash256 root;
    std::size_t nodes = 0;  // leaves + internal nodes of the canonical tree
};

// The canonical root computed from scratch by the definition in
// SparseMerkleTree.h, with no incremental machinery at all.
inline ReferenceTree referenceTree(const std::map<Bytes, Bytes>& model) {
    std::vector<std::pair<Hash256, Hash256>> leaves;  // (keyHash, valueHash)
    for (const auto& [k, v] : model) leaves.emplace_back(sha256(k), sha256(v));
    std::sort(leaves.begin(), leaves.end());
    ReferenceTree out;
    auto rec = [&](auto&& self, std::span<const std::pair<Hash256, Hash256>> s, unsigned depth) -> Hash256 {
        if (s.empty()) return state::treeEmptyHash();
        ++out.nodes;
        if (s.size() == 1) return state::treeLeafHash(s[0].first, s[0].second);
        auto mid =
            std::partition_point(s.begin(), s.end(), [&](const auto& e) { return !state::treeBit(e.first, depth); });
        const auto n = static_cast<std::size_t>(mid - s.begin());
        return state::treeInternalHash(self(self, s.first(n), depth + 1), self(self, s.subspan(n), depth + 1));
    };
    out.root = rec(rec, leaves, 0);
    return out;
}

}  // namespace agora::test
