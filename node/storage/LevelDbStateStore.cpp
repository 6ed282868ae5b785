#include "node/storage/LevelDbStateStore.h"

#include <algorithm>
#include <array>

#include "consensus/core/Codec.h"
#include "consensus/core/CodecTypes.h"
#include "consensus/state/TreeHash.h"
#include "node/storage/KeySpace.h"

namespace agora::node {

using state::ChildRef;
using state::StoreError;
using state::StoreErrorCode;

namespace {

// The commit record under {kStateMeta}: magic "AGST", format, latest version,
// oldest kept version, latest root, and the first 4 bytes of SHA-256 over
// everything before them (docs/state.md, "Commit record").
constexpr std::array<std::uint8_t, 4> kMetaMagic{'A', 'G', 'S', 'T'};
constexpr std::uint8_t kMetaFormat = 1;
constexpr std::size_t kMetaBodySize = 4 + 1 + 8 + 8 + 32;
constexpr std::size_t kMetaSize = kMetaBodySize + 4;

struct CommitRecord {
    std::uint64_t latest = 0;
    std::uint64_t oldest = 0;
    Hash256 root = state::treeEmptyHash();
};

leveldb::Slice slice(ByteSpan b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
ByteSpan span(const leveldb::Slice& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Bytes prefixed(std::uint8_t space, ByteSpan rest) {
    Bytes k;
    k.reserve(1 + rest.size());
    k.push_back(space);
    k.insert(k.end(), rest.begin(), rest.end());
    return k;
}

Bytes metaKey() {
    return Bytes{keyspace::kStateMeta};
}

Bytes versionKey(std::uint8_t space, std::uint64_t version) {
    Writer w;
    w.u8(space);
    w.u64(version);
    return w.take();
}

Bytes encodeCommitRecord(const CommitRecord& r) {
    Writer w;
    w.fixed(kMetaMagic);
    w.u8(kMetaFormat);
    w.u64(r.latest);
    w.u64(r.oldest);
    codec::put(w, r.root);
    const Hash256 check = sha256(w.data());
    w.raw(ByteSpan(check.bytes().data(), 4));
    return w.take();
}

Expected<CommitRecord, StoreError> decodeCommitRecord(ByteSpan raw) {
    auto corrupt = [](const std::string& what) {
        return Unexpected(StoreError{StoreErrorCode::CorruptData, "state commit record " + what});
    };
    if (raw.size() < kMetaMagic.size() || !std::equal(kMetaMagic.begin(), kMetaMagic.end(), raw.begin())) {
        return corrupt("has a bad magic (not an Agora state database, or overwritten)");
    }
    if (raw.size() > kMetaMagic.size() && raw[kMetaMagic.size()] != kMetaFormat) {
        return Unexpected(StoreError{StoreErrorCode::IncompatibleFormat,
                                     "state commit record format " + std::to_string(raw[kMetaMagic.size()]) +
                                         ", this build reads format " + std::to_string(kMetaFormat)});
    }
    if (raw.size() != kMetaSize) {
        return corrupt("is " + std::to_string(raw.size()) + " bytes, expected " + std::to_string(kMetaSize) +
                       " (truncated or damaged)");
    }
    const Hash256 check = sha256(raw.first(kMetaBodySize));
    if (!std::equal(raw.begin() + kMetaBodySize, raw.end(), check.bytes().begin())) {
        return corrupt("fails its checksum");
    }
    Reader r(raw.first(kMetaBodySize));
    r.fixed<4>();
    r.u8();
    CommitRecord out;
    out.latest = r.u64();
    out.oldest = r.u64();
    out.root = codec::getHash(r);
    r.expectEnd();
    if (!r.ok()) return corrupt("does not decode: " + r.error()->message());
    if (out.oldest > out.latest) return corrupt("has oldest version above latest");
    return out;
}

// Reads the commit record; a database without one is the empty version 0.
Expected<CommitRecord, StoreError> readCommitRecord(leveldb::DB& db, const leveldb::ReadOptions& ro) {
    std::string raw;
    const Bytes key = metaKey();
    const leveldb::Status st = db.Get(ro, slice(key), &raw);
    if (st.IsNotFound()) return CommitRecord{};
    if (!st.ok()) return Unexpected(storeErrorFrom(st, "read state commit record"));
    return decodeCommitRecord(asBytes(raw));
}

// Root reference of `version` as seen through ro, checked against the record.
Expected<ChildRef, StoreError> readRootRef(leveldb::DB& db, const leveldb::ReadOptions& ro, const CommitRecord& rec,
                                           std::uint64_t version) {
    const std::string v = "version " + std::to_string(version);
    if (version > rec.latest) return Unexpected(StoreError{StoreErrorCode::UnknownVersion, v});
    if (version < rec.oldest) return Unexpected(StoreError{StoreErrorCode::PrunedVersion, v});
    if (version == 0) return ChildRef::empty();
    std::string raw;
    const Bytes key = versionKey(keyspace::kTreeRoot, version);
    const leveldb::Status st = db.Get(ro, slice(key), &raw);
    if (st.IsNotFound()) return Unexpected(StoreError{StoreErrorCode::UnknownVersion, v});
    if (!st.ok()) return Unexpected(storeErrorFrom(st, "read root of " + v));
    auto ref = decode<ChildRef>(asBytes(raw));
    if (!ref)
        return Unexpected(
            StoreError{StoreErrorCode::CorruptData, "root record of " + v + ": " + ref.error().message()});
    return *ref;
}

class LevelDbNodeSource final : public state::TreeNodeSource {
public:
    LevelDbNodeSource(leveldb::DB& db, leveldb::ReadOptions ro, TreeNodeCache* cache = nullptr)
        : db_(db), ro_(ro), cache_(cache) {}

    Expected<state::TreeNode, StoreError> loadNode(const state::NodeKey& key) const override {
        if (cache_ != nullptr) {
            if (auto hit = cache_->find(key)) return state::TreeNode{*hit};
        }
        const Bytes k = prefixed(keyspace::kTreeNode, key.encode());
        std::string raw;
        const leveldb::Status st = db_.Get(ro_, slice(k), &raw);
        const std::string where = "tree node v" + std::to_string(key.version) + " depth " + std::to_string(key.depth);
        if (st.IsNotFound()) return Unexpected(StoreError{StoreErrorCode::CorruptData, where + " missing"});
        if (!st.ok()) return Unexpected(storeErrorFrom(st, "read " + where));
        auto node = decode<state::TreeNode>(asBytes(raw));
        if (!node) return Unexpected(StoreError{StoreErrorCode::CorruptData, where + ": " + node.error().message()});
        if (cache_ != nullptr) {
            if (const auto* in = std::get_if<state::InternalNode>(&node->node)) cache_->put(key, *in);
        }
        return std::move(*node);
    }

private:
    leveldb::DB& db_;
    leveldb::ReadOptions ro_;
    TreeNodeCache* cache_;
};

// A LevelDB snapshot released when the last holder lets go.
class SnapshotHandle {
public:
    explicit SnapshotHandle(std::shared_ptr<leveldb::DB> db) : db_(std::move(db)), snap_(db_->GetSnapshot()) {}
    ~SnapshotHandle() { db_->ReleaseSnapshot(snap_); }
    SnapshotHandle(const SnapshotHandle&) = delete;
    SnapshotHandle& operator=(const SnapshotHandle&) = delete;

    leveldb::ReadOptions readOptions() const {
        leveldb::ReadOptions ro;
        ro.snapshot = snap_;
        return ro;
    }
    leveldb::DB& db() const { return *db_; }

private:
    std::shared_ptr<leveldb::DB> db_;
    const leveldb::Snapshot* snap_;
};

class LevelDbSnapshot final : public state::StateSnapshot {
public:
    LevelDbSnapshot(std::shared_ptr<SnapshotHandle> handle, const CommitRecord& rec)
        : handle_(std::move(handle)), version_(rec.latest), root_(rec.root) {}

    std::optional<Bytes> get(ByteSpan key) const override {
        const Bytes k = prefixed(keyspace::kStateValue, key);
        std::string raw;
        const leveldb::Status st = handle_->db().Get(handle_->readOptions(), slice(k), &raw);
        if (st.IsNotFound()) return std::nullopt;
        if (!st.ok()) throw StorageFailure(storeErrorFrom(st, "read state value"));
        const ByteSpan v = asBytes(raw);
        return Bytes(v.begin(), v.end());
    }

    void scan(ByteSpan prefix, ByteSpan start, const state::ScanVisitor& visit) const override {
        const Bytes p = prefixed(keyspace::kStateValue, prefix);
        Bytes from = prefixed(keyspace::kStateValue, start);
        if (from < p) from = p;
        std::unique_ptr<leveldb::Iterator> it(handle_->db().NewIterator(handle_->readOptions()));
        for (it->Seek(slice(from)); it->Valid(); it->Next()) {
            const ByteSpan k = span(it->key());
            if (k.size() < p.size() || !std::equal(p.begin(), p.end(), k.begin())) break;
            if (!visit(k.subspan(1), span(it->value()))) return;
        }
        if (!it->status().ok()) throw StorageFailure(storeErrorFrom(it->status(), "scan state"));
    }

    std::uint64_t version() const override { return version_; }
    Hash256 root() const override { return root_; }

private:
    std::shared_ptr<SnapshotHandle> handle_;
    std::uint64_t version_;
    Hash256 root_;
};

// Refuses caller writes into the state key spaces.
class ExtraWriteCheck final : public leveldb::WriteBatch::Handler {
public:
    void Put(const leveldb::Slice& key, const leveldb::Slice&) override { check(key); }
    void Delete(const leveldb::Slice& key) override { check(key); }
    bool ok = true;

private:
    void check(const leveldb::Slice& key) {
        if (key.empty() || static_cast<std::uint8_t>(key[0]) < keyspace::kStateReservedEnd) ok = false;
    }
};

}  // namespace

LevelDbStateStore::LevelDbStateStore(std::shared_ptr<leveldb::DB> db, const StateStoreOptions& options)
    : db_(std::move(db)),
      options_(options),
      cache_(options.cachedTreeNodes > 0 ? std::make_unique<TreeNodeCache>(options.cachedTreeNodes) : nullptr) {}

Expected<std::unique_ptr<LevelDbStateStore>, StoreError> LevelDbStateStore::open(const std::string& path,
                                                                                 const StateStoreOptions& options,
                                                                                 const DatabaseOptions& dbOptions) {
    auto db = openNodeDatabase(path, dbOptions);
    if (!db) return Unexpected(db.error());
    return attach(std::move(*db), options);
}

Expected<std::unique_ptr<LevelDbStateStore>, StoreError> LevelDbStateStore::attach(std::shared_ptr<leveldb::DB> db,
                                                                                   const StateStoreOptions& options) {
    std::unique_ptr<LevelDbStateStore> store(new LevelDbStateStore(std::move(db), options));
    auto loaded = store->load();
    if (!loaded) return Unexpected(loaded.error());
    return store;
}

Expected<void, StoreError> LevelDbStateStore::load() {
    const leveldb::ReadOptions ro;
    std::string raw;
    const Bytes key = metaKey();
    const leveldb::Status st = db_->Get(ro, slice(key), &raw);
    if (st.IsNotFound()) {
        // A fresh database, unless state records exist without their commit record.
        std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
        it->SeekToFirst();
        if (it->Valid() && static_cast<std::uint8_t>(it->key()[0]) < keyspace::kStateReservedEnd) {
            return Unexpected(StoreError{StoreErrorCode::CorruptData,
                                         "state records present but the state commit record is missing"});
        }
        if (!it->status().ok()) return Unexpected(storeErrorFrom(it->status(), "scan database"));
        return {};
    }
    if (!st.ok()) return Unexpected(storeErrorFrom(st, "read state commit record"));
    auto rec = decodeCommitRecord(asBytes(raw));
    if (!rec) return Unexpected(rec.error());
    auto ref = readRootRef(*db_, ro, *rec, rec->latest);
    if (!ref) {
        return Unexpected(
            StoreError{StoreErrorCode::CorruptData, "state commit record names version " + std::to_string(rec->latest) +
                                                        " but its root is unreadable (" + ref.error().message() + ")"});
    }
    if (ref->hash != rec->root) {
        return Unexpected(StoreError{
            StoreErrorCode::CorruptData,
            "state commit record root differs from the root record of version " + std::to_string(rec->latest)});
    }
    latest_ = rec->latest;
    oldest_ = rec->oldest;
    rootRef_ = *ref;
    return {};
}

std::uint64_t LevelDbStateStore::latestVersion() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

std::uint64_t LevelDbStateStore::oldestVersion() const {
    std::lock_guard lock(mutex_);
    return oldest_;
}

Expected<Hash256, StoreError> LevelDbStateStore::root(std::uint64_t version) const {
    SnapshotHandle snap(db_);
    auto rec = readCommitRecord(*db_, snap.readOptions());
    if (!rec) return Unexpected(rec.error());
    auto ref = readRootRef(*db_, snap.readOptions(), *rec, version);
    if (!ref) return Unexpected(ref.error());
    return ref->hash;
}

std::shared_ptr<const state::StateSnapshot> LevelDbStateStore::snapshot() const {
    auto handle = std::make_shared<SnapshotHandle>(db_);
    auto rec = readCommitRecord(*db_, handle->readOptions());
    if (!rec) throw StorageFailure(rec.error());
    return std::make_shared<LevelDbSnapshot>(std::move(handle), *rec);
}

Expected<state::StateProof, StoreError> LevelDbStateStore::prove(ByteSpan key, std::uint64_t version) const {
    // One LevelDB snapshot for the whole walk, so a concurrent prune cannot
    // pull nodes from under it.
    SnapshotHandle snap(db_);
    auto rec = readCommitRecord(*db_, snap.readOptions());
    if (!rec) return Unexpected(rec.error());
    auto ref = readRootRef(*db_, snap.readOptions(), *rec, version);
    if (!ref) return Unexpected(ref.error());
    const LevelDbNodeSource source(*db_, snap.readOptions());
    return state::SparseMerkleTree::prove(source, *ref, key);
}

Expected<PreparedCommit, StoreError> LevelDbStateStore::prepare(std::uint64_t version,
                                                                const state::StateChanges& changes) const {
    std::uint64_t base = 0;
    ChildRef baseRef;
    {
        std::lock_guard lock(mutex_);
        base = latest_;
        baseRef = rootRef_;
    }
    if (version <= base) {
        return Unexpected(StoreError{StoreErrorCode::VersionNotIncreasing,
                                     "commit " + std::to_string(version) + " after " + std::to_string(base)});
    }
    // Tree nodes are immutable once written, so no snapshot is needed here.
    const LevelDbNodeSource source(*db_, leveldb::ReadOptions{}, cache_.get());
    auto tree = state::SparseMerkleTree::update(source, baseRef, version, changes);
    if (!tree) return Unexpected(tree.error());

    PreparedCommit p;
    p.version = version;
    p.baseVersion = base;
    p.root = tree->root.hash;
    p.rootRef_ = tree->root;
    leveldb::WriteBatch& b = p.state_;
    for (const auto& [key, value] : changes) {
        const Bytes k = prefixed(keyspace::kStateValue, key);
        if (value)
            b.Put(slice(k), slice(*value));
        else
            b.Delete(slice(k));
    }
    for (const auto& [nodeKey, node] : tree->newNodes) {
        b.Put(slice(prefixed(keyspace::kTreeNode, nodeKey.encode())), slice(encode(node)));
        if (cache_ == nullptr) continue;
        if (const auto* in = std::get_if<state::InternalNode>(&node.node)) p.newInternal_.emplace_back(nodeKey, *in);
    }
    if (cache_ != nullptr) p.stale_ = tree->staleNodes;
    const Bytes staleBase = versionKey(keyspace::kTreeStale, version);
    for (const auto& nodeKey : tree->staleNodes) {
        Bytes k = staleBase;
        const Bytes nk = nodeKey.encode();
        k.insert(k.end(), nk.begin(), nk.end());
        b.Put(slice(k), leveldb::Slice());
    }
    b.Put(slice(versionKey(keyspace::kTreeRoot, version)), slice(encode(tree->root)));
    return p;
}

Expected<Hash256, StoreError> LevelDbStateStore::write(PreparedCommit&& prepared) {
    ExtraWriteCheck check;
    const leveldb::Status iterated = prepared.extra.Iterate(&check);
    if (!iterated.ok()) return Unexpected(storeErrorFrom(iterated, "read extra writes"));
    if (!check.ok) {
        return Unexpected(StoreError{StoreErrorCode::ReservedKeySpace,
                                     "extra writes must use key spaces >= 0x10; 0x00-0x0F belong to the state store"});
    }
    std::uint64_t latest = 0;
    {
        std::lock_guard lock(mutex_);
        if (prepared.baseVersion != latest_) {
            return Unexpected(StoreError{StoreErrorCode::StalePreparedCommit,
                                         "prepared on version " + std::to_string(prepared.baseVersion) +
                                             ", latest is " + std::to_string(latest_)});
        }
        leveldb::WriteBatch& b = prepared.state_;
        b.Put(slice(metaKey()), slice(encodeCommitRecord(CommitRecord{prepared.version, oldest_, prepared.root})));
        b.Append(prepared.extra);
        leveldb::WriteOptions wo;
        wo.sync = prepared.sync;
        const leveldb::Status st = db_->Write(wo, &b);
        if (!st.ok()) return Unexpected(storeErrorFrom(st, "write commit " + std::to_string(prepared.version)));
        latest_ = prepared.version;
        rootRef_ = prepared.rootRef_;
        latest = latest_;
    }
    if (cache_ != nullptr) {
        // Stale first: a position rewritten in this version is erased at its
        // old version and then holds the new node.
        for (const auto& key : prepared.stale_) cache_->erase(key);
        for (const auto& [key, node] : prepared.newInternal_) cache_->put(key, node);
    }
    if (options_.keepRecent > 0 && latest >= options_.keepRecent) {
        auto pruned = pruneBelow(latest - options_.keepRecent + 1);
        if (!pruned) return Unexpected(pruned.error());
    }
    return prepared.root;
}

Expected<Hash256, StoreError> LevelDbStateStore::commit(std::uint64_t version, const state::StateChanges& changes) {
    auto prepared = prepare(version, changes);
    if (!prepared) return Unexpected(prepared.error());
    return write(std::move(*prepared));
}

Expected<void, StoreError> LevelDbStateStore::pruneBelow(std::uint64_t oldestKept) {
    std::lock_guard lock(mutex_);
    if (oldestKept > latest_) {
        return Unexpected(StoreError{StoreErrorCode::UnknownVersion, "prune below " + std::to_string(oldestKept) +
                                                                         " beyond latest " + std::to_string(latest_)});
    }
    if (oldestKept <= oldest_) return {};
    leveldb::WriteBatch b;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions{}));
    // A node replaced at version s belongs only to trees of versions < s.
    const Bytes staleEnd = versionKey(keyspace::kTreeStale, oldestKept + 1);
    // Start past what earlier prunes deleted (every entry of a version <=
    // oldest_): iterating over their tombstones from the start of the key
    // space made each prune cost O(history) until LevelDB compacted them.
    for (it->Seek(slice(versionKey(keyspace::kTreeStale, oldest_ + 1))); it->Valid(); it->Next()) {
        const ByteSpan k = span(it->key());
        if (k[0] != keyspace::kTreeStale ||
            !std::lexicographical_compare(k.begin(), k.end(), staleEnd.begin(), staleEnd.end()))
            break;
        if (k.size() < 1 + 8) return Unexpected(StoreError{StoreErrorCode::CorruptData, "short stale-index key"});
        b.Delete(slice(prefixed(keyspace::kTreeNode, k.subspan(1 + 8))));
        b.Delete(it->key());
    }
    const Bytes rootsEnd = versionKey(keyspace::kTreeRoot, oldestKept);
    for (it->Seek(slice(versionKey(keyspace::kTreeRoot, oldest_))); it->Valid(); it->Next()) {
        const ByteSpan k = span(it->key());
        if (!std::lexicographical_compare(k.begin(), k.end(), rootsEnd.begin(), rootsEnd.end())) break;
        b.Delete(it->key());
    }
    if (!it->status().ok()) return Unexpected(storeErrorFrom(it->status(), "scan for pruning"));
    b.Put(slice(metaKey()), slice(encodeCommitRecord(CommitRecord{latest_, oldestKept, rootRef_.hash})));
    // Not synced: the batch is atomic, and losing it in a crash only means
    // pruning again; the next synced commit makes it durable.
    const leveldb::Status st = db_->Write(leveldb::WriteOptions{}, &b);
    if (!st.ok()) return Unexpected(storeErrorFrom(st, "write prune"));
    oldest_ = oldestKept;
    return {};
}

}  // namespace agora::node
