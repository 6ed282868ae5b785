#include "wallet/Base58.h"

#include <algorithm>

#include "consensus/core/Hash256.h"

namespace agora::wallet {

std::string base58CheckEncode(ByteSpan payload) {
    static constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    Bytes data(payload.begin(), payload.end());
    const Hash256 h1 = sha256(payload);
    const Hash256 h2 = sha256(h1.span());
    data.insert(data.end(), h2.bytes().begin(), h2.bytes().begin() + 4);

    std::size_t zeros = 0;
    while (zeros < data.size() && data[zeros] == 0) ++zeros;
    // Repeated division of the big-endian number by 58.
    std::vector<std::uint8_t> digits;  // little-endian base-58 digits
    for (std::size_t i = zeros; i < data.size(); ++i) {
        unsigned carry = data[i];
        for (auto& d : digits) {
            carry += static_cast<unsigned>(d) << 8;
            d = static_cast<std::uint8_t>(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits.push_back(static_cast<std::uint8_t>(carry % 58));
            carry /= 58;
        }
    }
    std::string out(zeros, '1');
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += kAlphabet[*it];
    return out;
}

}  // namespace agora::wallet
