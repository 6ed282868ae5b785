#pragma once
// BIP-340 Schnorr keys and signatures over secp256k1 (libsecp256k1).
// Verification only: signing lives in wallet/.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "consensus/core/Bytes.h"
#include "consensus/core/Hash256.h"

namespace agora {

// 32-byte x-only public key (BIP-340).
class PublicKey {
public:
    static constexpr std::size_t kSize = 32;
    constexpr PublicKey() = default;
    constexpr explicit PublicKey(const std::array<std::uint8_t, kSize>& b) : bytes_(b) {}
    static std::optional<PublicKey> fromSpan(ByteSpan bytes);
    static std::optional<PublicKey> fromHex(std::string_view hex);

    const std::array<std::uint8_t, kSize>& bytes() const { return bytes_; }
    ByteSpan span() const { return {bytes_.data(), bytes_.size()}; }
    std::string toHex() const { return agora::toHex(span()); }
    // True when the bytes are the x coordinate of a point on the curve.
    bool isValid() const;

    auto operator<=>(const PublicKey&) const = default;

private:
    std::array<std::uint8_t, kSize> bytes_{};
};

// 64-byte BIP-340 signature.
class Signature {
public:
    static constexpr std::size_t kSize = 64;
    constexpr Signature() = default;
    constexpr explicit Signature(const std::array<std::uint8_t, kSize>& b) : bytes_(b) {}
    static std::optional<Signature> fromSpan(ByteSpan bytes);
    static std::optional<Signature> fromHex(std::string_view hex);

    const std::array<std::uint8_t, kSize>& bytes() const { return bytes_; }
    ByteSpan span() const { return {bytes_.data(), bytes_.size()}; }
    std::string toHex() const { return agora::toHex(span()); }

    auto operator<=>(const Signature&) const = default;

private:
    std::array<std::uint8_t, kSize> bytes_{};
};

// BIP-340 verification of sig over an arbitrary-length message (the project
// always signs a 32-byte digest; the BIP vectors also use other lengths).
bool verifySchnorr(const PublicKey& key, ByteSpan message, const Signature& sig);

}  // namespace agora
