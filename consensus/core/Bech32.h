#pragma once
// Bech32 (BIP-173) text encoding: human-readable part, '1', base32 data and a
// 6-character checksum. Used for account and validator addresses.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"

namespace agora::bech32 {

enum class Error {
    TooLong,          // over 90 characters
    MixedCase,        // upper and lower case letters mixed
    InvalidCharacter, // outside the charset or the printable range
    NoSeparator,      // no '1', empty hrp, or data part shorter than the checksum
    BadChecksum,
    BadPadding,       // 5-bit to 8-bit conversion left non-zero padding
};

struct Decoded {
    std::string hrp;               // lower case
    std::vector<std::uint8_t> data;  // 5-bit groups, checksum removed
};

std::string_view errorName(Error e);

// Encodes 5-bit groups under hrp (must be lower case).
std::string encode(std::string_view hrp, const std::vector<std::uint8_t>& data5);
Expected<Decoded, Error> decode(std::string_view text);

// Regroups bits (8 -> 5 with padding, or 5 -> 8 rejecting bad padding).
Expected<std::vector<std::uint8_t>, Error> convertBits(ByteSpan in, int fromBits, int toBits, bool pad);

}  // namespace agora::bech32
