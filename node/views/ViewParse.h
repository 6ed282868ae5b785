#pragma once
// Field parsers shared by the views' fromProto functions (node/views only):
// each returns nullopt when the text is not the form docs/rpc.md names.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Hash256.h"

namespace agora::node::viewparse {

inline std::optional<Address> address(std::string_view text, std::string_view prefix = kAccountPrefix) {
    auto a = Address::fromBech32(text, prefix);
    if (!a) return std::nullopt;
    return *a;
}

// Decimal uagr only (the form the node serves; no unit suffix).
inline std::optional<Amount> amount(std::string_view text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    return Amount::parse(text);
}

inline std::optional<std::uint64_t> u64(std::string_view text) {
    std::uint64_t v = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return v;
}

inline std::optional<Hash256> hash(std::string_view hex) {
    return Hash256::fromHex(hex);
}

}  // namespace agora::node::viewparse
