#include <catch2/catch.hpp>

#include <array>
#include <map>

#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/SparseMerkleTree.h"
#include "consensus/state/StateTestUtil.h"
#include "consensus/state/TreeHash.h"

using namespace agora;
using namespace agora::state;
using agora::test::bytesOf;
using agora::test::TestRng;

namespace {

// A bare node store that counts what the tree reads, to pin the cost of an update.
class CountingNodes final : public TreeNodeSource {
public:
    Expected<TreeNode, StoreError> loadNode(const NodeKey& key) const override {
        ++loads;
        auto it = nodes.find(key);
        if (it == nodes.end()) return Unexpected(StoreError{StoreErrorCode::CorruptData, "missing"});
        return it->second;
    }
    Hash256 apply(std::uint64_t version, const StateChanges& changes) {
        auto batch = SparseMerkleTree::update(*this, root, version, changes);
        REQUIRE(batch.hasValue());
        lastWrites = batch->newNodes.size();
        for (auto& [k, n] : batch->newNodes) nodes.insert_or_assign(k, n);
        root = batch->root;
        return root.hash;
    }
    std::map<NodeKey, TreeNode> nodes;
    ChildRef root = ChildRef::empty();
    mutable std::size_t loads = 0;
    std::size_t lastWrites = 0;
};

Hash256 hashOfTagged(std::uint8_t tag, const Hash256& a, const Hash256& b) {
    Bytes buf{tag};
    buf.insert(buf.end(), a.bytes().begin(), a.bytes().end());
    buf.insert(buf.end(), b.bytes().begin(), b.bytes().end());
    return sha256(buf);
}

}  // namespace

TEST_CASE("tree hashes are SHA-256 with distinct leaf, internal and empty domain bytes", "[smt]") {
    const std::array<std::uint8_t, 1> two{0x02};
    CHECK(treeEmptyHash() == sha256(two));
    const Hash256 a = sha256(bytesOf("a"));
    const Hash256 b = sha256(bytesOf("b"));
    CHECK(treeLeafHash(a, b) == hashOfTagged(0x00, a, b));
    CHECK(treeInternalHash(a, b) == hashOfTagged(0x01, a, b));
    CHECK(treeLeafHash(a, b) != treeInternalHash(a, b));
}

TEST_CASE("an empty store has the empty root and a one-key state has that key's leaf as root", "[smt]") {
    MemoryStateStore store;
    CHECK(store.root(0).value() == treeEmptyHash());
    StateChanges c;
    c[bytesOf("alice")] = bytesOf("100");
    const Hash256 root = store.commit(1, c).value();
    CHECK(root == treeLeafHash(sha256(bytesOf("alice")), sha256(bytesOf("100"))));
}

TEST_CASE("the root of a fixed three-key state matches the published test vector", "[smt]") {
    // docs/state.md lists this vector; a change here is a consensus change.
    MemoryStateStore store;
    StateChanges c;
    c[bytesOf("alice")] = bytesOf("1");
    c[bytesOf("bob")] = bytesOf("2");
    c[bytesOf("carol")] = bytesOf("3");
    const Hash256 root = store.commit(1, c).value();
    std::map<Bytes, Bytes> model{
        {bytesOf("alice"), bytesOf("1")}, {bytesOf("bob"), bytesOf("2")}, {bytesOf("carol"), bytesOf("3")}};
    CHECK(root == agora::test::referenceTree(model).root);
    CHECK(root.toHex() == "8e0538a8f7d7d490cb03f94bcc29326f897ba6b003b0dada58aa63ee034a2fec");
}

TEST_CASE("the root depends only on the final key/value set, not on order or block split", "[smt]") {
    for (std::uint64_t seed = 1; seed <= 25; ++seed) {
        INFO("seed " << seed);
        TestRng rng(seed);
        const std::uint64_t pool = 20 + rng.below(400);
        MemoryStateStore incremental;
        std::map<Bytes, Bytes> model;
        const std::uint64_t blocks = 1 + rng.below(30);
        for (std::uint64_t h = 1; h <= blocks; ++h) {
            StateChanges changes;
            const std::uint64_t writes = rng.below(60);
            for (std::uint64_t i = 0; i < writes; ++i) {
                Bytes key = agora::test::randomKey(rng, pool);
                if (rng.chance(25))
                    changes[key] = std::nullopt;  // deletes, also of absent keys
                else
                    changes[key] = agora::test::randomValue(rng);
            }
            agora::test::applyTo(model, changes);
            const Hash256 root = incremental.commit(h, changes).value();
            REQUIRE(root == agora::test::referenceTree(model).root);
        }
        // The same final set written in one block into a fresh store.
        StateChanges all;
        for (const auto& [k, v] : model) all[k] = v;
        MemoryStateStore oneShot;
        CHECK(oneShot.commit(7, all).value() == incremental.root(blocks).value());
    }
}

