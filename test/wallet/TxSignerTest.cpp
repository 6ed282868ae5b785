#include "wallet/TxSigner.h"

#include <catch2/catch.hpp>

#include "consensus/core/Tx.h"

using namespace agora;
using namespace agora::wallet;

namespace {

TxBuilder sendTx(std::string chain) {
    const SecretKey recipient = SecretKey::generate();
    TxBuilder b(std::move(chain));
    b.nonce(7).fee(Amount(2500)).memo("rent a gpu").addMsg(MsgSend{recipient.address(), Amount(1'000'000)});
    return b;
}

}  // namespace

TEST_CASE("A tx signed for chain A verifies on A and not on chain B", "[wallet][tx]") {
    const TxSigner signer(SecretKey::generate());
    auto signedA = signer.sign(sendTx("agora-a"));
    REQUIRE(signedA);
    CHECK(signedA->body.signer == signer.publicKey());
    CHECK(signedA->body.signerAddress() == signer.address());
    CHECK(signedA->verifySignature());

    SignedTx onB = *signedA;
    onB.body.chainId = "agora-b";
    CHECK_FALSE(onB.verifySignature());
}

TEST_CASE("Changing any byte of a signed tx breaks it", "[wallet][tx]") {
    const TxSigner signer(SecretKey::generate());
    auto stx = signer.sign(sendTx("agora-test"));
    REQUIRE(stx);
    const Bytes wire = stx->bytes();
    auto decoded = decodeSignedTx(wire);
    REQUIRE(decoded);
    CHECK(decoded->verifySignature());
    for (std::size_t i = 0; i < wire.size(); ++i) {
        Bytes bad = wire;
        bad[i] ^= 0x01;
        auto d = decodeSignedTx(bad);
        INFO("byte " << i);
        // Either the codec rejects the bytes or the signature no longer verifies.
        CHECK((!d || !d->verifySignature()));
    }
}

TEST_CASE("TxSigner refuses a tx whose signer is another key", "[wallet][tx]") {
    const TxSigner signer(SecretKey::generate());
    const SecretKey other = SecretKey::generate();
    auto tx = sendTx("agora-test").build(other.publicKey());
    REQUIRE(tx);
    auto r = signer.sign(*tx);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == WalletErrc::InvalidTx);
}

TEST_CASE("TxBuilder enforces chain id, memo and message bounds", "[wallet][tx]") {
    const PublicKey pk = SecretKey::generate().publicKey();
    CHECK(sendTx("").build(pk).error().code == WalletErrc::InvalidTx);
    CHECK(sendTx(std::string(65, 'c')).build(pk).error().code == WalletErrc::InvalidTx);
    CHECK(sendTx("c").memo(std::string(257, 'm')).build(pk).error().code == WalletErrc::InvalidTx);
    CHECK(TxBuilder("c").build(pk).error().code == WalletErrc::InvalidTx);  // no messages
    CHECK(sendTx(std::string(64, 'c')).memo(std::string(256, 'm')).build(pk));
}
