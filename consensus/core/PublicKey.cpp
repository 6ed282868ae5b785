#include "consensus/core/PublicKey.h"

#include <algorithm>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

namespace agora {
namespace {

// One context for verification, created once; read-only use is thread-safe.
const secp256k1_context* verifyContext() {
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

}  // namespace

std::optional<PublicKey> PublicKey::fromSpan(ByteSpan bytes) {
    if (bytes.size() != kSize) return std::nullopt;
    std::array<std::uint8_t, kSize> b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    return PublicKey(b);
}

std::optional<PublicKey> PublicKey::fromHex(std::string_view hex) {
    auto raw = agora::fromHex(hex);
    if (!raw) return std::nullopt;
    return fromSpan(*raw);
}

bool PublicKey::isValid() const {
    secp256k1_xonly_pubkey pk;
    return secp256k1_xonly_pubkey_parse(verifyContext(), &pk, bytes_.data()) == 1;
}

std::optional<Signature> Signature::fromSpan(ByteSpan bytes) {
    if (bytes.size() != kSize) return std::nullopt;
    std::array<std::uint8_t, kSize> b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    return Signature(b);
}

std::optional<Signature> Signature::fromHex(std::string_view hex) {
    auto raw = agora::fromHex(hex);
    if (!raw) return std::nullopt;
    return fromSpan(*raw);
}

bool verifySchnorr(const PublicKey& key, ByteSpan message, const Signature& sig) {
    secp256k1_xonly_pubkey pk;
    if (secp256k1_xonly_pubkey_parse(verifyContext(), &pk, key.bytes().data()) != 1) return false;
    return secp256k1_schnorrsig_verify(verifyContext(), sig.bytes().data(), message.data(), message.size(), &pk) == 1;
}

}  // namespace agora
