// BanList alone: durations and expiry, with time stepped by hand.
#include <catch2/catch.hpp>

#include "node/p2p/BanList.h"

using namespace agora::node;
using namespace std::chrono_literals;

namespace {
const BanList::Clock::time_point kT0 = BanList::Clock::time_point{} + 1h;
}

TEST_CASE("the n-th offence bans for banBase times 2^(n-1)", "[p2p][ban]") {
    BanList bans(10s);
    CHECK(bans.punish("peer", kT0) == 10s);
    CHECK(bans.punish("peer", kT0) == 20s);
    CHECK(bans.punish("peer", kT0) == 40s);
    CHECK(bans.offences("peer") == 3);
    CHECK(bans.banFor(4) == 80s);
}

TEST_CASE("a ban never exceeds the cap, however many offences", "[p2p][ban]") {
    BanList bans(10s);
    CHECK(bans.banFor(6) == 320s);
    CHECK(bans.banFor(7) == BanList::kBanMax);  // 640 s, capped at ten minutes
    CHECK(bans.banFor(1000) == BanList::kBanMax);
    BanList small(1s, 5s);
    for (int i = 0; i < 40; ++i) CHECK(small.punish("peer", kT0) <= 5s);
    CHECK(small.punish("peer", kT0) == 5s);
}

TEST_CASE("a ban ends by itself when its time passes; the offence count stays", "[p2p][ban]") {
    BanList bans(10s);
    bans.punish("peer", kT0);
    CHECK(bans.banned("peer", kT0));
    CHECK(bans.banned("peer", kT0 + 9999ms));
    CHECK_FALSE(bans.banned("peer", kT0 + 10s));
    CHECK(bans.offences("peer") == 1);
    // The next offence after expiry is the second: a longer ban.
    CHECK(bans.punish("peer", kT0 + 11s) == 20s);
    CHECK(bans.banned("peer", kT0 + 30s));
    CHECK_FALSE(bans.banned("peer", kT0 + 31s));
}

TEST_CASE("an id never punished is neither banned nor counted, and bans are per id", "[p2p][ban]") {
    BanList bans(10s);
    bans.punish("a", kT0);
    CHECK_FALSE(bans.banned("b", kT0));
    CHECK(bans.offences("b") == 0);
    CHECK(bans.banned("a", kT0));
}
