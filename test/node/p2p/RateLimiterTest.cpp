// The per-peer inbound rate limit alone, with time stepped by hand.
#include <catch2/catch.hpp>

#include "node/p2p/RateLimiter.h"

using namespace agora::node;
using namespace std::chrono_literals;

TEST_CASE("a token bucket holds two seconds of its rate and refills with time", "[p2p][rate]") {
    const auto t0 = TokenBucket::Clock::time_point{} + 1h;
    TokenBucket bucket(100, t0);
    CHECK(bucket.fits(200, t0));
    CHECK_FALSE(bucket.fits(201, t0));
    bucket.take(200);
    CHECK_FALSE(bucket.fits(1, t0));
    CHECK(bucket.fits(50, t0 + 500ms));
    CHECK_FALSE(bucket.fits(51, t0 + 500ms));
    CHECK(bucket.fits(200, t0 + 1h));  // never more than its capacity
    CHECK_FALSE(bucket.fits(201, t0 + 1h));
}

TEST_CASE("a peer over its message rate has messages dropped, then is over its limit for good", "[p2p][rate]") {
    const auto t0 = TokenBucket::Clock::time_point{} + 1h;
    InboundRateLimiter limiter(RateLimit{0, 10}, t0);  // 10 messages/s, a burst of 20
    for (int i = 0; i < 20; ++i) CHECK(limiter.admit(100, t0));
    CHECK_FALSE(limiter.admit(100, t0));
    CHECK(limiter.droppedMessages() == 1);
    CHECK_FALSE(limiter.overLimit());
    CHECK(limiter.admit(100, t0 + 100ms));  // one more token
    for (int i = 0; i < 10; ++i) CHECK_FALSE(limiter.admit(100, t0 + 100ms));
    // Dropped: 11 > one second's allowance of 10.
    CHECK(limiter.overLimit());
}

TEST_CASE("a peer over its byte rate has messages dropped; what it drops does not use up the bucket", "[p2p][rate]") {
    const auto t0 = TokenBucket::Clock::time_point{} + 1h;
    InboundRateLimiter limiter(RateLimit{1000, 0}, t0);  // 1000 bytes/s, a burst of 2000
    CHECK(limiter.admit(1500, t0));
    CHECK_FALSE(limiter.admit(600, t0));  // 500 left
    CHECK(limiter.admit(500, t0));
    CHECK(limiter.droppedBytes() == 600);
    CHECK_FALSE(limiter.overLimit());
    CHECK_FALSE(limiter.admit(600, t0));
    CHECK(limiter.overLimit());  // 1200 bytes dropped > one second's 1000
    CHECK(limiter.admit(1000, t0 + 1s));
}

TEST_CASE("a zero rate is no limit", "[p2p][rate]") {
    const auto t0 = TokenBucket::Clock::time_point{} + 1h;
    InboundRateLimiter limiter(RateLimit{0, 0}, t0);
    for (int i = 0; i < 100'000; ++i) REQUIRE(limiter.admit(1 << 20, t0));
    CHECK_FALSE(limiter.overLimit());
}
