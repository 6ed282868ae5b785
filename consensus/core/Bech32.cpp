#include "consensus/core/Bech32.h"

namespace agora::bech32 {
namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

std::uint32_t polymod(const std::vector<std::uint8_t>& values) {
    static constexpr std::uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    std::uint32_t chk = 1;
    for (std::uint8_t v : values) {
        const std::uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; ++i)
            if ((top >> i) & 1) chk ^= kGen[i];
    }
    return chk;
}

std::vector<std::uint8_t> hrpExpand(std::string_view hrp) {
    std::vector<std::uint8_t> out;
    out.reserve(hrp.size() * 2 + 1);
    for (char c : hrp) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(c) >> 5));
    out.push_back(0);
    for (char c : hrp) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(c) & 31));
    return out;
}

int charsetIndex(char c) {
    const auto pos = kCharset.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

std::string_view errorName(Error e) {
    switch (e) {
        case Error::TooLong: return "bech32 string longer than 90 characters";
        case Error::MixedCase: return "bech32 string mixes upper and lower case";
        case Error::InvalidCharacter: return "invalid bech32 character";
        case Error::NoSeparator: return "missing bech32 separator or parts too short";
        case Error::BadChecksum: return "bad bech32 checksum";
        case Error::BadPadding: return "bad bech32 padding";
    }
    return "unknown bech32 error";
}

std::string encode(std::string_view hrp, const std::vector<std::uint8_t>& data5) {
    std::vector<std::uint8_t> values = hrpExpand(hrp);
    values.insert(values.end(), data5.begin(), data5.end());
    values.insert(values.end(), 6, 0);
    const std::uint32_t mod = polymod(values) ^ 1;
    std::string out(hrp);
    out.push_back('1');
    for (std::uint8_t d : data5) out.push_back(kCharset[d]);
    for (int i = 0; i < 6; ++i) out.push_back(kCharset[(mod >> (5 * (5 - i))) & 31]);
    return out;
}

Expected<Decoded, Error> decode(std::string_view text) {
    if (text.size() > 90) return Unexpected(Error::TooLong);
    bool lower = false, upper = false;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126) return Unexpected(Error::InvalidCharacter);
        if (c >= 'a' && c <= 'z') lower = true;
        if (c >= 'A' && c <= 'Z') upper = true;
    }
    if (lower && upper) return Unexpected(Error::MixedCase);
    const auto sep = text.rfind('1');
    if (sep == std::string_view::npos || sep == 0 || sep + 7 > text.size()) return Unexpected(Error::NoSeparator);
    Decoded out;
    for (std::size_t i = 0; i < sep; ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        out.hrp.push_back(c);
    }
    for (std::size_t i = sep + 1; i < text.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const int idx = charsetIndex(c);
        if (idx < 0) return Unexpected(Error::InvalidCharacter);
        out.data.push_back(static_cast<std::uint8_t>(idx));
    }
    std::vector<std::uint8_t> values = hrpExpand(out.hrp);
    values.insert(values.end(), out.data.begin(), out.data.end());
    if (polymod(values) != 1) return Unexpected(Error::BadChecksum);
    out.data.resize(out.data.size() - 6);
    return out;
}

Expected<std::vector<std::uint8_t>, Error> convertBits(ByteSpan in, int fromBits, int toBits, bool pad) {
    std::uint32_t acc = 0;
    int bits = 0;
    const std::uint32_t maxv = (1u << toBits) - 1;
    std::vector<std::uint8_t> out;
    for (std::uint8_t v : in) {
        if ((v >> fromBits) != 0) return Unexpected(Error::InvalidCharacter);
        acc = (acc << fromBits) | v;
        bits += fromBits;
        while (bits >= toBits) {
            bits -= toBits;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & maxv));
        }
    }
    if (pad) {
        if (bits > 0) out.push_back(static_cast<std::uint8_t>((acc << (toBits - bits)) & maxv));
    } else if (bits >= fromBits || ((acc << (toBits - bits)) & maxv) != 0) {
        return Unexpected(Error::BadPadding);
    }
    return out;
}

}  // namespace agora::bech32
