#include <catch2/catch.hpp>
#include <cstdint>

#include "consensus/core/Amount.h"

using agora::Amount;

TEST_CASE("Amount addition reports overflow instead of wrapping", "[amount]") {
    REQUIRE(Amount(1).checkedAdd(Amount(2)) == Amount(3));
    REQUIRE(Amount(UINT64_MAX).checkedAdd(Amount(0)) == Amount(UINT64_MAX));
    REQUIRE_FALSE(Amount(UINT64_MAX).checkedAdd(Amount(1)).has_value());
    REQUIRE_FALSE(Amount(UINT64_MAX / 2 + 1).checkedAdd(Amount(UINT64_MAX / 2 + 1)).has_value());
}

TEST_CASE("Amount subtraction reports underflow", "[amount]") {
    REQUIRE(Amount(5).checkedSub(Amount(5)) == Amount(0));
    REQUIRE_FALSE(Amount(4).checkedSub(Amount(5)).has_value());
}

TEST_CASE("Amount multiplication reports overflow", "[amount]") {
    REQUIRE(Amount(1'000'000).checkedMul(3) == Amount(3'000'000));
    REQUIRE(Amount(UINT64_MAX).checkedMul(1) == Amount(UINT64_MAX));
    REQUIRE_FALSE(Amount(UINT64_MAX).checkedMul(2).has_value());
    REQUIRE_FALSE(Amount(1ULL << 32).checkedMul(1ULL << 32).has_value());
}

TEST_CASE("Amount mulDiv is exact in 128 bits and rejects overflow and zero divisor", "[amount]") {
    REQUIRE(Amount(UINT64_MAX).mulDiv(UINT64_MAX, UINT64_MAX) == Amount(UINT64_MAX));
    REQUIRE(Amount(10).mulDiv(1, 3) == Amount(3));
    REQUIRE_FALSE(Amount(UINT64_MAX).mulDiv(2, 1).has_value());
    REQUIRE_FALSE(Amount(1).mulDiv(1, 0).has_value());
}

TEST_CASE("Amount parses micro-units and token notation strictly", "[amount]") {
    REQUIRE(Amount::parse("1500000") == Amount(1'500'000));
    REQUIRE(Amount::parse("1500000uagr") == Amount(1'500'000));
    REQUIRE(Amount::parse("1.5agr") == Amount(1'500'000));
    REQUIRE(Amount::parse("0.000001agr") == Amount(1));
    REQUIRE(Amount::parse("18446744073709551615") == Amount(UINT64_MAX));
    REQUIRE_FALSE(Amount::parse("18446744073709551616").has_value());
    REQUIRE_FALSE(Amount::parse("18446744073710agr").has_value());
    REQUIRE_FALSE(Amount::parse("-1").has_value());
    REQUIRE_FALSE(Amount::parse("").has_value());
    REQUIRE_FALSE(Amount::parse("1.0000001agr").has_value());
    REQUIRE_FALSE(Amount::parse("1.agr").has_value());
    REQUIRE_FALSE(Amount::parse(" 1").has_value());
    REQUIRE(Amount(1'500'000).toDisplay() == "1.5agr");
    REQUIRE(Amount(2'000'000).toDisplay() == "2agr");
}
