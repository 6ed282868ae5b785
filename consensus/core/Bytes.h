#pragma once
// Byte containers and hex text form. Bytes are std::uint8_t, never char.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace agora {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

// Lower-case hex of the bytes.
std::string toHex(ByteSpan bytes);
// Parses hex (either case, even length); nullopt on any other input.
std::optional<Bytes> fromHex(std::string_view hex);

inline ByteSpan asBytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace agora
