#pragma once
// Address: the first 20 bytes of SHA-256 of a 32-byte x-only public key.
// Text form is bech32 with prefix "agora" (accounts) or "agoravaloper"
// (validator operators).

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/Bech32.h"
#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/core/FixedBytes.h"
#include "consensus/core/PublicKey.h"

namespace agora {

inline constexpr std::string_view kAccountPrefix = "agora";
inline constexpr std::string_view kValidatorPrefix = "agoravaloper";

enum class AddressError {
    Bech32,       // not valid bech32 (checksum, case, characters, length)
    WrongPrefix,  // a valid bech32 string for another prefix
    WrongLength,  // payload is not 20 bytes
};

class Address : public FixedBytes<Address, 20> {
public:
    using FixedBytes::FixedBytes;
    static Address fromPublicKey(const PublicKey& key);

    // prefix must be kAccountPrefix or kValidatorPrefix (or another lower-case hrp).
    std::string toBech32(std::string_view prefix = kAccountPrefix) const;
    static Expected<Address, AddressError> fromBech32(std::string_view text, std::string_view prefix = kAccountPrefix);
};

std::string_view errorName(AddressError e);

}  // namespace agora
