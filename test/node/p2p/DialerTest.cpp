// Dialer: the backoff schedule between attempts (the dial loop itself runs
// against real peers in PeerManagerTest.cpp).
#include <catch2/catch.hpp>

#include "node/p2p/Dialer.h"

using namespace agora::node;
using namespace std::chrono_literals;

TEST_CASE("dial backoff doubles from the minimum after each failure up to the maximum", "[p2p][dial]") {
    CHECK(Dialer::backoffAfter(0, 200ms, 5000ms) == 200ms);
    CHECK(Dialer::backoffAfter(1, 200ms, 5000ms) == 400ms);
    CHECK(Dialer::backoffAfter(4, 200ms, 5000ms) == 3200ms);
    CHECK(Dialer::backoffAfter(5, 200ms, 5000ms) == 5000ms);
    CHECK(Dialer::backoffAfter(1000, 200ms, 5000ms) == 5000ms);
}