TEST_CASE("inserting keys and deleting them again restores the earlier root", "[smt]") {
    TestRng rng(99);
    MemoryStateStore store;
    StateChanges base;
    for (int i = 0; i < 200; ++i) base[agora::test::randomKey(rng, 100000)] = agora::test::randomValue(rng);
    const Hash256 before = store.commit(1, base).value();
    StateChanges extra;
    for (int i = 0; i < 150; ++i) {
        Bytes k = bytesOf("extra/" + std::to_string(i));
        extra[k] = bytesOf("x");
    }
    CHECK(store.commit(2, extra).value() != before);
    for (auto& [k, v] : extra) v = std::nullopt;
    CHECK(store.commit(3, extra).value() == before);
    StateChanges all = base;
    for (auto& [k, v] : all) v = std::nullopt;
    CHECK(store.commit(4, all).value() == treeEmptyHash());
}

TEST_CASE("pruning every old version leaves exactly the nodes of the latest tree", "[smt]") {
    // Stale-node bookkeeping is exact: nothing live is released, nothing dead is kept.
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        INFO("seed " << seed);
        TestRng rng(seed * 7919);
        MemoryStateStore store;
        std::map<Bytes, Bytes> model;
        for (std::uint64_t h = 1; h <= 40; ++h) {
            StateChanges changes;
            for (std::uint64_t i = 0, n = rng.below(40); i < n; ++i) {
                Bytes key = agora::test::randomKey(rng, 150);
                if (rng.chance(30))
                    changes[key] = std::nullopt;
                else
                    changes[key] = agora::test::randomValue(rng);
            }
            agora::test::applyTo(model, changes);
            REQUIRE(store.commit(h, changes).hasValue());
        }
        REQUIRE(store.pruneBelow(40).hasValue());
        CHECK(store.nodeCount() == agora::test::referenceTree(model).nodes);
        for (const auto& [k, v] : model) {
            auto p = store.prove(k, 40);
            REQUIRE(p.hasValue());
            CHECK(verifyProof(store.root(40).value(), k, v, p->proof));
        }
    }
}

TEST_CASE("updating one key in a large tree reads and writes only one root-to-leaf path", "[smt]") {
    CountingNodes tree;
    StateChanges initial;
    for (int i = 0; i < 4096; ++i) initial[bytesOf("key/" + std::to_string(i))] = bytesOf("v");
    tree.apply(1, initial);
    REQUIRE(tree.nodes.size() > 8000);

    for (int i = 0; i < 50; ++i) {
        tree.loads = 0;
        StateChanges one;
        one[bytesOf("key/" + std::to_string(i * 37))] = bytesOf("w" + std::to_string(i));
        tree.apply(static_cast<std::uint64_t>(2 + i), one);
        // 4096 random key hashes put leaves at depth ~12, rarely beyond 30.
        CHECK(tree.loads <= 40);
        CHECK(tree.lastWrites <= 40);
        CHECK(tree.lastWrites == tree.loads);  // the path is rewritten, nothing else
    }
    tree.loads = 0;
    StateChanges insert;
    insert[bytesOf("brand new key")] = bytesOf("v");
    tree.apply(100, insert);
    CHECK(tree.loads <= 40);
    CHECK(tree.lastWrites <= 41);
}

TEST_CASE("rewriting a key with its current value or deleting an absent key writes no tree nodes", "[smt]") {
    CountingNodes tree;
    StateChanges initial;
    for (int i = 0; i < 1000; ++i) initial[bytesOf("key/" + std::to_string(i))] = bytesOf("v" + std::to_string(i));
    const Hash256 root = tree.apply(1, initial);

    StateChanges same;
    for (int i = 0; i < 1000; i += 97) same[bytesOf("key/" + std::to_string(i))] = bytesOf("v" + std::to_string(i));
    CHECK(tree.apply(2, same) == root);
    CHECK(tree.lastWrites == 0);

    StateChanges absent;
    for (int i = 0; i < 50; ++i) absent[bytesOf("missing/" + std::to_string(i))] = std::nullopt;
    CHECK(tree.apply(3, absent) == root);
    CHECK(tree.lastWrites == 0);
    CHECK(tree.root.version == 1);  // the version-1 root node is still the root
}
