#include <catch2/catch.hpp>
#include <string>

#include "consensus/core/Address.h"
#include "consensus/core/Bech32.h"

using namespace agora;

// BIP-173 test vectors: https://github.com/bitcoin/bips/blob/master/bip-0173.mediawiki#test-vectors
TEST_CASE("bech32 accepts every BIP-173 valid checksum vector", "[bech32]") {
    const char* valid[] = {
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    };
    for (const char* v : valid) {
        INFO(v);
        auto d = bech32::decode(v);
        REQUIRE(d.hasValue());
        // Re-encoding gives the lower-case form back.
        std::string lower(v);
        for (auto& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        REQUIRE(bech32::encode(d->hrp, d->data) == lower);
    }
}

TEST_CASE("bech32 rejects every BIP-173 invalid checksum vector", "[bech32]") {
    const std::string invalid[] = {
        std::string("\x20") + "1nwldj5",
        std::string("\x7f") + "1axkwrx",
        std::string("\x80") + "1eym55h",
        "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
        "pzry9x0s0muk",
        "1pzry9x0s0muk",
        "x1b4n0q5v",
        "li1dgmt3",
        std::string("de1lg7wt") + "\xff",
        "A1G7SGD8",
        "10a06t8",
        "1qzzfhee",
    };
    for (const auto& v : invalid) {
        INFO(v);
        REQUIRE_FALSE(bech32::decode(v).hasValue());
    }
}

TEST_CASE("bech32 rejects mixed case with a typed error", "[bech32]") {
    auto d = bech32::decode("a12UEL5L");
    REQUIRE_FALSE(d.hasValue());
    REQUIRE(d.error() == bech32::Error::MixedCase);
}

TEST_CASE("Address round-trips through bech32 and checks prefix, checksum and length", "[address]") {
    std::array<std::uint8_t, 20> raw{};
    for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(i * 7 + 1);
    const Address a(raw);
    const std::string text = a.toBech32();
    REQUIRE(text.rfind("agora1", 0) == 0);
    REQUIRE(Address::fromBech32(text).value() == a);

    const std::string val = a.toBech32(kValidatorPrefix);
    REQUIRE(val.rfind("agoravaloper1", 0) == 0);
    REQUIRE(Address::fromBech32(val, kValidatorPrefix).value() == a);
    REQUIRE(Address::fromBech32(val).error() == AddressError::WrongPrefix);

    std::string upper = text;
    for (auto& c : upper)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    REQUIRE(Address::fromBech32(upper).value() == a);  // all-upper is valid bech32

    std::string corrupted = text;
    corrupted[10] = corrupted[10] == 'q' ? 'p' : 'q';
    REQUIRE(Address::fromBech32(corrupted).error() == AddressError::Bech32);

    // A valid bech32 string under our prefix whose payload is not 20 bytes.
    auto data5 = bech32::convertBits(ByteSpan(raw.data(), 19), 8, 5, true);
    REQUIRE(Address::fromBech32(bech32::encode("agora", data5.value())).error() == AddressError::WrongLength);
}
