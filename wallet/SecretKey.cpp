#include "wallet/SecretKey.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <algorithm>
#include <cstdlib>

#include "wallet/Secp256k1Context.h"
#include "wallet/SecureRandom.h"
#include "wallet/Wipe.h"

namespace agora::wallet {

Expected<SecretKey, WalletError> SecretKey::fromBytes(ByteSpan bytes) {
    if (bytes.size() != kSize) {
        return Unexpected(WalletError{WalletErrc::InvalidSecretKey, "expected 32 bytes"});
    }
    std::array<std::uint8_t, kSize> b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    if (secp256k1_ec_seckey_verify(signingContext(), b.data()) != 1) {
        wipe(b.data(), b.size());
        return Unexpected(WalletError{WalletErrc::InvalidSecretKey, "zero or not below the curve order"});
    }
    return SecretKey(b);
}

Expected<SecretKey, WalletError> SecretKey::fromHex(std::string_view hex) {
    auto raw = agora::fromHex(hex);
    if (!raw) return Unexpected(WalletError{WalletErrc::InvalidSecretKey, "not hex"});
    auto key = fromBytes(*raw);
    wipe(*raw);
    return key;
}

SecretKey SecretKey::generate() {
    // A uniformly random 32-byte string is >= n with probability ~2^-128;
    // drawing again keeps the distribution uniform over valid keys.
    for (;;) {
        auto b = secureRandomArray<kSize>();
        if (secp256k1_ec_seckey_verify(signingContext(), b.data()) == 1) return SecretKey(b);
    }
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) {
    wipe(other.bytes_.data(), kSize);
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
    if (this != &other) {
        bytes_ = other.bytes_;
        wipe(other.bytes_.data(), kSize);
    }
    return *this;
}

SecretKey::~SecretKey() {
    wipe(bytes_.data(), kSize);
}

std::string SecretKey::toHex() const {
    return agora::toHex(ByteSpan(bytes_.data(), bytes_.size()));
}

PublicKey SecretKey::publicKey() const {
    secp256k1_keypair kp;
    if (secp256k1_keypair_create(signingContext(), &kp, bytes_.data()) != 1) std::abort();  // checked at construction
    secp256k1_xonly_pubkey xonly;
    if (secp256k1_keypair_xonly_pub(signingContext(), &xonly, nullptr, &kp) != 1) std::abort();
    std::array<std::uint8_t, PublicKey::kSize> out{};
    secp256k1_xonly_pubkey_serialize(signingContext(), out.data(), &xonly);
    wipe(&kp, sizeof kp);
    return PublicKey(out);
}

Signature SecretKey::sign(ByteSpan msg, const std::array<std::uint8_t, 32>& auxRand) const {
    secp256k1_keypair kp;
    if (secp256k1_keypair_create(signingContext(), &kp, bytes_.data()) != 1) std::abort();
    std::array<std::uint8_t, Signature::kSize> sig{};
    int ok = 0;
    if (msg.size() == 32) {
        ok = secp256k1_schnorrsig_sign32(signingContext(), sig.data(), msg.data(), &kp, auxRand.data());
    } else {
        // BIP-340 allows any message length; sign_custom with ndata = aux
        // equals sign32 for 32-byte messages.
        secp256k1_schnorrsig_extraparams extra = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
        extra.ndata = const_cast<std::uint8_t*>(auxRand.data());
        ok = secp256k1_schnorrsig_sign_custom(signingContext(), sig.data(), msg.empty() ? nullptr : msg.data(),
                                              msg.size(), &kp, &extra);
    }
    wipe(&kp, sizeof kp);
    if (ok != 1) std::abort();  // cannot fail for a valid key
    return Signature(sig);
}

Signature SecretKey::sign(ByteSpan msg) const {
    return sign(msg, secureRandomArray<32>());
}

}  // namespace agora::wallet
