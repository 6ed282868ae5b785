#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "consensus/core/Codec.h"

using namespace agora;

namespace {
Bytes hex(const char* h) { return fromHex(h).value(); }

CodecError errorOf(const Reader& r) { return r.error()->code; }
}  // namespace

TEST_CASE("codec writes fixed-width integers big-endian", "[codec]") {
    Writer w;
    w.u8(0x01);
    w.u16(0x0203);
    w.u32(0x04050607);
    w.u64(0x08090a0b0c0d0e0fULL);
    REQUIRE(toHex(w.data()) == "0102030405060708090a0b0c0d0e0f");
    Reader r(w.data());
    REQUIRE(r.u8() == 0x01);
    REQUIRE(r.u16() == 0x0203);
    REQUIRE(r.u32() == 0x04050607);
    REQUIRE(r.u64() == 0x08090a0b0c0d0e0fULL);
    r.expectEnd();
    REQUIRE(r.ok());
}

TEST_CASE("codec varints are LEB128 and round-trip at every boundary", "[codec]") {
    const std::pair<std::uint64_t, const char*> cases[] = {
        {0, "00"},          {1, "01"},           {127, "7f"},
        {128, "8001"},      {300, "ac02"},       {16383, "ff7f"},
        {16384, "808001"},  {UINT64_MAX, "ffffffffffffffffff01"},
    };
    for (const auto& [value, expected] : cases) {
        Writer w;
        w.varint(value);
        REQUIRE(toHex(w.data()) == expected);
        Reader r(w.data());
        REQUIRE(r.varint() == value);
        r.expectEnd();
        REQUIRE(r.ok());
    }
}

TEST_CASE("codec rejects non-minimal varints", "[codec]") {
    for (const char* h : {"8000", "ff00", "808000", "8180808000"}) {
        INFO(h);
        Bytes b = hex(h);
        Reader r(b);
        r.varint();
        REQUIRE_FALSE(r.ok());
        REQUIRE(errorOf(r) == CodecError::NonMinimalVarint);
    }
}

TEST_CASE("codec rejects varints above 2^64-1 or longer than 10 bytes", "[codec]") {
    for (const char* h : {"ffffffffffffffffff02", "ffffffffffffffffff7f", "8080808080808080808001"}) {
        INFO(h);
        Bytes b = hex(h);
        Reader r(b);
        r.varint();
        REQUIRE(errorOf(r) == CodecError::VarintOverflow);
    }
}

TEST_CASE("codec rejects truncated input in every field kind", "[codec]") {
    Bytes three = hex("000102");
    Reader r1(three);
    r1.u32();
    REQUIRE(errorOf(r1) == CodecError::Truncated);

    Bytes cont = hex("80");
    Reader r2(cont);
    r2.varint();
    REQUIRE(errorOf(r2) == CodecError::Truncated);

    Bytes shortBytes = hex("05aabb");
    Reader r3(shortBytes);
    r3.bytes(100);
    REQUIRE(errorOf(r3) == CodecError::Truncated);

    Bytes none;
    Reader r4(none);
    r4.fixed<32>();
    REQUIRE(errorOf(r4) == CodecError::Truncated);
}

TEST_CASE("codec rejects bools other than 0 and 1", "[codec]") {
    Bytes b = hex("02");
    Reader r(b);
    r.boolean();
    REQUIRE(errorOf(r) == CodecError::InvalidBool);
}

TEST_CASE("codec enforces length bounds before reading", "[codec]") {
    Bytes b = hex("ffffffff0f");  // claims a 4 GiB string
    Reader r(b);
    r.bytes(64);
    REQUIRE(errorOf(r) == CodecError::LengthTooLong);

    Bytes empty = hex("00");
    Reader r2(empty);
    r2.string(64, 1);
    REQUIRE(errorOf(r2) == CodecError::LengthTooShort);
}

TEST_CASE("codec rejects strings that are not valid UTF-8", "[codec]") {
    for (const char* h : {"01ff", "02c0af", "03eda080", "04f4908080", "02c328"}) {
        INFO(h);
        Bytes b = hex(h);
        Reader r(b);
        r.string(64);
        REQUIRE(errorOf(r) == CodecError::InvalidUtf8);
    }
    Bytes ok = hex("0568c3a96c6c");  // "héll" + "l"? 5 bytes: h, é(2), l, l
    Reader r(ok);
    REQUIRE(r.string(64) == "h\xc3\xa9ll");
    REQUIRE(r.ok());
}

TEST_CASE("codec reports trailing bytes and keeps the first error", "[codec]") {
    Bytes b = hex("0100");
    Reader r(b);
    r.u8();
    r.expectEnd();
    REQUIRE(errorOf(r) == CodecError::TrailingBytes);
    REQUIRE(r.error()->offset == 1);

    Bytes bad = hex("02");
    Reader r2(bad);
    r2.boolean();
    r2.u64();  // would be Truncated, but the first error wins
    REQUIRE(errorOf(r2) == CodecError::InvalidBool);
    REQUIRE(r2.u8() == 0);
}
