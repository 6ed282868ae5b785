#pragma once
// Amount: a quantity of the native token in micro-units (uagr, 6 decimals).
// All arithmetic is checked: an operation that would overflow or go negative
// returns nullopt instead of wrapping. Never a float.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agora {

class Amount {
public:
    static constexpr std::uint64_t kMicroPerToken = 1'000'000;

    constexpr Amount() = default;
    constexpr explicit Amount(std::uint64_t micro) : micro_(micro) {}

    constexpr std::uint64_t micro() const { return micro_; }
    constexpr bool isZero() const { return micro_ == 0; }

    std::optional<Amount> checkedAdd(Amount other) const;
    std::optional<Amount> checkedSub(Amount other) const;
    std::optional<Amount> checkedMul(std::uint64_t factor) const;
    // floor(this * num / den) computed without intermediate overflow; nullopt
    // when den is 0 or the result does not fit.
    std::optional<Amount> mulDiv(std::uint64_t num, std::uint64_t den) const;

    // Integer micro-units as decimal text, e.g. "1500000".
    std::string toString() const;
    // "1.5agr" style display with the 6 decimals, trailing zeros trimmed.
    std::string toDisplay() const;
    // Parses decimal micro-units ("1500000", optionally suffixed "uagr") or
    // whole/decimal tokens suffixed "agr" ("1.5agr"). Rejects overflow,
    // signs, spaces, more than 6 decimals and empty input.
    static std::optional<Amount> parse(std::string_view text);

    constexpr auto operator<=>(const Amount&) const = default;

private:
    std::uint64_t micro_ = 0;
};

}  // namespace agora
