#include <catch2/catch.hpp>
#include <filesystem>
#include <unistd.h>

#include "node/chain/BlockStore.h"

using namespace agora;
using namespace agora::node;
namespace fs = std::filesystem;

namespace {
struct TempDb {
    fs::path dir = fs::temp_directory_path() / ("agora-blockstore-" + std::to_string(::getpid()));
    std::shared_ptr<leveldb::DB> db;
    TempDb() {
        fs::remove_all(dir);
        open();
    }
    void open() {
        db.reset();
        leveldb::Options o;
        o.create_if_missing = true;
        leveldb::DB* raw = nullptr;
        REQUIRE(leveldb::DB::Open(o, dir.string(), &raw).ok());
        db.reset(raw);
    }
    ~TempDb() {
        db.reset();
        fs::remove_all(dir);
    }
};

std::pair<Block, CommitCertificate> makeBlock(std::uint64_t height, const Hash256& parent) {
    Block b;
    b.header.chainId = "c";
    b.header.height = height;
    b.header.lastBlockId = parent;
    b.txs = {Bytes{std::uint8_t(height), 1}, Bytes{std::uint8_t(height), 2}};
    b.sealContentHashes();
    CommitCertificate c;
    c.height = height;
    c.blockId = b.id();
    c.signatures.push_back({PublicKey::fromHex(std::string(63, '0') + "1").value(), Signature{}});
    return {b, c};
}

void commitBlock(TempDb& t, BlockStore& store, const Block& b, const CommitCertificate& c) {
    leveldb::WriteBatch batch;
    REQUIRE(store.stage(batch, b, c, Bytes{9, 9}).hasValue());
    leveldb::WriteOptions wo;
    wo.sync = true;
    REQUIRE(t.db->Write(wo, &batch).ok());
    store.committed(b.header.height);
}
}  // namespace

TEST_CASE("block store serves blocks by height and id, certificates, results and tx locations", "[blockstore]") {
    TempDb t;
    auto store = std::make_unique<Expected<BlockStore, std::string>>(BlockStore::open(t.db));
    REQUIRE(store->hasValue());
    auto& s = **store;
    REQUIRE(s.latestHeight() == 0);
    auto [b1, c1] = makeBlock(1, Hash256{});
    commitBlock(t, s, b1, c1);
    auto [b2, c2] = makeBlock(2, b1.id());
    commitBlock(t, s, b2, c2);

    REQUIRE(s.latestHeight() == 2);
    REQUIRE(s.baseHeight() == 1);
    REQUIRE(s.block(2).value() == b2);
    REQUIRE(s.heightOf(b1.id()) == 1u);
    REQUIRE(s.commit(1).value() == c1);
    REQUIRE(s.results(2).value() == Bytes{9, 9});
    REQUIRE(s.txLocation(sha256(b2.txs[1])).value() == TxLocation{2, 1});
    REQUIRE_FALSE(s.block(3).has_value());
    REQUIRE_FALSE(s.txLocation(sha256(asBytes("nope"))).has_value());

    // Reopening restores the heights from the meta record.
    store.reset();  // release the database before reopening it
    t.open();
    auto reopened = BlockStore::open(t.db);
    REQUIRE(reopened->latestHeight() == 2);
    REQUIRE(reopened->baseHeight() == 1);
}

TEST_CASE("block store refuses non-consecutive heights and mismatched certificates", "[blockstore]") {
    TempDb t;
    auto store = BlockStore::open(t.db);
    auto [b1, c1] = makeBlock(1, Hash256{});
    commitBlock(t, *store, b1, c1);
    auto [b3, c3] = makeBlock(3, Hash256{});
    leveldb::WriteBatch batch;
    REQUIRE_FALSE(store->stage(batch, b3, c3, {}).hasValue());
    auto [b2, c2] = makeBlock(2, b1.id());
    c2.blockId = b1.id();
    REQUIRE_FALSE(store->stage(batch, b2, c2, {}).hasValue());
}

TEST_CASE("a staged block is invisible until its batch is written", "[blockstore]") {
    TempDb t;
    auto store = BlockStore::open(t.db);
    auto [b1, c1] = makeBlock(1, Hash256{});
    leveldb::WriteBatch batch;
    REQUIRE(store->stage(batch, b1, c1, {}).hasValue());
    REQUIRE_FALSE(store->block(1).has_value());
    REQUIRE(store->latestHeight() == 0);
}
