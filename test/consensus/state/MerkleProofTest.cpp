#include <catch2/catch.hpp>

#include <map>

#include "consensus/core/Codec.h"
#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/MerkleProof.h"
#include "consensus/state/StateTestUtil.h"

using namespace agora;
using namespace agora::state;
using agora::test::bytesOf;
using agora::test::TestRng;

namespace {

struct Fixture {
    MemoryStateStore store;
    std::map<Bytes, Bytes> model;
    Hash256 root;

    explicit Fixture(std::uint64_t seed, int keys = 300) {
        TestRng rng(seed);
        StateChanges c;
        for (int i = 0; i < keys; ++i) c[bytesOf("acct/" + std::to_string(i))] = agora::test::randomValue(rng);
        agora::test::applyTo(model, c);
        root = store.commit(1, c).value();
    }
};

}  // namespace

TEST_CASE("inclusion proofs of every present key verify with its value", "[proof]") {
    Fixture f(11);
    for (const auto& [k, v] : f.model) {
        auto p = f.store.prove(k, 1);
        REQUIRE(p.hasValue());
        REQUIRE(p->value.has_value());
        CHECK(*p->value == v);
        CHECK(p->proof.terminal == ProofTerminal::KeyLeaf);
        CHECK(verifyProof(f.root, k, v, p->proof));
    }
}

TEST_CASE("exclusion proofs of absent keys verify, through empty subtrees and other leaves", "[proof]") {
    Fixture f(12);
    int viaEmpty = 0;
    int viaOther = 0;
    for (int i = 0; i < 400; ++i) {
        const Bytes k = bytesOf("absent/" + std::to_string(i));
        auto p = f.store.prove(k, 1);
        REQUIRE(p.hasValue());
        CHECK_FALSE(p->value.has_value());
        CHECK(verifyProof(f.root, k, std::nullopt, p->proof));
        CHECK_FALSE(verifyProof(f.root, k, bytesOf("anything"), p->proof));
        (p->proof.terminal == ProofTerminal::Empty ? viaEmpty : viaOther)++;
        CHECK(p->proof.terminal != ProofTerminal::KeyLeaf);
    }
    CHECK(viaEmpty > 0);
    CHECK(viaOther > 0);
}

TEST_CASE("a proof fails for a wrong value, root or key, and when tampered", "[proof]") {
    Fixture f(13);
    const Bytes key = bytesOf("acct/7");
    const Bytes value = f.model.at(key);
    const MerkleProof proof = f.store.prove(key, 1).value().proof;
    REQUIRE(verifyProof(f.root, key, value, proof));
    REQUIRE_FALSE(proof.siblings.empty());

    Bytes otherValue = value;
    otherValue.push_back(0);
    CHECK_FALSE(verifyProof(f.root, key, otherValue, proof));
    CHECK_FALSE(verifyProof(f.root, key, std::nullopt, proof));  // present key claimed absent

    Hash256 otherRoot = f.root;
    otherRoot.data()[0] ^= 1;
    CHECK_FALSE(verifyProof(otherRoot, key, value, proof));

    CHECK_FALSE(verifyProof(f.root, bytesOf("acct/8"), value, proof));
    CHECK_FALSE(verifyProof(f.root, bytesOf("acct/8"), f.model.at(bytesOf("acct/8")), proof));

    for (std::size_t i = 0; i < proof.siblings.size(); ++i) {
        MerkleProof t = proof;
        t.siblings[i].data()[31] ^= 0x80;
        CHECK_FALSE(verifyProof(f.root, key, value, t));
    }
    MerkleProof shorter = proof;
    shorter.siblings.pop_back();
    CHECK_FALSE(verifyProof(f.root, key, value, shorter));
    MerkleProof longer = proof;
    longer.siblings.push_back(treeEmptyHash());
    CHECK_FALSE(verifyProof(f.root, key, value, longer));
    MerkleProof asAbsent = proof;
    asAbsent.terminal = ProofTerminal::Empty;
    CHECK_FALSE(verifyProof(f.root, key, std::nullopt, asAbsent));
}

