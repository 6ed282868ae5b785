#include <catch2/catch.hpp>

#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/Sandbox.h"
#include "consensus/state/StateTestUtil.h"

using namespace agora;
using namespace agora::state;
using agora::test::bytesOf;

namespace {
std::vector<std::pair<Bytes, Bytes>> scanAll(const StateReader& r, std::string_view prefix) {
    std::vector<std::pair<Bytes, Bytes>> out;
    r.scan(asBytes(prefix), {}, [&](ByteSpan k, ByteSpan v) {
        out.emplace_back(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
        return true;
    });
    return out;
}
}  // namespace

TEST_CASE("a snapshot keeps reading its version while later versions commit", "[store]") {
    MemoryStateStore store;
    StateChanges c1;
    c1[bytesOf("a/1")] = bytesOf("one");
    c1[bytesOf("a/2")] = bytesOf("two");
    c1[bytesOf("b/1")] = bytesOf("bee");
    REQUIRE(store.commit(1, c1).hasValue());
    auto snap1 = store.snapshot();

    StateChanges c2;
    c2[bytesOf("a/1")] = std::nullopt;
    c2[bytesOf("a/2")] = bytesOf("TWO");
    c2[bytesOf("a/3")] = bytesOf("three");
    const Hash256 root2 = store.commit(2, c2).value();
    auto snap2 = store.snapshot();

    CHECK(snap1->version() == 1);
    CHECK(snap1->root() == store.root(1).value());
    CHECK(*snap1->get(asBytes("a/1")) == bytesOf("one"));
    CHECK(*snap1->get(asBytes("a/2")) == bytesOf("two"));
    CHECK_FALSE(snap1->get(asBytes("a/3")).has_value());
    CHECK(scanAll(*snap1, "a/") ==
          std::vector<std::pair<Bytes, Bytes>>{{bytesOf("a/1"), bytesOf("one")}, {bytesOf("a/2"), bytesOf("two")}});

    CHECK(snap2->version() == 2);
    CHECK(snap2->root() == root2);
    CHECK_FALSE(snap2->get(asBytes("a/1")).has_value());
    CHECK(scanAll(*snap2, "a/") ==
          std::vector<std::pair<Bytes, Bytes>>{{bytesOf("a/2"), bytesOf("TWO")}, {bytesOf("a/3"), bytesOf("three")}});
    CHECK(scanAll(*snap2, "b/").size() == 1);
}

TEST_CASE("snapshot scans honour start and stop when the visitor returns false", "[store]") {
    MemoryStateStore store;
    StateChanges c;
    for (int i = 0; i < 10; ++i) c[bytesOf("p/" + std::to_string(i))] = bytesOf("v");
    c[bytesOf("q/0")] = bytesOf("v");
    REQUIRE(store.commit(1, c).hasValue());
    auto snap = store.snapshot();
    std::vector<Bytes> seen;
    snap->scan(asBytes("p/"), asBytes("p/4"), [&](ByteSpan k, ByteSpan) {
        seen.emplace_back(k.begin(), k.end());
        return seen.size() < 3;
    });
    CHECK(seen == std::vector<Bytes>{bytesOf("p/4"), bytesOf("p/5"), bytesOf("p/6")});
}

TEST_CASE("a sandbox over a snapshot commits its changes as the next version", "[store]") {
    MemoryStateStore store;
    StateChanges c;
    c[bytesOf("bal/alice")] = bytesOf("10");
    REQUIRE(store.commit(1, c).hasValue());
    auto snap = store.snapshot();
    Sandbox block(*snap);
    block.put(asBytes("bal/bob"), asBytes("5"));
    block.erase(asBytes("bal/alice"));
    REQUIRE(store.commit(2, block.changes()).hasValue());
    auto after = store.snapshot();
    CHECK_FALSE(after->get(asBytes("bal/alice")).has_value());
    CHECK(*after->get(asBytes("bal/bob")) == bytesOf("5"));
}

TEST_CASE("commit versions must increase, gaps are unknown versions and version 0 is the empty state", "[store]") {
    MemoryStateStore store;
    CHECK(store.latestVersion() == 0);
    CHECK(store.root(0).value() == treeEmptyHash());
    StateChanges c;
    c[bytesOf("x")] = bytesOf("1");
    REQUIRE(store.commit(5, c).hasValue());
    CHECK(store.latestVersion() == 5);
    CHECK(store.commit(5, c).error().code == StoreErrorCode::VersionNotIncreasing);
    CHECK(store.commit(3, c).error().code == StoreErrorCode::VersionNotIncreasing);
    CHECK(store.root(3).error().code == StoreErrorCode::UnknownVersion);
    CHECK(store.root(6).error().code == StoreErrorCode::UnknownVersion);
    CHECK(store.prove(asBytes("x"), 9).error().code == StoreErrorCode::UnknownVersion);
    const Hash256 unchanged = store.commit(6, {}).value();
    CHECK(unchanged == store.root(5).value());
}

TEST_CASE("pruned versions answer PrunedVersion while kept versions still prove", "[store]") {
    MemoryStateStore store;
    for (std::uint64_t h = 1; h <= 10; ++h) {
        StateChanges c;
        c[bytesOf("counter")] = bytesOf(std::to_string(h));
        c[bytesOf("key" + std::to_string(h))] = bytesOf("v");
        REQUIRE(store.commit(h, c).hasValue());
    }
    REQUIRE(store.pruneBelow(8).hasValue());
    CHECK(store.oldestVersion() == 8);
    CHECK(store.root(7).error().code == StoreErrorCode::PrunedVersion);
    CHECK(store.prove(asBytes("counter"), 7).error().code == StoreErrorCode::PrunedVersion);
    for (std::uint64_t h = 8; h <= 10; ++h) {
        auto p = store.prove(asBytes("counter"), h).value();
        REQUIRE(p.value.has_value());
        CHECK(*p.value == bytesOf(std::to_string(h)));
        CHECK(verifyProof(store.root(h).value(), asBytes("counter"), p.value, p.proof));
    }
    CHECK(store.pruneBelow(11).error().code == StoreErrorCode::UnknownVersion);
}
