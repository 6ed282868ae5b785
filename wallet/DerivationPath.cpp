#include "wallet/DerivationPath.h"

namespace agora::wallet {

Expected<DerivationPath, WalletError> DerivationPath::parse(std::string_view text) {
    auto fail = [text](const std::string& why) {
        return Unexpected(WalletError{WalletErrc::InvalidPath, "'" + std::string(text) + "': " + why});
    };
    if (text.empty() || text[0] != 'm') return fail("must start with m");
    std::vector<std::uint32_t> steps;
    std::size_t pos = 1;
    while (pos < text.size()) {
        if (text[pos] != '/') return fail("expected '/'");
        ++pos;
        std::uint64_t value = 0;
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits > 0 && value == 0) return fail("leading zero");
            value = value * 10 + static_cast<std::uint64_t>(text[pos] - '0');
            if (value >= kHardened) return fail("index must be below 2^31");
            ++digits;
            ++pos;
        }
        if (digits == 0) return fail("missing index");
        bool hardened = false;
        if (pos < text.size() && (text[pos] == '\'' || text[pos] == 'h' || text[pos] == 'H')) {
            hardened = true;
            ++pos;
        }
        steps.push_back(static_cast<std::uint32_t>(value) | (hardened ? kHardened : 0U));
    }
    if (steps.size() > 255) return fail("deeper than 255 levels");
    return DerivationPath(std::move(steps));
}

std::string DerivationPath::toString() const {
    std::string out = "m";
    for (std::uint32_t s : steps_) {
        out += '/';
        out += std::to_string(s & ~kHardened);
        if ((s & kHardened) != 0) out += '\'';
    }
    return out;
}

}  // namespace agora::wallet
