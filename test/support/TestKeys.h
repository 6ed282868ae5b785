#pragma once
// Deterministic test keys and BIP-340 signing for core tests (the wallet has
// the real signer; core tests must not depend on wallet/).

#include <array>
#include <cstdint>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdexcept>

#include "consensus/core/PublicKey.h"
#include "consensus/core/Tx.h"

namespace agora::test {

struct TestKey {
    std::array<std::uint8_t, 32> secret{};
    PublicKey publicKey;
};

inline secp256k1_context* testSecpContext() {
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

// A key whose secret is 31 zero bytes followed by `n` (n >= 1).
inline TestKey testKey(std::uint8_t n) {
    TestKey k;
    k.secret[31] = n;
    secp256k1_keypair kp;
    if (!secp256k1_keypair_create(testSecpContext(), &kp, k.secret.data())) throw std::runtime_error("bad test key");
    secp256k1_xonly_pubkey xonly;
    if (!secp256k1_keypair_xonly_pub(testSecpContext(), &xonly, nullptr, &kp)) throw std::runtime_error("xonly");
    std::array<std::uint8_t, 32> out{};
    secp256k1_xonly_pubkey_serialize(testSecpContext(), out.data(), &xonly);
    k.publicKey = PublicKey(out);
    return k;
}

// BIP-340 signature with all-zero auxiliary randomness (deterministic).
inline Signature signDigest32(const TestKey& key, const Hash256& digest) {
    secp256k1_keypair kp;
    if (!secp256k1_keypair_create(testSecpContext(), &kp, key.secret.data())) throw std::runtime_error("bad key");
    std::array<std::uint8_t, 32> aux{};
    std::array<std::uint8_t, 64> sig{};
    if (!secp256k1_schnorrsig_sign32(testSecpContext(), sig.data(), digest.bytes().data(), &kp, aux.data()))
        throw std::runtime_error("sign");
    return Signature(sig);
}

inline SignedTx signTx(const TestKey& key, Tx tx) {
    tx.signer = key.publicKey;
    SignedTx s{tx, {}};
    s.signature = signDigest32(key, tx.signDigest());
    return s;
}

}  // namespace agora::test
