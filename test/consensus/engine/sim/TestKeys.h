#pragma once
// Deterministic validator keys for tests, signing with libsecp256k1 directly
// (the engine layer holds no keys; the node signs through wallet/).

#include <array>
#include <cstdint>
#include <map>

#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"
#include "consensus/engine/SignatureVerifier.h"
#include "consensus/engine/Signer.h"

namespace agora::sim {

class TestKey {
public:
    // The key number `index` (secret = SHA-256("agora-sim-key" || index)).
    explicit TestKey(std::uint64_t index);
    const PublicKey& publicKey() const { return pub_; }
    // BIP-340 with no auxiliary randomness: deterministic per digest.
    Signature sign(const Hash256& digest) const;

private:
    std::array<std::uint8_t, 96> keypair_{};  // secp256k1_keypair storage
    PublicKey pub_;
};

// KeyHandle over a TestKey, memoizing signatures (deterministic anyway).
class TestKeyHandle final : public consensus::KeyHandle {
public:
    explicit TestKeyHandle(const TestKey& key) : key_(&key) {}
    PublicKey publicKey() const override { return key_->publicKey(); }
    Signature sign(const Hash256& digest) override;
    std::uint64_t signatures() const { return count_; }

private:
    const TestKey* key_;
    std::map<Hash256, Signature> cache_;
    std::uint64_t count_ = 0;
};

// Verifier that remembers results: every node checks the same messages.
class CachingVerifier final : public consensus::SignatureVerifier {
public:
    bool verify(const PublicKey& key, const Hash256& digest, const Signature& sig) const override;

private:
    mutable std::map<std::array<std::uint8_t, 128>, bool> cache_;
};

}  // namespace agora::sim
