// Lease time is block time: a lease owes price_per_second x whole seconds of
// header time, however many blocks the chain makes and however irregularly.

#include <catch2/catch.hpp>

#include <random>

#include "TestEnv.h"
#include "contracts/LeaseAccrual.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

constexpr std::uint64_t kPrice = 1'000;  // per second: 1000 millicores at 1 uagr per millicore

struct ClockEnv {
    TestEnv env;  // grace_seconds = 3 (testParams)
    TestAccount& alice = env.account("alice", Amount(10'000'000));
    TestAccount& prov = env.account("prov", Amount(100'000));
    ClockEnv() {
        env(providerRegister(prov, cpuMem(8'000, 16'384), Amount(5'000)));
        PriceSchedule p;
        p.perCpuMillicore = Amount(1);
        env(offerSet(prov, 1, p));
    }
    std::uint64_t lease(std::uint64_t seconds, Amount deposit) {
        return eventId(env(leaseFromOffer(alice, prov, 1, cpuMem(1'000, 1), seconds, deposit)), "lease_created",
                       "lease_id");
    }
    // Ends the current block and begins one `ms` of block time later.
    void after(std::uint64_t ms) { env.nextBlock({}, ms); }
};

bool hasEvent(const std::vector<state::Event>& events, const std::string& type) {
    for (const auto& e : events)
        if (e.type == type) return true;
    return false;
}

}  // namespace

TEST_CASE("accrual pays whole seconds of block time and carries the sub-second rest") {
    Lease l;
    l.pricePerSecond = Amount(7);
    l.startTime = 1'000'000;
    l.paidThrough = l.startTime;
    l.endTime = l.startTime + 100'000;
    l.escrow = Amount(700);
    l.deposited = l.escrow;
    accrueTo(l, l.startTime + 999);
    CHECK(l.accrued.isZero());
    CHECK(l.paidThrough == l.startTime);
    accrueTo(l, l.startTime + 2'500);
    CHECK(l.accrued == Amount(14));
    CHECK(l.paidThrough == l.startTime + 2'000);  // the 500 ms rest is not lost
    accrueTo(l, l.startTime + 3'000);
    CHECK(l.accrued == Amount(21));
    // Past the end: bounded by the end time and by the escrow.
    accrueTo(l, l.startTime + 1'000'000);
    CHECK(l.accrued == Amount(700));
    CHECK(l.paidThrough == l.endTime);
    CHECK(paidUntil(l) == l.endTime);
}

TEST_CASE("accrual stops where the escrow runs dry and leaves less than a second's price in escrow") {
    Lease l;
    l.pricePerSecond = Amount(1'000);
    l.startTime = 5'000;
    l.paidThrough = l.startTime;
    l.endTime = l.startTime + 100'000;
    l.escrow = Amount(3'500);
    l.deposited = l.escrow;
    CHECK(paidUntil(l) == l.startTime + 3'000);
    accrueTo(l, l.startTime + 60'000);
    CHECK(l.accrued == Amount(3'000));
    CHECK(l.escrow == Amount(500));
    CHECK(l.paidThrough == l.startTime + 3'000);  // paid through the dry time, not the block that saw it
}

TEST_CASE("accrual does not depend on how often or when a lease is touched") {
    std::mt19937_64 rng(42);
    for (int round = 0; round < 200; ++round) {
        Lease once;
        once.pricePerSecond = Amount(1 + rng() % 1'000);
        once.startTime = 1'700'000'000'000 + rng() % 10'000;
        once.paidThrough = once.startTime;
        once.endTime = once.startTime + 1'000 * (1 + rng() % 600);
        once.escrow = Amount(rng() % 700'000);
        once.deposited = once.escrow;
        Lease often = once;
        const std::uint64_t until = once.startTime + rng() % 700'000;
        for (std::uint64_t t = once.startTime; t < until; t += 1 + rng() % 3'000) accrueTo(often, t);
        accrueTo(often, until);
        accrueTo(once, until);
        REQUIRE(often == once);
    }
}

TEST_CASE(
    "a lease on a chain with irregular block times accrues price x elapsed block time, runs dry, graces and "
    "closes on time") {
    ClockEnv c;
    auto& env = c.env;
    // 70 seconds paid for, 500 left over; 100 seconds leased.
    const auto id = c.lease(100, Amount(70 * kPrice + 500));
    const std::uint64_t t0 = env.time();
    REQUIRE(env.lease(id)->dueTime == t0 + 70'000);

    c.after(1'000);  // one second
    env(providerWithdraw(c.prov, id));
    CHECK(env.lease(id)->paidOut == Amount(1 * kPrice));

    c.after(60'000);  // the chain sat idle for a minute: the lease did not
    env(providerWithdraw(c.prov, id));
    CHECK(env.lease(id)->paidOut == Amount(61 * kPrice));

    for (int i = 0; i < 10; ++i) c.after(10);  // ten blocks in 100 ms cost nothing more
    env(providerWithdraw(c.prov, id), expect(Code::NothingToWithdraw));
    CHECK(env.lease(id)->paidThrough == t0 + 61'000);

    c.after(900);  // t0 + 62 s: the carried 100 ms makes a whole second
    env(providerWithdraw(c.prov, id));
    CHECK(env.lease(id)->paidOut == Amount(62 * kPrice));

    // Quarter-second blocks up to the dry time: active until the block at t0 + 70 s ends.
    while (env.time() + 250 < t0 + 70'000) c.after(250);
    CHECK(env.time() == t0 + 69'750);
    c.after(250);
    CHECK(env.time() == t0 + 70'000);
    CHECK(env.lease(id)->state == LeaseState::Active);
    const auto dryEnd = env.nextBlock({}, 500);
    CHECK(hasEvent(dryEnd.events, "lease_insufficient_funds"));
    Lease l = *env.lease(id);
    CHECK(l.state == LeaseState::InsufficientFunds);
    CHECK(l.paidThrough == t0 + 70'000);
    CHECK(l.accrued == Amount(8 * kPrice));  // 70 paid, 62 of them withdrawn
    CHECK(l.graceTime == t0 + 70'000 + 3'000);

    // Grace is three seconds of block time, whatever the block rate.
    while (env.time() + 500 < l.graceTime) c.after(500);
    CHECK(env.time() == t0 + 72'500);
    c.after(500);
    CHECK(env.lease(id)->state == LeaseState::InsufficientFunds);
    const std::uint64_t closingHeight = env.height();
    const auto graceEnd = env.nextBlock({}, 7);
    CHECK(hasEvent(graceEnd.events, "lease_closed"));
    l = *env.lease(id);
    CHECK(l.state == LeaseState::Closed);
    CHECK(l.closeReason == CloseReason::InsufficientFunds);
    CHECK(l.closeHeight == closingHeight);
    CHECK(l.closeTime == t0 + 73'000);
    env(leaseSettle(c.alice, id, 3));
    l = *env.lease(id);
    CHECK(l.paidOut == Amount(70 * kPrice));
    CHECK(l.refunded == Amount(500));
}

TEST_CASE("an idle gap longer than the grace closes a dry lease in the next block, paid exactly to its dry time") {
    ClockEnv c;
    auto& env = c.env;
    const auto id = c.lease(100, Amount(30 * kPrice + 500));
    const std::uint64_t t0 = env.time();
    c.after(60'000);  // nothing ran for a minute: dry at t0 + 30 s, grace over at t0 + 33 s
    const auto end = env.nextBlock();
    CHECK(hasEvent(end.events, "lease_insufficient_funds"));
    CHECK(hasEvent(end.events, "lease_closed"));
    const Lease l = *env.lease(id);
    CHECK(l.state == LeaseState::Closed);
    CHECK(l.closeReason == CloseReason::InsufficientFunds);
    CHECK(l.paidThrough == t0 + 30'000);
    CHECK(l.accrued == Amount(30 * kPrice));
    CHECK(l.graceTime == t0 + 33'000);
}

TEST_CASE("an idle gap past the end time completes the lease at exactly price x duration") {
    ClockEnv c;
    auto& env = c.env;
    const auto id = c.lease(20, Amount(25 * kPrice));
    c.after(60'000);
    env.nextBlock();
    const Lease l = *env.lease(id);
    CHECK(l.state == LeaseState::Closed);
    CHECK(l.closeReason == CloseReason::Completed);
    CHECK(l.accrued == Amount(20 * kPrice));
    CHECK(l.escrow == Amount(5 * kPrice));
}

TEST_CASE("the same lease pays the same on a chain with twice the block rate") {
    struct Run {
        std::vector<Amount> paidAtEachSecond;
        std::uint64_t closedAfterMs = 0;
        Amount paidOut;
    };
    auto run = [](std::uint64_t blockMs) {
        ClockEnv c;
        auto& env = c.env;
        const auto id = c.lease(20, Amount(25 * kPrice));
        const std::uint64_t t0 = env.time();
        Run r;
        while (env.lease(id)->state != LeaseState::Closed) {
            c.after(blockMs);
            if ((env.time() - t0) % 1'000 == 0 && env.lease(id)->state != LeaseState::Closed) {
                Lease touched = *env.lease(id);
                accrueTo(touched, env.time());  // what a withdraw in this block would pay
                r.paidAtEachSecond.push_back(touched.accrued);
            }
        }
        r.closedAfterMs = env.time() - t0;
        env(leaseSettle(c.alice, id, 5));
        r.paidOut = env.lease(id)->paidOut;
        return r;
    };
    const Run slow = run(1'000);
    const Run fast = run(500);
    CHECK(slow.paidAtEachSecond == fast.paidAtEachSecond);
    REQUIRE(slow.paidAtEachSecond.size() == 20);
    CHECK(slow.paidAtEachSecond.back() == Amount(20 * kPrice));
    CHECK(slow.paidOut == Amount(20 * kPrice));
    CHECK(fast.paidOut == Amount(20 * kPrice));
    // Each closes at the end of its block at t0 + 20 s; the state shows it from the next block on.
    CHECK(slow.closedAfterMs == 21'000);
    CHECK(fast.closedAfterMs == 20'500);
}
