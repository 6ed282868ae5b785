#include "TestKeys.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <cstdlib>
#include <cstring>

#include "consensus/core/Codec.h"

namespace agora::sim {
namespace {

const secp256k1_context* signContext() {
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

}  // namespace

TestKey::TestKey(std::uint64_t index) {
    Writer w;
    w.string("agora-sim-key");
    w.u64(index);
    const Hash256 secret = sha256(w.data());
    static_assert(sizeof(secp256k1_keypair) == 96);
    secp256k1_keypair kp;
    if (secp256k1_keypair_create(signContext(), &kp, secret.bytes().data()) != 1) std::abort();
    secp256k1_xonly_pubkey xonly;
    if (secp256k1_keypair_xonly_pub(signContext(), &xonly, nullptr, &kp) != 1) std::abort();
    std::array<std::uint8_t, 32> out{};
    secp256k1_xonly_pubkey_serialize(signContext(), out.data(), &xonly);
    pub_ = PublicKey(out);
    std::memcpy(keypair_.data(), &kp, sizeof kp);
}

Signature TestKey::sign(const Hash256& digest) const {
    secp256k1_keypair kp;
    std::memcpy(&kp, keypair_.data(), sizeof kp);
    std::array<std::uint8_t, 64> sig{};
    if (secp256k1_schnorrsig_sign32(signContext(), sig.data(), digest.bytes().data(), &kp, nullptr) != 1) std::abort();
    return Signature(sig);
}

Signature TestKeyHandle::sign(const Hash256& digest) {
    ++count_;
    auto it = cache_.find(digest);
    if (it != cache_.end()) return it->second;
    const Signature s = key_->sign(digest);
    cache_.emplace(digest, s);
    return s;
}

bool CachingVerifier::verify(const PublicKey& key, const Hash256& digest, const Signature& sig) const {
    std::array<std::uint8_t, 128> k{};
    std::memcpy(k.data(), key.bytes().data(), 32);
    std::memcpy(k.data() + 32, digest.bytes().data(), 32);
    std::memcpy(k.data() + 64, sig.bytes().data(), 64);
    auto it = cache_.find(k);
    if (it != cache_.end()) return it->second;
    const bool ok = verifySchnorr(key, digest.span(), sig);
    cache_.emplace(k, ok);
    return ok;
}

}  // namespace agora::sim
