#pragma once
// StateStore: versioned, authenticated ledger state (docs/state.md).
//
// Version v holds the state after block v; its root hash (the app_hash) is
// the root of the sparse Merkle tree over every (key, value) pair. Version 0
// is the empty state (root treeEmptyHash()) before anything was committed.
//
// Contract:
//   - commit(v, changes) applies changes on top of the latest version and makes
//     v the latest, all at once: a reader sees either the old version or v,
//     never a mix. v must be greater than latestVersion() (gaps are allowed,
//     e.g. a chain whose first block is not 1; root() of a skipped version is
//     UnknownVersion).
//   - snapshot() is a reader frozen at the latest version at the time of the
//     call; later commits do not change what it reads.
//   - prove(key, v) works for every committed version that was not pruned.
//   - A commit costs O(keys written x log n) tree node reads and writes.
//   - Implementations are driven by one committing thread; see each one for
//     which calls may run on other threads.

#include <cstdint>
#include <memory>

#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "consensus/state/MerkleProof.h"
#include "consensus/state/SparseMerkleTree.h"
#include "consensus/state/StateView.h"
#include "consensus/state/StoreError.h"

namespace agora::state {

// A read-only view of one committed version.
class StateSnapshot : public StateReader {
public:
    virtual std::uint64_t version() const = 0;
    virtual Hash256 root() const = 0;
};

class StateStore {
public:
    virtual ~StateStore() = default;

    virtual std::uint64_t latestVersion() const = 0;
    virtual Expected<Hash256, StoreError> root(std::uint64_t version) const = 0;
    virtual std::shared_ptr<const StateSnapshot> snapshot() const = 0;
    // Returns the new root.
    virtual Expected<Hash256, StoreError> commit(std::uint64_t version, const StateChanges& changes) = 0;
    virtual Expected<StateProof, StoreError> prove(ByteSpan key, std::uint64_t version) const = 0;
    // Forgets the trees of versions below `oldestKept` (their roots and the
    // nodes no later version shares), so prove() on them answers
    // PrunedVersion. Costs O(nodes released), never O(state).
    virtual Expected<void, StoreError> pruneBelow(std::uint64_t oldestKept) = 0;
    // The oldest version prove() still serves.
    virtual std::uint64_t oldestVersion() const = 0;
};

}  // namespace agora::state
