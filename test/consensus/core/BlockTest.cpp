#include <catch2/catch.hpp>

#include "consensus/core/Block.h"

using namespace agora;

namespace {
Block sampleBlock() {
    Block b;
    b.header.chainId = "agora-devnet-1";
    b.header.height = 2;
    b.txs = {Bytes{1, 2, 3}, Bytes{4, 5}};
    CommitCertificate c;
    c.height = 1;
    c.blockId = sha256(asBytes("parent"));
    c.signatures.push_back({PublicKey::fromHex(std::string(63, '0') + "1").value(), Signature{}});
    b.lastCommit = c;
    b.sealContentHashes();
    return b;
}
}  // namespace

TEST_CASE("a block round-trips and its id is its header's id", "[block]") {
    const Block b = sampleBlock();
    auto back = decodeBlock(encode(b));
    REQUIRE(back.hasValue());
    REQUIRE(*back == b);
    REQUIRE(back->id() == b.header.id());
    REQUIRE(back->contentMatchesHeader());
}

TEST_CASE("the header commits to the block's txs, parent commit and evidence", "[block]") {
    Block b = sampleBlock();
    b.txs[0][0] ^= 1;
    REQUIRE_FALSE(b.contentMatchesHeader());
    b = sampleBlock();
    std::swap(b.txs[0], b.txs[1]);
    REQUIRE_FALSE(b.contentMatchesHeader());
    b = sampleBlock();
    b.lastCommit->round = 1;
    REQUIRE_FALSE(b.contentMatchesHeader());
    b = sampleBlock();
    b.lastCommit.reset();
    REQUIRE_FALSE(b.contentMatchesHeader());
}

TEST_CASE("block decoding rejects empty txs, trailing bytes and oversize input", "[block]") {
    Block b = sampleBlock();
    b.txs.push_back({});
    REQUIRE(decodeBlock(encode(b)).error().code == CodecError::LengthTooShort);
    Bytes raw = encode(sampleBlock());
    raw.push_back(0);
    REQUIRE(decodeBlock(raw).error().code == CodecError::TrailingBytes);
    REQUIRE(decodeBlock(Bytes(33 * 1024 * 1024)).error().code == CodecError::LengthTooLong);
}
