#include "consensus/core/Address.h"

#include <algorithm>

#include "consensus/core/Hash256.h"

namespace agora {

Address Address::fromPublicKey(const PublicKey& key) {
    const Hash256 h = sha256(key.span());
    std::array<std::uint8_t, kSize> b{};
    std::copy_n(h.bytes().begin(), kSize, b.begin());
    return Address(b);
}

std::string Address::toBech32(std::string_view prefix) const {
    auto data5 = bech32::convertBits(span(), 8, 5, true);
    return bech32::encode(prefix, data5.value());
}

Expected<Address, AddressError> Address::fromBech32(std::string_view text, std::string_view prefix) {
    auto decoded = bech32::decode(text);
    if (!decoded) return Unexpected(AddressError::Bech32);
    if (decoded->hrp != prefix) return Unexpected(AddressError::WrongPrefix);
    auto raw = bech32::convertBits(decoded->data, 5, 8, false);
    if (!raw) return Unexpected(AddressError::Bech32);
    auto addr = fromSpan(*raw);
    if (!addr) return Unexpected(AddressError::WrongLength);
    return *addr;
}

std::string_view errorName(AddressError e) {
    switch (e) {
        case AddressError::Bech32:
            return "invalid bech32 address";
        case AddressError::WrongPrefix:
            return "address has the wrong prefix";
        case AddressError::WrongLength:
            return "address payload is not 20 bytes";
    }
    return "unknown address error";
}

}  // namespace agora
