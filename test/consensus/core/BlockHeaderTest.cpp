#include <catch2/catch.hpp>

#include "consensus/core/BlockHeader.h"

using namespace agora;

namespace {
BlockHeader sampleHeader() {
    BlockHeader h;
    h.chainId = "agora-devnet-1";
    h.height = 42;
    h.timeMs = 1'790'000'000'000ULL;
    h.appHash = sha256(asBytes("state"));
    h.dataHash = merkleRoot({sha256(asBytes("tx1"))});
    return h;
}
}  // namespace

TEST_CASE("block header round-trips and its id is SHA-256 of its bytes", "[header]") {
    const BlockHeader h = sampleHeader();
    const Bytes b = encode(h);
    REQUIRE(b.size() == 1 + 1 + 14 + 8 + 8 + 8 * 32 + 20);
    REQUIRE(decode<BlockHeader>(b).value() == h);
    REQUIRE(h.id() == sha256(b));
}

TEST_CASE("block header decoding rejects an unknown version and trailing bytes", "[header]") {
    Bytes b = encode(sampleHeader());
    b.push_back(0);
    REQUIRE(decode<BlockHeader>(b).error().code == CodecError::TrailingBytes);
    b.pop_back();
    b[0] = 9;
    REQUIRE(decode<BlockHeader>(b).error().code == CodecError::UnknownTag);
}

TEST_CASE("changing any header field changes the block id", "[header]") {
    const BlockHeader base = sampleHeader();
    BlockHeader h = base;
    h.height++;
    REQUIRE(h.id() != base.id());
    h = base;
    h.appHash = Hash256{};
    REQUIRE(h.id() != base.id());
    h = base;
    h.chainId = "other";
    REQUIRE(h.id() != base.id());
}

TEST_CASE("merkle root separates leaves from nodes and depends on order", "[header]") {
    const Hash256 a = sha256(asBytes("a")), b = sha256(asBytes("b")), c = sha256(asBytes("c"));
    REQUIRE(merkleRoot({}) == sha256({}));
    REQUIRE(merkleRoot({a}) != a);  // a leaf is hashed with its 0x00 tag
    REQUIRE(merkleRoot({a, b}) != merkleRoot({b, a}));
    REQUIRE(merkleRoot({a, b, c}) != merkleRoot({a, b}));
    // Three leaves: the odd leaf is promoted, so root = node(node(la, lb), lc).
    REQUIRE(merkleRoot({a, b, c}) != merkleRoot({a, b, c, c}));
}
