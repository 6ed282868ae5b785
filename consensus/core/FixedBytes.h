#pragma once
// FixedBytes<Derived, N>: the shared shape of fixed-size byte values (hashes,
// keys, signatures, addresses). Each Derived type is distinct: a Hash256
// never compares equal to, or converts into, a PublicKey.

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/Bytes.h"

namespace agora {

template <typename Derived, std::size_t N>
class FixedBytes {
public:
    static constexpr std::size_t kSize = N;

    constexpr FixedBytes() = default;
    constexpr explicit FixedBytes(const std::array<std::uint8_t, N>& bytes) : bytes_(bytes) {}

    // nullopt unless exactly N bytes.
    static std::optional<Derived> fromSpan(ByteSpan bytes) {
        if (bytes.size() != N) return std::nullopt;
        std::array<std::uint8_t, N> b{};
        std::copy(bytes.begin(), bytes.end(), b.begin());
        return Derived(b);
    }
    // nullopt unless 2N hex digits.
    static std::optional<Derived> fromHex(std::string_view hex) {
        auto raw = agora::fromHex(hex);
        if (!raw) return std::nullopt;
        return fromSpan(*raw);
    }

    const std::array<std::uint8_t, N>& bytes() const { return bytes_; }
    ByteSpan span() const { return {bytes_.data(), N}; }
    std::uint8_t* data() { return bytes_.data(); }
    bool isZero() const {
        return std::all_of(bytes_.begin(), bytes_.end(), [](std::uint8_t b) { return b == 0; });
    }
    std::string toHex() const { return agora::toHex(span()); }

    auto operator<=>(const FixedBytes&) const = default;

private:
    std::array<std::uint8_t, N> bytes_{};
};

}  // namespace agora
