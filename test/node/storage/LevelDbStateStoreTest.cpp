#include <catch2/catch.hpp>

#include <map>

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/StateTestUtil.h"
#include "node/storage/KeySpace.h"
#include "node/storage/LevelDbStateStore.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::state;
using agora::node::LevelDbStateStore;
using agora::test::bytesOf;
using agora::test::TempDir;
using agora::test::TestRng;

namespace {

std::unique_ptr<LevelDbStateStore> openStore(const std::string& path, node::StateStoreOptions opts = {}) {
    auto s = LevelDbStateStore::open(path, opts);
    if (!s) FAIL("open failed: " << s.error().message());
    return std::move(*s);
}

// Deterministic changes for block h (a writer and a replayer must agree).
StateChanges blockChanges(std::uint64_t h) {
    TestRng rng(h * 0x9E37ULL + 17);
    StateChanges c;
    for (std::uint64_t i = 0, n = 1 + rng.below(40); i < n; ++i) {
        Bytes key = agora::test::randomKey(rng, 300);
        if (rng.chance(20))
            c[key] = std::nullopt;
        else
            c[key] = agora::test::randomValue(rng);
    }
    return c;
}

std::map<Bytes, Bytes> readAll(const StateReader& r) {
    std::map<Bytes, Bytes> out;
    r.scan({}, {}, [&](ByteSpan k, ByteSpan v) {
        out.emplace(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
        return true;
    });
    return out;
}

leveldb::DB* rawOpen(const std::string& path) {
    leveldb::DB* db = nullptr;
    leveldb::Options o;
    REQUIRE(leveldb::DB::Open(o, path, &db).ok());
    return db;
}

std::string rawGet(leveldb::DB& db, const Bytes& key) {
    std::string v;
    REQUIRE(db.Get({}, leveldb::Slice(reinterpret_cast<const char*>(key.data()), key.size()), &v).ok());
    return v;
}

void rawPut(leveldb::DB& db, const Bytes& key, const std::string& value) {
    REQUIRE(db.Put({}, leveldb::Slice(reinterpret_cast<const char*>(key.data()), key.size()), value).ok());
}

}  // namespace

TEST_CASE("LevelDB store yields the same root at every height as the in-memory store", "[leveldb]") {
    TempDir dir("smt-same");
    auto disk = openStore(dir.path());
    MemoryStateStore mem;
    std::map<Bytes, Bytes> model;
    for (std::uint64_t h = 1; h <= 60; ++h) {
        const StateChanges c = blockChanges(h);
        agora::test::applyTo(model, c);
        const Hash256 a = disk->commit(h, c).value();
        const Hash256 b = mem.commit(h, c).value();
        REQUIRE(a == b);
        REQUIRE(a == agora::test::referenceTree(model).root);
    }
    CHECK(readAll(*disk->snapshot()) == model);
    CHECK(readAll(*mem.snapshot()) == model);
}

TEST_CASE("reopening the LevelDB store gives the same version, roots, values and proofs", "[leveldb]") {
    TempDir dir("smt-reopen");
    std::map<Bytes, Bytes> model;
    std::map<std::uint64_t, Hash256> roots;
    {
        auto store = openStore(dir.path());
        for (std::uint64_t h = 1; h <= 30; ++h) {
            const StateChanges c = blockChanges(h);
            agora::test::applyTo(model, c);
            roots[h] = store->commit(h, c).value();
        }
    }
    auto store = openStore(dir.path());
    CHECK(store->latestVersion() == 30);
    for (const auto& [h, r] : roots) CHECK(store->root(h).value() == r);
    auto snap = store->snapshot();
    CHECK(snap->version() == 30);
    CHECK(snap->root() == roots[30]);
    CHECK(readAll(*snap) == model);
    for (const auto& [k, v] : model) {
        auto p = store->prove(k, 30).value();
        CHECK(verifyProof(roots[30], k, v, p.proof));
    }
    // Continues from where it stopped, to the same hashes as an uninterrupted run.
    MemoryStateStore mem;
    for (std::uint64_t h = 1; h <= 35; ++h) {
        const Hash256 expect = mem.commit(h, blockChanges(h)).value();
        if (h > 30) CHECK(store->commit(h, blockChanges(h)).value() == expect);
    }
}

TEST_CASE("a LevelDB snapshot keeps reading its version while later versions commit", "[leveldb]") {
    TempDir dir("smt-snap");
    auto store = openStore(dir.path());
    StateChanges c1;
    c1[bytesOf("a/1")] = bytesOf("one");
    c1[bytesOf("a/2")] = bytesOf("two");
    REQUIRE(store->commit(1, c1).hasValue());
    auto snap1 = store->snapshot();
    StateChanges c2;
    c2[bytesOf("a/1")] = std::nullopt;
    c2[bytesOf("a/2")] = bytesOf("TWO");
    c2[bytesOf("a/3")] = bytesOf("three");
    REQUIRE(store->commit(2, c2).hasValue());
    auto snap2 = store->snapshot();

    CHECK(snap1->version() == 1);
    CHECK(snap1->root() == store->root(1).value());
    CHECK(readAll(*snap1) ==
          std::map<Bytes, Bytes>{{bytesOf("a/1"), bytesOf("one")}, {bytesOf("a/2"), bytesOf("two")}});
    CHECK(snap2->version() == 2);
    CHECK(readAll(*snap2) ==
          std::map<Bytes, Bytes>{{bytesOf("a/2"), bytesOf("TWO")}, {bytesOf("a/3"), bytesOf("three")}});
    std::vector<Bytes> seen;
    snap2->scan(asBytes("a/"), asBytes("a/3"), [&](ByteSpan k, ByteSpan) {
        seen.emplace_back(k.begin(), k.end());
        return true;
    });
    CHECK(seen == std::vector<Bytes>{bytesOf("a/3")});
}

TEST_CASE("extra node writes commit in the same batch and writes into state key spaces are refused", "[leveldb]") {
    TempDir dir("smt-extra");
    auto store = openStore(dir.path());
    StateChanges c;
    c[bytesOf("k")] = bytesOf("v");

    auto refused = store->prepare(1, c).value();
    refused.extra.Put(leveldb::Slice("\x02k", 2), "sneaky");
    CHECK(store->write(std::move(refused)).error().code == StoreErrorCode::ReservedKeySpace);
    CHECK(store->latestVersion() == 0);
    CHECK_FALSE(store->snapshot()->get(asBytes("k")).has_value());

    auto prepared = store->prepare(1, c).value();
    const Hash256 expected = prepared.root;
    prepared.extra.Put(leveldb::Slice("\x10"
                                      "block/1",
                                      8),
                       "header bytes");
    CHECK(store->write(std::move(prepared)).value() == expected);
    std::string block;
    CHECK(store->database()
              ->Get({},
                    leveldb::Slice("\x10"
                                   "block/1",
                                   8),
                    &block)
              .ok());
    CHECK(block == "header bytes");
    CHECK(store->root(1).value() == expected);
}

TEST_CASE("an abandoned or stale prepared commit changes nothing", "[leveldb]") {
    TempDir dir("smt-prepared");
    {
        auto store = openStore(dir.path());
        REQUIRE(store->commit(1, blockChanges(1)).hasValue());
        auto abandoned = store->prepare(2, blockChanges(2)).value();
        auto stale = store->prepare(2, blockChanges(3)).value();
        REQUIRE(store->commit(2, blockChanges(2)).hasValue());
        CHECK(store->write(std::move(stale)).error().code == StoreErrorCode::StalePreparedCommit);
        CHECK(store->latestVersion() == 2);
        (void)abandoned;  // dropped without write(), as a crash before write() would
    }
    auto store = openStore(dir.path());
    MemoryStateStore mem;
    mem.commit(1, blockChanges(1)).value();
    CHECK(store->latestVersion() == 2);
    CHECK(store->root(2).value() == mem.commit(2, blockChanges(2)).value());
}

TEST_CASE("LevelDB pruning keeps recent versions provable and persists across reopen", "[leveldb]") {
    TempDir dir("smt-prune");
    MemoryStateStore mem;
    {
        auto store = openStore(dir.path(), node::StateStoreOptions{5});
        for (std::uint64_t h = 1; h <= 40; ++h) {
            const StateChanges c = blockChanges(h);
            REQUIRE(store->commit(h, c).value() == mem.commit(h, c).value());
        }
        CHECK(store->oldestVersion() == 36);
        CHECK(store->root(35).error().code == StoreErrorCode::PrunedVersion);
    }
    auto store = openStore(dir.path());
    CHECK(store->oldestVersion() == 36);
    CHECK(store->prove(asBytes("k/1"), 30).error().code == StoreErrorCode::PrunedVersion);
    for (std::uint64_t h = 36; h <= 40; ++h) {
        for (int i = 0; i < 300; i += 7) {
            const Bytes k = bytesOf("k/" + std::to_string(i));
            auto p = store->prove(k, h);
            REQUIRE(p.hasValue());
            auto expect = mem.prove(k, h).value();
            CHECK(p->value == expect.value);
            CHECK(verifyProof(store->root(h).value(), k, p->value, p->proof));
        }
    }
    // The stale index left nothing behind: every stored node belongs to a kept version.
    std::size_t nodes = 0;
    std::unique_ptr<leveldb::Iterator> it(store->database()->NewIterator({}));
    for (it->Seek(leveldb::Slice("\x03", 1)); it->Valid() && it->key()[0] == '\x03'; it->Next()) ++nodes;
    REQUIRE(mem.pruneBelow(36).hasValue());
    CHECK(nodes == mem.nodeCount());
}

TEST_CASE("a truncated, overwritten or inconsistent commit record is a clear error, not a crash", "[leveldb]") {
    TempDir dir("smt-corrupt");
    const std::string path = dir.path();
    {
        auto store = openStore(path);
        for (std::uint64_t h = 1; h <= 3; ++h) REQUIRE(store->commit(h, blockChanges(h)).hasValue());
    }
    const Bytes meta{node::keyspace::kStateMeta};
    std::string good;
    {
        std::unique_ptr<leveldb::DB> db(rawOpen(path));
        good = rawGet(*db, meta);
    }
    auto expectOpenError = [&](const std::string& record, StoreErrorCode code, const std::string& words) {
        {
            std::unique_ptr<leveldb::DB> db(rawOpen(path));
            rawPut(*db, meta, record);
        }
        auto s = LevelDbStateStore::open(path);
        REQUIRE_FALSE(s.hasValue());
        CHECK(s.error().code == code);
        CHECK_THAT(s.error().message(), Catch::Contains(words));
    };
    expectOpenError(good.substr(0, 20), StoreErrorCode::CorruptData, "truncated");
    expectOpenError("", StoreErrorCode::CorruptData, "magic");
    expectOpenError("XXXX" + good.substr(4), StoreErrorCode::CorruptData, "magic");
    std::string future = good;
    future[4] = 9;
    expectOpenError(future, StoreErrorCode::IncompatibleFormat, "format 9");
    std::string flipped = good;
    flipped[30] = static_cast<char>(flipped[30] ^ 1);
    expectOpenError(flipped, StoreErrorCode::CorruptData, "checksum");
    {
        // A well-formed record that names a version never committed.
        std::string ahead = good;
        ahead[12] = 9;  // latest version's low byte: 3 -> 9
        const Hash256 check = sha256(asBytes(std::string_view(ahead).substr(0, 53)));
        for (int i = 0; i < 4; ++i)
            ahead[static_cast<std::size_t>(53 + i)] = static_cast<char>(check.bytes()[static_cast<std::size_t>(i)]);
        expectOpenError(ahead, StoreErrorCode::CorruptData, "version 9");
    }
    {
        std::unique_ptr<leveldb::DB> db(rawOpen(path));
        REQUIRE(db->Delete({}, leveldb::Slice(reinterpret_cast<const char*>(meta.data()), 1)).ok());
    }
    auto missing = LevelDbStateStore::open(path);
    REQUIRE_FALSE(missing.hasValue());
    CHECK(missing.error().code == StoreErrorCode::CorruptData);
    CHECK_THAT(missing.error().message(), Catch::Contains("missing"));
    {
        std::unique_ptr<leveldb::DB> db(rawOpen(path));
        rawPut(*db, meta, good);
    }
    auto restored = openStore(path);
    CHECK(restored->latestVersion() == 3);
}

TEST_CASE("a corrupt tree node makes prove and commit fail with CorruptData", "[leveldb]") {
    TempDir dir("smt-node");
    const std::string path = dir.path();
    {
        auto store = openStore(path);
        StateChanges c;
        for (int i = 0; i < 64; ++i) c[bytesOf("k" + std::to_string(i))] = bytesOf("v");
        REQUIRE(store->commit(1, c).hasValue());
    }
    {
        std::unique_ptr<leveldb::DB> db(rawOpen(path));
        std::unique_ptr<leveldb::Iterator> it(db->NewIterator({}));
        leveldb::WriteBatch b;
        for (it->Seek(leveldb::Slice("\x03", 1)); it->Valid() && it->key()[0] == '\x03'; it->Next()) {
            b.Put(it->key(), "\x07garbage");
        }
        REQUIRE(db->Write({}, &b).ok());
    }
    auto store = openStore(path);
    auto p = store->prove(asBytes("k1"), 1);
    REQUIRE_FALSE(p.hasValue());
    CHECK(p.error().code == StoreErrorCode::CorruptData);
    StateChanges c;
    c[bytesOf("k1")] = bytesOf("w");
    auto r = store->commit(2, c);
    REQUIRE_FALSE(r.hasValue());
    CHECK(r.error().code == StoreErrorCode::CorruptData);
    CHECK(store->latestVersion() == 1);
}

TEST_CASE("opening a database locked by another store is an I/O error", "[leveldb]") {
    TempDir dir("smt-lock");
    auto first = openStore(dir.path());
    auto second = LevelDbStateStore::open(dir.path());
    REQUIRE_FALSE(second.hasValue());
    CHECK(second.error().code == StoreErrorCode::IoError);
}

TEST_CASE("with keep-recent pruning and reopens, every kept version proves the same values as the memory store",
          "[leveldb]") {
    TempDir dir("smt-long");
    MemoryStateStore mem;
    const std::uint64_t keep = 4;
    std::unique_ptr<LevelDbStateStore> store;
    for (std::uint64_t h = 1; h <= 80; ++h) {
        if (h % 10 == 1) {
            store.reset();  // close, then reopen from disk
            store = openStore(dir.path(), node::StateStoreOptions{keep});
        }
        const StateChanges c = blockChanges(h);
        REQUIRE(store->commit(h, c).value() == mem.commit(h, c).value());
        const std::uint64_t oldest = h >= keep ? h - keep + 1 : 0;
        REQUIRE(store->oldestVersion() == oldest);
        TestRng rng(h);
        for (std::uint64_t v = std::max<std::uint64_t>(oldest, 1); v <= h; ++v) {
            const Bytes k = agora::test::randomKey(rng, 320);  // some keys never written
            auto p = store->prove(k, v);
            REQUIRE(p.hasValue());
            CHECK(p->value == mem.prove(k, v).value().value);
            CHECK(verifyProof(mem.root(v).value(), k, p->value, p->proof));
        }
    }
}
