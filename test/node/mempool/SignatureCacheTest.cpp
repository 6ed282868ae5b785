#include <catch2/catch.hpp>

#include "node/mempool/SignatureCache.h"

using namespace agora;
using namespace agora::node;

namespace {
Hash256 hashOf(std::uint32_t i) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(i >> 24), static_cast<std::uint8_t>(i >> 16),
                               static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    return sha256(ByteSpan(b, sizeof b));
}
}  // namespace

TEST_CASE("signature cache knows exactly the hashes marked and forgets the oldest beyond its capacity", "[mempool]") {
    SignatureCache cache(100);
    for (std::uint32_t i = 0; i < 150; ++i) cache.markVerified(hashOf(i));
    cache.markVerified(hashOf(149));  // again: no second entry
    REQUIRE(cache.size() == 100);
    for (std::uint32_t i = 0; i < 50; ++i) REQUIRE_FALSE(cache.isVerified(hashOf(i)));
    for (std::uint32_t i = 50; i < 150; ++i) REQUIRE(cache.isVerified(hashOf(i)));
    REQUIRE_FALSE(cache.isVerified(hashOf(1000)));
    // Hashes that differ only after the first 16 bytes are distinct entries.
    auto x = hashOf(7);
    auto y = x;
    y.data()[31] ^= 1;
    SignatureCache small(4);
    small.markVerified(x);
    REQUIRE(small.isVerified(x));
    REQUIRE_FALSE(small.isVerified(y));
}
