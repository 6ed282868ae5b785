#pragma once
// Hash256: a 32-byte SHA-256 digest, and the SHA-256 functions (Crypto++).

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/Bytes.h"

namespace agora {

class Hash256 {
public:
    static constexpr std::size_t kSize = 32;

    constexpr Hash256() = default;
    constexpr explicit Hash256(const std::array<std::uint8_t, kSize>& bytes) : bytes_(bytes) {}
    // nullopt unless exactly 32 bytes.
    static std::optional<Hash256> fromSpan(ByteSpan bytes);
    static std::optional<Hash256> fromHex(std::string_view hex);

    const std::array<std::uint8_t, kSize>& bytes() const { return bytes_; }
    ByteSpan span() const { return {bytes_.data(), bytes_.size()}; }
    std::uint8_t* data() { return bytes_.data(); }
    bool isZero() const;
    std::string toHex() const;

    auto operator<=>(const Hash256&) const = default;

private:
    std::array<std::uint8_t, kSize> bytes_{};
};

// SHA-256 of one buffer.
Hash256 sha256(ByteSpan data);

// Incremental SHA-256 over several buffers.
class Sha256Hasher {
public:
    Sha256Hasher();
    ~Sha256Hasher();
    Sha256Hasher(const Sha256Hasher&) = delete;
    Sha256Hasher& operator=(const Sha256Hasher&) = delete;

    Sha256Hasher& update(ByteSpan data);
    Hash256 finish();

private:
    struct Impl;
    Impl* impl_;
};

}  // namespace agora
