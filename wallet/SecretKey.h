#pragma once
// SecretKey: a secp256k1 private key (32 bytes, 0 < k < n) that signs with
// BIP-340 Schnorr. Its public side is the x-only key and the Address of core.
// The bytes are wiped when the object dies; copies are explicit (copy()).

#include <array>
#include <cstdint>
#include <string>

#include "consensus/core/Address.h"
#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/core/PublicKey.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

class SecretKey {
public:
    static constexpr std::size_t kSize = 32;

    // InvalidSecretKey unless 32 bytes with 0 < k < curve order.
    static Expected<SecretKey, WalletError> fromBytes(ByteSpan bytes);
    static Expected<SecretKey, WalletError> fromHex(std::string_view hex);
    // A fresh key from the OS CSPRNG.
    static SecretKey generate();

    SecretKey(SecretKey&& other) noexcept;
    SecretKey& operator=(SecretKey&& other) noexcept;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;
    ~SecretKey();

    SecretKey copy() const { return SecretKey(bytes_); }

    const std::array<std::uint8_t, kSize>& bytes() const { return bytes_; }
    std::string toHex() const;

    PublicKey publicKey() const;
    Address address() const { return Address::fromPublicKey(publicKey()); }

    // BIP-340 signature of msg (any length; the project signs 32-byte
    // digests) with the given 32 bytes of auxiliary randomness.
    Signature sign(ByteSpan msg, const std::array<std::uint8_t, 32>& auxRand) const;
    // Same, with fresh auxiliary randomness from the OS.
    Signature sign(ByteSpan msg) const;

private:
    explicit SecretKey(const std::array<std::uint8_t, kSize>& b) : bytes_(b) {}
    std::array<std::uint8_t, kSize> bytes_{};
};

}  // namespace agora::wallet
