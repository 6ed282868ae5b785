#pragma once
// A BIP-32 derivation path such as "m/44'/118'/0'/0/0". Hardened steps are
// written with ' or h (or H); each index must be below 2^31 before hardening.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Expected.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

inline constexpr std::uint32_t kHardened = 0x80000000U;
// Agora uses coin type 118 (as Cosmos chains do) so existing HD tooling finds the keys.
inline constexpr std::string_view kDefaultDerivationPath = "m/44'/118'/0'/0/0";

class DerivationPath {
public:
    DerivationPath() = default;  // the master key, "m"
    explicit DerivationPath(std::vector<std::uint32_t> steps) : steps_(std::move(steps)) {}
    static Expected<DerivationPath, WalletError> parse(std::string_view text);

    const std::vector<std::uint32_t>& steps() const { return steps_; }
    // Canonical text with ' for hardened steps.
    std::string toString() const;
    bool operator==(const DerivationPath&) const = default;

private:
    std::vector<std::uint32_t> steps_;
};

}  // namespace agora::wallet
