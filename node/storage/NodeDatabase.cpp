#include "node/storage/NodeDatabase.h"

#include <leveldb/cache.h>
#include <leveldb/filter_policy.h>

namespace agora::node {

namespace {
// Owns what leveldb::Options only points to; the DB is closed first.
struct OpenDatabase {
    std::unique_ptr<leveldb::Cache> cache;
    std::unique_ptr<const leveldb::FilterPolicy> filter;
    std::unique_ptr<leveldb::DB> db;
    ~OpenDatabase() { db.reset(); }
};
}  // namespace

state::StoreError storeErrorFrom(const leveldb::Status& status, const std::string& what) {
    const auto code = status.IsCorruption() ? state::StoreErrorCode::CorruptData : state::StoreErrorCode::IoError;
    return state::StoreError{code, what + ": " + status.ToString()};
}

Expected<std::shared_ptr<leveldb::DB>, state::StoreError> openNodeDatabase(const std::string& path,
                                                                           const DatabaseOptions& options) {
    auto holder = std::make_shared<OpenDatabase>();
    leveldb::Options opts;
    opts.create_if_missing = options.createIfMissing;
    if (options.env != nullptr) opts.env = options.env;
    // Most bytes written are tree nodes (hashes) and signed txs, which snappy
    // cannot shrink: compressing them cost ~4 % of block-replay CPU for
    // nothing. Reading stays compatible: LevelDB marks each block's codec.
    opts.compression = leveldb::kNoCompression;
    if (options.blockCacheBytes > 0) {
        holder->cache.reset(leveldb::NewLRUCache(options.blockCacheBytes));
        opts.block_cache = holder->cache.get();
    }
    if (options.writeBufferBytes > 0) opts.write_buffer_size = options.writeBufferBytes;
    if (options.bloomBitsPerKey > 0) {
        holder->filter.reset(leveldb::NewBloomFilterPolicy(options.bloomBitsPerKey));
        opts.filter_policy = holder->filter.get();
    }
    leveldb::DB* raw = nullptr;
    const leveldb::Status st = leveldb::DB::Open(opts, path, &raw);
    if (!st.ok()) return Unexpected(storeErrorFrom(st, "open " + path));
    holder->db.reset(raw);
    return std::shared_ptr<leveldb::DB>(holder, raw);
}

}  // namespace agora::node
