#include "consensus/core/Amount.h"

#include <charconv>

namespace agora {

std::optional<Amount> Amount::checkedAdd(Amount other) const {
    std::uint64_t out = 0;
    if (__builtin_add_overflow(micro_, other.micro_, &out)) return std::nullopt;
    return Amount(out);
}

std::optional<Amount> Amount::checkedSub(Amount other) const {
    std::uint64_t out = 0;
    if (__builtin_sub_overflow(micro_, other.micro_, &out)) return std::nullopt;
    return Amount(out);
}

std::optional<Amount> Amount::checkedMul(std::uint64_t factor) const {
    std::uint64_t out = 0;
    if (__builtin_mul_overflow(micro_, factor, &out)) return std::nullopt;
    return Amount(out);
}

std::optional<Amount> Amount::mulDiv(std::uint64_t num, std::uint64_t den) const {
    if (den == 0) return std::nullopt;
    __extension__ using U128 = unsigned __int128;
    const U128 wide = static_cast<U128>(micro_) * num / den;
    if (wide > UINT64_MAX) return std::nullopt;
    return Amount(static_cast<std::uint64_t>(wide));
}

std::string Amount::toString() const { return std::to_string(micro_); }

std::string Amount::toDisplay() const {
    std::string out = std::to_string(micro_ / kMicroPerToken);
    std::uint64_t frac = micro_ % kMicroPerToken;
    if (frac != 0) {
        std::string f = std::to_string(frac);
        f.insert(0, 6 - f.size(), '0');
        while (!f.empty() && f.back() == '0') f.pop_back();
        out += "." + f;
    }
    return out + "agr";
}

namespace {
std::optional<std::uint64_t> parseDigits(std::string_view s) {
    if (s.empty()) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}
}  // namespace

std::optional<Amount> Amount::parse(std::string_view text) {
    if (text.ends_with("uagr")) {
        auto v = parseDigits(text.substr(0, text.size() - 4));
        if (!v) return std::nullopt;
        return Amount(*v);
    }
    if (text.ends_with("agr")) {
        text.remove_suffix(3);
        const auto dot = text.find('.');
        std::string_view whole = text.substr(0, dot);
        std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
        if (dot != std::string_view::npos && (frac.empty() || frac.size() > 6)) return std::nullopt;
        auto w = parseDigits(whole);
        if (!w) return std::nullopt;
        std::uint64_t f = 0;
        if (!frac.empty()) {
            auto fv = parseDigits(frac);
            if (!fv) return std::nullopt;
            f = *fv;
            for (std::size_t i = frac.size(); i < 6; ++i) f *= 10;
        }
        auto scaled = Amount(*w).checkedMul(kMicroPerToken);
        if (!scaled) return std::nullopt;
        return scaled->checkedAdd(Amount(f));
    }
    auto v = parseDigits(text);
    if (!v) return std::nullopt;
    return Amount(*v);
}

}  // namespace agora