TEST_CASE("an exclusion proof cannot be bent to hide a present key or to name an off-path leaf", "[proof]") {
    Fixture f(14);
    // Find an absent key whose path ends in another key's leaf.
    for (int i = 0;; ++i) {
        const Bytes absent = bytesOf("nope/" + std::to_string(i));
        const MerkleProof p = f.store.prove(absent, 1).value().proof;
        if (p.terminal != ProofTerminal::OtherLeaf) continue;
        REQUIRE(verifyProof(f.root, absent, std::nullopt, p));
        // The other leaf's key is present: the same proof must not prove it absent.
        Bytes presentKey;
        for (const auto& [k, v] : f.model) {
            if (sha256(k) == p.otherKeyHash) presentKey = k;
        }
        REQUIRE_FALSE(presentKey.empty());
        CHECK_FALSE(verifyProof(f.root, presentKey, std::nullopt, p));
        // A leaf that does not share the key's path proves nothing about it.
        MerkleProof offPath = p;
        offPath.otherKeyHash.data()[0] ^= 0x80;
        CHECK_FALSE(verifyProof(f.root, absent, std::nullopt, offPath));
        break;
    }
}

TEST_CASE("proofs against an older version verify against that version's root", "[proof]") {
    MemoryStateStore store;
    StateChanges v1;
    for (int i = 0; i < 50; ++i) v1[bytesOf("k" + std::to_string(i))] = bytesOf("old");
    const Hash256 root1 = store.commit(1, v1).value();
    StateChanges v2;
    v2[bytesOf("k3")] = bytesOf("new");
    v2[bytesOf("k4")] = std::nullopt;
    v2[bytesOf("k99")] = bytesOf("born");
    const Hash256 root2 = store.commit(2, v2).value();

    auto old3 = store.prove(bytesOf("k3"), 1).value();
    CHECK(*old3.value == bytesOf("old"));
    CHECK(verifyProof(root1, bytesOf("k3"), bytesOf("old"), old3.proof));
    CHECK_FALSE(verifyProof(root2, bytesOf("k3"), bytesOf("old"), old3.proof));
    auto new3 = store.prove(bytesOf("k3"), 2).value();
    CHECK(verifyProof(root2, bytesOf("k3"), bytesOf("new"), new3.proof));

    auto old4 = store.prove(bytesOf("k4"), 1).value();
    CHECK(verifyProof(root1, bytesOf("k4"), bytesOf("old"), old4.proof));
    auto new4 = store.prove(bytesOf("k4"), 2).value();
    CHECK(verifyProof(root2, bytesOf("k4"), std::nullopt, new4.proof));

    auto old99 = store.prove(bytesOf("k99"), 1).value();
    CHECK_FALSE(old99.value.has_value());
    CHECK(verifyProof(root1, bytesOf("k99"), std::nullopt, old99.proof));
}

TEST_CASE("proof encoding round-trips and matches the documented bytes", "[proof][codec]") {
    MerkleProof p;
    p.terminal = ProofTerminal::OtherLeaf;
    p.otherKeyHash = Hash256::fromHex(std::string(64, 'a')).value();
    p.otherValueHash = Hash256::fromHex(std::string(64, 'b')).value();
    p.siblings = {Hash256::fromHex(std::string(64, 'c')).value()};
    const Bytes enc = encode(p);
    CHECK(toHex(enc) == "0102" + std::string(64, 'a') + std::string(64, 'b') + "01" + std::string(64, 'c'));
    auto back = decode<MerkleProof>(enc);
    REQUIRE(back.hasValue());
    CHECK(*back == p);

    MerkleProof empty;
    CHECK(toHex(encode(empty)) == "010000");

    Fixture f(15);
    for (int i = 0; i < 20; ++i) {
        const Bytes k = bytesOf("acct/" + std::to_string(i * 13));
        const auto proof = f.store.prove(k, 1).value().proof;
        auto again = decode<MerkleProof>(encode(proof));
        REQUIRE(again.hasValue());
        CHECK(*again == proof);
    }
}

TEST_CASE("proof decoding rejects unknown format, unknown terminal, overlong path, trailing and truncated bytes",
          "[proof][codec]") {
    auto err = [](const std::string& hex) {
        auto r = decode<MerkleProof>(fromHex(hex).value());
        REQUIRE_FALSE(r.hasValue());
        return r.error().code;
    };
    CHECK(err("020000") == CodecError::UnknownTag);
    CHECK(err("010300") == CodecError::InvalidEnum);
    CHECK(err("01008102") == CodecError::LengthTooLong);  // 257 siblings
    CHECK(err("01000000") == CodecError::TrailingBytes);
    CHECK(err("010001" + std::string(62, 'c')) == CodecError::Truncated);
    CHECK(err("0102" + std::string(64, 'a')) == CodecError::Truncated);
    CHECK(err("01") == CodecError::Truncated);
}
