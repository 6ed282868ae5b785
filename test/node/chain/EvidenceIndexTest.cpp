// EvidenceIndex: committed evidence indexed with the block that carries it
// and listed by inclusion height, validator and limit.
#include <catch2/catch.hpp>

#include "consensus/core/Evidence.h"
#include "node/chain/EvidenceIndex.h"
#include "node/storage/NodeDatabase.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace agora::node;

namespace {

DuplicateVoteEvidence equivocation(const test::TestKey& key, std::uint64_t height) {
    auto vote = [&](std::optional<Hash256> id) {
        Vote v;
        v.type = VoteType::Prevote;
        v.height = height;
        v.round = 0;
        v.blockId = id;
        v.validator = key.publicKey;
        v.signature = test::signDigest32(key, v.signDigest("chain"));
        return v;
    };
    auto ev = DuplicateVoteEvidence::make(vote(sha256(Bytes{1})), vote(sha256(Bytes{2})));
    REQUIRE(ev.hasValue());
    return *ev;
}

Block blockWith(std::uint64_t height, std::vector<DuplicateVoteEvidence> evidence) {
    Block b;
    b.header.height = height;
    b.evidence = std::move(evidence);
    return b;
}

}  // namespace

TEST_CASE("committed evidence is listed by inclusion height, validator and limit", "[chain][evidence]") {
    test::TempDir dir("evidence-index");
    auto db = openNodeDatabase(dir.path("db"), DatabaseOptions{});
    REQUIRE(db.hasValue());
    const auto alice = test::testKey(1), bob = test::testKey(2);
    const auto e1 = equivocation(alice, 3), e2 = equivocation(bob, 3), e3 = equivocation(bob, 7);
    leveldb::WriteBatch batch;
    stageEvidenceIndex(batch, blockWith(4, {e1, e2}));
    stageEvidenceIndex(batch, blockWith(5, {}));
    stageEvidenceIndex(batch, blockWith(9, {e3}));
    REQUIRE((*db)->Write(leveldb::WriteOptions(), &batch).ok());

    auto all = listCommittedEvidence(**db, EvidenceFilter{});
    REQUIRE(all.size() == 3);
    CHECK(all[0].height == 4);
    CHECK(all[0].index == 0);
    CHECK(all[0].evidence == e1);
    CHECK(all[0].hash() == sha256(encode(e1)));
    CHECK(all[1].height == 4);
    CHECK(all[1].index == 1);
    CHECK(all[1].evidence == e2);
    CHECK(all[2].height == 9);
    CHECK(all[2].evidence == e3);

    EvidenceFilter byBob;
    byBob.validator = bob.publicKey;
    auto bobs = listCommittedEvidence(**db, byBob);
    REQUIRE(bobs.size() == 2);
    CHECK(bobs[0].evidence == e2);
    CHECK(bobs[1].evidence == e3);

    EvidenceFilter range;
    range.minHeight = 5;
    range.maxHeight = 9;
    REQUIRE(listCommittedEvidence(**db, range).size() == 1);
    range.maxHeight = 8;
    CHECK(listCommittedEvidence(**db, range).empty());
    range.minHeight = 4;
    range.maxHeight = 4;
    CHECK(listCommittedEvidence(**db, range).size() == 2);
    range.minHeight = 10;
    range.maxHeight = 0;
    CHECK(listCommittedEvidence(**db, range).empty());

    EvidenceFilter firstOnly;
    firstOnly.limit = 1;
    auto one = listCommittedEvidence(**db, firstOnly);
    REQUIRE(one.size() == 1);
    CHECK(one[0].evidence == e1);
}

TEST_CASE("the evidence index ignores keys of other key spaces around it", "[chain][evidence]") {
    test::TempDir dir("evidence-index-neighbours");
    auto db = openNodeDatabase(dir.path("db"), DatabaseOptions{});
    REQUIRE(db.hasValue());
    // Neighbouring key spaces (0x16 chain record, 0x18 unallocated) must not be read as evidence.
    REQUIRE((*db)->Put(leveldb::WriteOptions(), std::string(1, '\x16'), "x").ok());
    REQUIRE((*db)->Put(leveldb::WriteOptions(), std::string("\x18") + "abc", "y").ok());
    CHECK(listCommittedEvidence(**db, EvidenceFilter{}).empty());
    leveldb::WriteBatch batch;
    stageEvidenceIndex(batch, blockWith(2, {equivocation(test::testKey(3), 1)}));
    REQUIRE((*db)->Write(leveldb::WriteOptions(), &batch).ok());
    CHECK(listCommittedEvidence(**db, EvidenceFilter{}).size() == 1);
}
