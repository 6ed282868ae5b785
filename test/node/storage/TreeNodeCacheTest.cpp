#include <catch2/catch.hpp>

#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/StateTestUtil.h"
#include "node/storage/LevelDbStateStore.h"
#include "node/storage/TreeNodeCache.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::state;
using agora::node::LevelDbStateStore;
using agora::node::TreeNodeCache;
using agora::test::TempDir;
using agora::test::TestRng;

namespace {

std::unique_ptr<LevelDbStateStore> openStore(const std::string& path, node::StateStoreOptions opts) {
    auto s = LevelDbStateStore::open(path, opts);
    if (!s) FAIL("open failed: " << s.error().message());
    return std::move(*s);
}

// Inserts, rewrites and deletions over a key set small enough that the same
// keys are touched again and positions move (leaves rise and sink).
StateChanges changesFor(TestRng& rng) {
    StateChanges c;
    for (std::uint64_t i = 0, n = 1 + rng.below(60); i < n; ++i) {
        Bytes key = agora::test::randomKey(rng, 400);
        if (rng.chance(25))
            c[key] = std::nullopt;
        else
            c[key] = agora::test::randomValue(rng);
    }
    return c;
}

InternalNode nodeWith(std::uint8_t tag) {
    InternalNode n;
    n.left = ChildRef{NodeKind::Leaf, 1, Hash256{}};
    n.left.hash.data()[0] = tag;
    n.right = ChildRef::empty();
    return n;
}

}  // namespace

TEST_CASE("tree node cache answers only for the exact version stored at a position", "[storage][cache]") {
    TreeNodeCache cache(16);
    const NodeKey v3{3, 2, Hash256{}};
    cache.put(v3, nodeWith(3));
    REQUIRE(cache.find(v3) == nodeWith(3));
    REQUIRE_FALSE(cache.find(NodeKey{2, 2, Hash256{}}).has_value());
    REQUIRE_FALSE(cache.find(NodeKey{3, 1, Hash256{}}).has_value());
    // A newer version at the position replaces it; an older one does not.
    cache.put(NodeKey{5, 2, Hash256{}}, nodeWith(5));
    cache.put(NodeKey{4, 2, Hash256{}}, nodeWith(4));
    REQUIRE_FALSE(cache.find(v3).has_value());
    REQUIRE(cache.find(NodeKey{5, 2, Hash256{}}) == nodeWith(5));
    // Erasing another version leaves the entry; erasing its own removes it.
    cache.erase(v3);
    REQUIRE(cache.size() == 1);
    cache.erase(NodeKey{5, 2, Hash256{}});
    REQUIRE(cache.size() == 0);
}

TEST_CASE("tree node cache stops adding positions at its capacity", "[storage][cache]") {
    TreeNodeCache cache(2);
    Hash256 p;
    for (std::uint8_t i = 0; i < 5; ++i) {
        p.data()[0] = i;
        cache.put(NodeKey{1, 8, p}, nodeWith(i));
    }
    REQUIRE(cache.size() == 2);
}

TEST_CASE("state commits with the tree node cache give the same roots and proofs as without it", "[storage][cache]") {
    TempDir a("cache-on"), b("cache-off");
    auto cached = openStore(a.path(), node::StateStoreOptions{4, std::size_t{1} << 16});
    auto uncached = openStore(b.path(), node::StateStoreOptions{4, 0});
    // A tiny cache exercises the full-cache path as well.
    TempDir c("cache-tiny");
    auto tiny = openStore(c.path(), node::StateStoreOptions{4, 8});
    MemoryStateStore reference;
    TestRng rng(42);
    for (std::uint64_t v = 1; v <= 120; ++v) {
        const StateChanges changes = changesFor(rng);
        auto r1 = cached->commit(v, changes);
        auto r2 = uncached->commit(v, changes);
        auto r3 = tiny->commit(v, changes);
        auto r4 = reference.commit(v, changes);
        REQUIRE(r1.hasValue());
        REQUIRE(r2.hasValue());
        REQUIRE(r3.hasValue());
        REQUIRE(r4.hasValue());
        REQUIRE(*r1 == *r2);
        REQUIRE(*r1 == *r3);
        REQUIRE(*r1 == *r4);
        // An abandoned prepare (a rejected proposal) must not disturb the cache.
        if (v % 7 == 0) {
            TestRng other(v);
            REQUIRE(cached->prepare(v + 1, changesFor(other)).hasValue());
        }
    }
    // Reopening (an empty cache) continues from the same root.
    cached.reset();
    cached = openStore(a.path(), node::StateStoreOptions{4, std::size_t{1} << 16});
    TestRng more(7);
    for (std::uint64_t v = 121; v <= 140; ++v) {
        const StateChanges changes = changesFor(more);
        auto r1 = cached->commit(v, changes);
        auto r2 = uncached->commit(v, changes);
        REQUIRE(r1.hasValue());
        REQUIRE(r2.hasValue());
        REQUIRE(*r1 == *r2);
    }
    TestRng keys(9);
    for (int i = 0; i < 50; ++i) {
        const Bytes key = agora::test::randomKey(keys, 400);
        auto p1 = cached->prove(key, 140);
        auto p2 = uncached->prove(key, 140);
        REQUIRE(p1.hasValue());
        REQUIRE(p2.hasValue());
        REQUIRE(p1->value == p2->value);
        REQUIRE(p1->proof == p2->proof);
    }
}
