#pragma once
// Opens the node's LevelDB database, shared by the state store and (later)
// the block store and tx index, so one WriteBatch can commit a whole block.

#include <cstddef>
#include <memory>
#include <string>

#include <leveldb/db.h>

#include "consensus/core/Expected.h"
#include "consensus/state/StoreError.h"

namespace agora::node {

struct DatabaseOptions {
    bool createIfMissing = true;
    std::size_t blockCacheBytes = std::size_t{64} * 1024 * 1024;
    int bloomBitsPerKey = 10;  // tree nodes are looked up by exact key
    // Memtable size (LevelDB allocates it as it fills); the node sets it from
    // [storage] leveldb_write_buffer_mib. 0 = LevelDB's default, 4 MiB.
    std::size_t writeBufferBytes = std::size_t{32} * 1024 * 1024;
    // The file layer under LevelDB; null = leveldb::Env::Default(). The
    // power-loss test passes a fault-injecting Env (docs/crash-consistency.md).
    // It must outlive the database.
    leveldb::Env* env = nullptr;
};

// The returned pointer keeps the block cache and filter policy alive for as
// long as the database is open. IoError when LevelDB cannot open the path
// (missing, locked by another process, unreadable), CorruptData when it
// reports corruption.
Expected<std::shared_ptr<leveldb::DB>, state::StoreError> openNodeDatabase(const std::string& path,
                                                                           const DatabaseOptions& options);

// Maps a failed LevelDB status to a store error naming `what` failed.
state::StoreError storeErrorFrom(const leveldb::Status& status, const std::string& what);

}  // namespace agora::node
