#pragma once
// MemoryStateStore: the StateStore kept in memory (tests, simulations, the
// reference the LevelDB store is checked against). Not thread-safe: one
// thread drives it and its snapshots.
//
// Values are kept per key as a version history, so a snapshot taken at
// version v keeps reading v after later commits, and a commit costs
// O(keys written x log n). Tree nodes are pruned with pruneBelow(); value
// histories are not (memory grows with the total number of writes), which
// is fine for the store's purposes.

#include <map>
#include <memory>
#include <vector>

#include "consensus/state/StateStore.h"

namespace agora::state {

class MemoryStateStore final : public StateStore {
public:
    MemoryStateStore();

    std::uint64_t latestVersion() const override;
    Expected<Hash256, StoreError> root(std::uint64_t version) const override;
    std::shared_ptr<const StateSnapshot> snapshot() const override;
    Expected<Hash256, StoreError> commit(std::uint64_t version, const StateChanges& changes) override;
    Expected<StateProof, StoreError> prove(ByteSpan key, std::uint64_t version) const override;
    Expected<void, StoreError> pruneBelow(std::uint64_t oldestKept) override;
    std::uint64_t oldestVersion() const override;

    // Number of stored tree nodes (tests check that pruning releases them).
    std::size_t nodeCount() const;

    struct Data;  // shared with snapshots

private:
    std::shared_ptr<Data> data_;
};

}  // namespace agora::state
