#pragma once
// LevelDbStateStore: the StateStore on the node's LevelDB database
// (docs/state.md). Latest values, tree nodes of every kept version, roots and
// the commit record live in the state key spaces (node/storage/KeySpace.h).
//
// Atomicity: one commit is one leveldb::WriteBatch (synced unless the caller
// defers it, PreparedCommit::sync):
// the changed values, the new tree nodes, the stale-node index, the version's
// root and the commit record (latest version + root). A crash at any instant
// leaves the database at the old version or the new one. The node can put
// its own records (block, tx index) into the same batch through
// prepare()/write(), so a whole block commits at once.
//
// Threads: commit(), prepare()/write() and pruneBelow() come from one
// committing thread. snapshot(), root(), prove() and latestVersion() may be
// called from any thread at any time; a snapshot reads a LevelDB snapshot and
// so sees exactly one committed version. Reads that hit an I/O error or
// corruption throw StorageFailure (StateReader has no error channel, and a
// node that cannot read its state must stop rather than diverge).

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include "consensus/state/StateStore.h"
#include "node/storage/NodeDatabase.h"
#include "node/storage/TreeNodeCache.h"

namespace agora::node {

class StorageFailure : public std::runtime_error {
public:
    explicit StorageFailure(const state::StoreError& e) : std::runtime_error(e.message()), error_(e) {}
    const state::StoreError& error() const { return error_; }

private:
    state::StoreError error_;
};

struct StateStoreOptions {
    // Keep the trees of this many most recent versions provable; older ones
    // are pruned after each commit. 0 keeps every version. Should that prune
    // fail (I/O), write()/commit() return its error although the commit
    // itself is already durable: latestVersion() says which.
    std::uint64_t keepRecent = 0;
    // Internal tree nodes of the latest version kept in memory for commits
    // (node/storage/TreeNodeCache.h; about 170 bytes each). The default holds
    // every internal node of a 2-million-key tree; 0 disables the cache.
    std::size_t cachedTreeNodes = std::size_t{1} << 21;
};

// A commit computed but not yet written. The caller may add its own records
// to `extra` (key spaces >= keyspace::kNodeFirst only) before write().
struct PreparedCommit {
    std::uint64_t version = 0;
    std::uint64_t baseVersion = 0;  // the latest version prepare() built on
    Hash256 root;
    leveldb::WriteBatch extra;
    // false: the batch goes to LevelDB's log without an fsync. A process
    // crash keeps it (the OS has it); a power loss may drop it together with
    // the commits after it, never a commit before it, so the database is
    // still at some committed version. Block sync uses it for all but the
    // last block of a fetched batch (docs/sync.md).
    bool sync = true;

    PreparedCommit() = default;
    PreparedCommit(PreparedCommit&&) = default;
    PreparedCommit& operator=(PreparedCommit&&) = default;

private:
    friend class LevelDbStateStore;
    leveldb::WriteBatch state_;
    state::ChildRef rootRef_;
    // For the node cache once the commit is durable.
    std::vector<std::pair<state::NodeKey, state::InternalNode>> newInternal_;
    std::vector<state::NodeKey> stale_;
};

class LevelDbStateStore final : public state::StateStore {
public:
    // Opens (creating if missing) a database of its own at path.
    static Expected<std::unique_ptr<LevelDbStateStore>, state::StoreError> open(const std::string& path,
                                                                                const StateStoreOptions& options = {},
                                                                                const DatabaseOptions& dbOptions = {});
    // Uses the state key spaces of a database the node opened. Checks the
    // commit record: a truncated, corrupt or inconsistent one is CorruptData,
    // an unknown format IncompatibleFormat.
    static Expected<std::unique_ptr<LevelDbStateStore>, state::StoreError> attach(
        std::shared_ptr<leveldb::DB> db, const StateStoreOptions& options = {});

    std::uint64_t latestVersion() const override;
    std::uint64_t oldestVersion() const override;
    Expected<Hash256, state::StoreError> root(std::uint64_t version) const override;
    std::shared_ptr<const state::StateSnapshot> snapshot() const override;
    Expected<Hash256, state::StoreError> commit(std::uint64_t version, const state::StateChanges& changes) override;
    Expected<state::StateProof, state::StoreError> prove(ByteSpan key, std::uint64_t version) const override;
    Expected<void, state::StoreError> pruneBelow(std::uint64_t oldestKept) override;

    // Two-step commit: compute the new root and the state writes (nothing is
    // written; dropping the result abandons the commit), then write them
    // together with prepared.extra in one synced batch. write() refuses a
    // prepared commit whose base is no longer the latest version, and extra
    // writes into the state key spaces; in both cases nothing is written.
    Expected<PreparedCommit, state::StoreError> prepare(std::uint64_t version,
                                                        const state::StateChanges& changes) const;
    Expected<Hash256, state::StoreError> write(PreparedCommit&& prepared);

    const std::shared_ptr<leveldb::DB>& database() const { return db_; }

private:
    LevelDbStateStore(std::shared_ptr<leveldb::DB> db, const StateStoreOptions& options);
    Expected<void, state::StoreError> load();

    std::shared_ptr<leveldb::DB> db_;
    StateStoreOptions options_;
    mutable std::mutex mutex_;  // guards the cached commit record below
    std::uint64_t latest_ = 0;
    std::uint64_t oldest_ = 0;
    state::ChildRef rootRef_ = state::ChildRef::empty();
    std::unique_ptr<TreeNodeCache> cache_;  // null when disabled
};

}  // namespace agora::node
