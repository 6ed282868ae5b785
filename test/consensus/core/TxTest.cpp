#include <catch2/catch.hpp>

#include "consensus/core/Limits.h"
#include "consensus/core/SignDigest.h"
#include "consensus/core/Tx.h"
#include "support/SampleMessages.h"
#include "support/TestKeys.h"

using namespace agora;

namespace {
Tx sampleTx(std::string chainId = "agora-test-1") {
    Tx tx;
    tx.chainId = std::move(chainId);
    tx.nonce = 3;
    tx.fee = Amount(2500);
    tx.memo = "hello";
    tx.msgs = {MsgSend{test::sampleAddress(9), Amount(1'000'000)}};
    return tx;
}
}  // namespace

TEST_CASE("a signed tx round-trips and its hash is SHA-256 of the signed bytes", "[tx]") {
    const auto key = test::testKey(1);
    Tx tx = sampleTx();
    tx.msgs = test::sampleMessages();
    const SignedTx stx = test::signTx(key, tx);
    const Bytes b = stx.bytes();
    auto back = decodeSignedTx(b);
    REQUIRE(back.hasValue());
    REQUIRE(*back == stx);
    REQUIRE(back->verifySignature());
    REQUIRE(stx.hash() == sha256(b));
    REQUIRE(stx.body.signerAddress() == Address::fromPublicKey(key.publicKey));
}

TEST_CASE("a tx signed for chain A does not verify for chain B", "[tx]") {
    const auto key = test::testKey(2);
    SignedTx stx = test::signTx(key, sampleTx("chain-a"));
    REQUIRE(stx.verifySignature());
    stx.body.chainId = "chain-b";
    REQUIRE_FALSE(stx.verifySignature());
}

TEST_CASE("a tx signature does not verify as another message kind", "[tx]") {
    const auto key = test::testKey(2);
    const Tx tx = sampleTx();
    const SignedTx stx = test::signTx(key, tx);
    const Hash256 asVote = signDigest(domain::kVote, tx.chainId, tx.bodyBytes());
    REQUIRE_FALSE(verifySchnorr(key.publicKey, asVote.span(), stx.signature));
}

TEST_CASE("changing any byte of a signed tx breaks decoding or the signature", "[tx]") {
    const SignedTx stx = test::signTx(test::testKey(3), sampleTx());
    const Bytes b = stx.bytes();
    for (std::size_t i = 0; i < b.size(); ++i) {
        Bytes t = b;
        t[i] ^= 0x01;
        auto d = decodeSignedTx(t);
        INFO("byte " << i);
        REQUIRE((!d.hasValue() || !d->verifySignature()));
    }
}

TEST_CASE("every truncation of a signed tx is rejected", "[tx]") {
    const Bytes b = test::signTx(test::testKey(3), sampleTx()).bytes();
    for (std::size_t len = 0; len < b.size(); ++len)
        REQUIRE(decodeSignedTx(ByteSpan(b.data(), len)).error().code == CodecError::Truncated);
}

TEST_CASE("tx decoding rejects non-canonical and out-of-bounds forms", "[tx]") {
    const auto key = test::testKey(4);
    SECTION("unknown format version") {
        Bytes b = test::signTx(key, sampleTx()).bytes();
        b[0] = 2;
        REQUIRE(decodeSignedTx(b).error().code == CodecError::UnknownTag);
    }
    SECTION("trailing bytes") {
        Bytes b = test::signTx(key, sampleTx()).bytes();
        b.push_back(0);
        REQUIRE(decodeSignedTx(b).error().code == CodecError::TrailingBytes);
    }
    SECTION("no messages") {
        Tx tx = sampleTx();
        tx.msgs.clear();
        REQUIRE(decodeSignedTx(test::signTx(key, tx).bytes()).error().code == CodecError::LengthTooShort);
    }
    SECTION("too many messages") {
        Tx tx = sampleTx();
        tx.msgs.assign(limits::kMsgsPerTxMax + 1, MsgUnjail{});
        REQUIRE(decodeSignedTx(test::signTx(key, tx).bytes()).error().code == CodecError::LengthTooLong);
    }
    SECTION("memo too long") {
        Tx tx = sampleTx();
        tx.memo.assign(limits::kMemoMax + 1, 'm');
        REQUIRE(decodeSignedTx(test::signTx(key, tx).bytes()).error().code == CodecError::LengthTooLong);
    }
    SECTION("empty chain id") {
        REQUIRE(decodeSignedTx(test::signTx(key, sampleTx("")).bytes()).error().code == CodecError::LengthTooShort);
    }
    SECTION("oversized tx") {
        Bytes huge(limits::kTxBytesMax + 1, 0);
        REQUIRE(decodeSignedTx(huge).error().code == CodecError::LengthTooLong);
    }
    SECTION("non-minimal varint in the memo length") {
        Tx tx = sampleTx();
        tx.memo = "";
        Bytes b = test::signTx(key, tx).bytes();
        // layout: version(1) chain_id(1+12) signer(32) nonce(8) fee(8) memo_len(1)
        const std::size_t memoAt = 1 + 1 + tx.chainId.size() + 32 + 8 + 8;
        REQUIRE(b[memoAt] == 0x00);
        b[memoAt] = 0x80;
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(memoAt) + 1, 0x00);
        REQUIRE(decodeSignedTx(b).error().code == CodecError::NonMinimalVarint);
    }
}
