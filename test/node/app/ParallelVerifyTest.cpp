#include <catch2/catch.hpp>

#include "node/app/ParallelVerify.h"
#include "support/TestKeys.h"

using namespace agora;

namespace {

SignedTx transfer(std::uint8_t key, std::uint64_t nonce) {
    Tx tx;
    tx.chainId = "pv";
    tx.nonce = nonce;
    tx.fee = Amount(1'000);
    tx.msgs = {MsgSend{Address::fromPublicKey(test::testKey(200).publicKey), Amount(1)}};
    return test::signTx(test::testKey(key), tx);
}

}  // namespace

TEST_CASE("parallel signature verification agrees with sequential verification, bad signatures included",
          "[app][verify]") {
    std::vector<SignedTx> txs;
    for (std::uint64_t i = 0; i < 300; ++i) txs.push_back(transfer(static_cast<std::uint8_t>(1 + i % 50), i));
    // Corrupt a few: a flipped signature byte, and a body changed after signing.
    txs[0].signature.data()[5] ^= 1;
    txs[137].body.nonce += 1;
    txs[299].signature.data()[63] ^= 0x80;
    std::vector<const SignedTx*> ptrs;
    for (const auto& t : txs) ptrs.push_back(&t);
    for (unsigned threads : {1U, 2U, 3U, 8U}) {
        const auto valid = node::verifyInParallel(ptrs, threads);
        REQUIRE(valid.size() == txs.size());
        for (std::size_t i = 0; i < txs.size(); ++i) {
            INFO("tx " << i << " threads " << threads);
            REQUIRE(valid[i] == txs[i].verifySignature());
        }
        REQUIRE_FALSE(valid[0]);
        REQUIRE_FALSE(valid[137]);
        REQUIRE_FALSE(valid[299]);
        REQUIRE(valid[1]);
    }
    // Small batches take the single-thread path and give the same answers.
    const auto few = node::verifyInParallel(std::span<const SignedTx* const>(ptrs).first(3), 4);
    REQUIRE(few == std::vector<bool>{false, true, true});
}
