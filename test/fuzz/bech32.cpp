// Fuzz target: bech32 text (addresses on the CLI, in JSON requests, genesis
// and config files).
// Properties: a string that decodes re-encodes to the same string (lower
// case); an address that parses prints back to the same text.
#include <cctype>

#include "consensus/core/Address.h"
#include "consensus/core/Bech32.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    const std::string_view text = fuzz::textOf(data, size);
    auto decoded = bech32::decode(text);
    if (decoded) {
        std::string lower(text);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        fuzz::require(bech32::encode(decoded->hrp, decoded->data) == lower, "bech32 does not re-encode to its text");
        auto eight = bech32::convertBits(ByteSpan(decoded->data.data(), decoded->data.size()), 5, 8, false);
        if (eight) {
            auto five = bech32::convertBits(ByteSpan(eight->data(), eight->size()), 8, 5, true);
            fuzz::require(five.hasValue() && *five == decoded->data, "5->8->5 bit regrouping is not the identity");
        }
    }
    for (std::string_view prefix : {kAccountPrefix, kValidatorPrefix}) {
        auto addr = Address::fromBech32(text, prefix);
        if (!addr) continue;
        auto back = Address::fromBech32(addr->toBech32(prefix), prefix);
        fuzz::require(back.hasValue() && *back == *addr, "address does not round-trip through bech32");
    }
    return 0;
}
