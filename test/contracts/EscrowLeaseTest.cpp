// Escrow and lease rules: lazy accrual, the dry-height index, grace close,
// top-up, lease from offer, closing rights and reasons, provider stake needs.

#include <catch2/catch.hpp>

#include "TestEnv.h"
#include "contracts/Keys.h"
#include "contracts/ResourceMath.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

PriceSchedule simplePrices() {
    PriceSchedule p;
    p.perCpuMillicore = Amount(1);  // 1000 millicores -> 1000 per second
    p.perMemoryMib = Amount(0);
    p.perStorageGib = Amount(0);
    p.gpus.push_back(GpuPrice{"nvidia-a100", Amount(500)});
    return p;
}

struct OfferEnv {
    TestEnv env;
    TestAccount& alice = env.account("alice", Amount(10'000'000));
    TestAccount& prov = env.account("prov", Amount(100'000));
    TestAccount& eve = env.account("eve", Amount(100'000));
    OfferEnv() {
        Resources cap = cpuMem(8'000, 16'384);
        cap.gpus.push_back(GpuCount{"nvidia-a100", 2});
        env(providerRegister(prov, cap, Amount(5'000)));
        env(offerSet(prov, 1, simplePrices()));
    }
    std::uint64_t lease(std::uint64_t duration, Amount deposit, Resources r = cpuMem(1'000, 1'024)) {
        return eventId(env(leaseFromOffer(alice, prov, 1, std::move(r), duration, deposit)), "lease_created",
                       "lease_id");
    }
};

}  // namespace

TEST_CASE("lease from offer prices resources at the offer and reserves capacity") {
    OfferEnv o;
    Resources withGpu = cpuMem(2'000, 1'024);
    withGpu.gpus.push_back(GpuCount{"nvidia-a100", 1});
    const auto id = o.lease(10, Amount(25'000), withGpu);
    const auto l = *o.env.lease(id);
    CHECK(l.pricePerSecond == Amount(2'000 + 500));
    CHECK(l.jobId == 0);
    CHECK(o.env.provider(o.prov)->reserved == withGpu);

    Resources h100 = cpuMem(1, 1);
    h100.gpus.push_back(GpuCount{"nvidia-h100", 1});
    o.env(leaseFromOffer(o.alice, o.prov, 1, h100, 10, Amount(10'000)), expect(Code::OfferLacksGpuModel));
    Resources threeGpus = cpuMem(1, 1);
    threeGpus.gpus.push_back(GpuCount{"nvidia-a100", 3});
    o.env(leaseFromOffer(o.alice, o.prov, 1, threeGpus, 10, Amount(10'000)), expect(Code::InsufficientCapacity));
    o.env(leaseFromOffer(o.alice, o.prov, 7, cpuMem(1, 1), 10, Amount(10'000)), expect(Code::OfferNotFound));
    o.env(leaseFromOffer(o.alice, o.eve, 1, cpuMem(1, 1), 10, Amount(10'000)), expect(Code::ProviderNotFound));
    o.env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, Amount(999)), expect(Code::DepositBelowOneSecond));
    o.env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(0, 1'024), 10, Amount(999)), expect(Code::ZeroPrice));
    o.env(leaseFromOffer(o.prov, o.prov, 1, cpuMem(1'000, 1), 10, Amount(5'000)), expect(Code::SelfDealing));
    o.env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 1'001, Amount(5'000)), expect(Code::DurationTooLong));
}

TEST_CASE("escrow running dry turns the lease insufficient_funds at the dry time and closes it grace_seconds later") {
    OfferEnv o;
    auto& env = o.env;
    // 1000 per second, deposit 3500: three full seconds, 500 left over (blocks here are one second apart).
    const auto id = o.lease(100, Amount(3'500));
    const auto start = env.height();
    const auto t0 = env.time();
    CHECK(env.lease(id)->startTime == t0);
    CHECK(env.lease(id)->dueTime == t0 + 3'000);
    // Nothing is touched per block: the stored lease does not change until due.
    env.advanceTo(start + 2);
    CHECK(env.lease(id)->accrued.isZero());
    env.advanceTo(start + 3);
    CHECK(env.lease(id)->state == LeaseState::Active);
    env.nextBlock();  // end of block start+3 processed the due index
    auto l = *env.lease(id);
    CHECK(l.state == LeaseState::InsufficientFunds);
    CHECK(l.accrued == Amount(3'000));
    CHECK(l.escrow == Amount(500));
    CHECK(l.graceTime == t0 + 3'000 + env.params().graceSeconds * 1'000);
    CHECK_FALSE(env.state().entries().count(keys::leaseDue(l.dueTime, id)));

    env.advanceToTime(l.graceTime);
    CHECK(env.lease(id)->state == LeaseState::InsufficientFunds);
    env.nextBlock();
    l = *env.lease(id);
    CHECK(l.state == LeaseState::Closed);
    CHECK(l.closeReason == CloseReason::InsufficientFunds);
    CHECK(l.accrued == Amount(3'000));  // never beyond the deposit
    CHECK(isEmpty(env.provider(o.prov)->reserved));

    const Amount provBefore = env.balance(o.prov);
    env(providerWithdraw(o.prov, id));
    // 2 % of the 3000 paid out is burned as the protocol's take.
    CHECK(env.balance(o.prov) == Amount(provBefore.micro() - 10 + 3'000 - 60));
    env(leaseSettle(o.alice, id, 3));
    CHECK(env.lease(id)->refunded == Amount(500));
    CHECK(env.lease(id)->paidOut == Amount(3'000));
    CHECK(env.lease(id)->burned == Amount(60));
}

TEST_CASE(
    "a top-up during the grace period pays the grace seconds served, returns the lease to active and moves its due "
    "time") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(2'000));
    const auto start = env.height();
    const auto t0 = env.time();
    env.advanceTo(start + 3);
    CHECK(env.lease(id)->state == LeaseState::InsufficientFunds);
    CHECK(env.lease(id)->paidThrough == t0 + 2'000);
    env(leaseTopUp(o.eve, id, Amount(5'000)), expect(Code::NotLeaseClient));
    // The top-up lands one second after the escrow ran dry: that grace second is paid first.
    env(leaseTopUp(o.alice, id, Amount(5'000)));
    auto l = *env.lease(id);
    CHECK(l.state == LeaseState::Active);
    CHECK(l.paidThrough == env.time());
    CHECK(l.accrued == Amount(2'000 + 1'000));
    CHECK(l.dueTime == env.time() + 4'000);
    CHECK(l.deposited == Amount(7'000));
    env.advanceToTime(l.graceTime + 1'000);  // the old grace time passes harmlessly
    CHECK(env.lease(id)->state == LeaseState::Active);
    env.advanceToTime(l.dueTime + 1'000);
    // One grace per lease: dry again, it closes at once instead of a second grace.
    CHECK(env.lease(id)->state == LeaseState::Closed);
    CHECK(env.lease(id)->closeReason == CloseReason::InsufficientFunds);
    CHECK(env.lease(id)->accrued == Amount(7'000));
}

TEST_CASE("a top-up in grace that cannot pay the grace seconds and one more keeps the lease in grace") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(2'000));
    const auto start = env.height();
    const auto t0 = env.time();
    env.advanceTo(start + 4);  // paid through t0+2s: two grace seconds served
    REQUIRE(env.lease(id)->state == LeaseState::InsufficientFunds);
    env(leaseTopUp(o.alice, id, Amount(2'500)));  // owes 2 x 1000 + 1000 for the next second
    auto l = *env.lease(id);
    CHECK(l.state == LeaseState::InsufficientFunds);
    CHECK(l.escrow == Amount(2'500));
    env(leaseTopUp(o.alice, id, Amount(500)));
    l = *env.lease(id);
    CHECK(l.state == LeaseState::Active);
    CHECK(l.accrued == Amount(4'000));
    CHECK(l.escrow == Amount(1'000));
    CHECK(l.paidThrough == t0 + 4'000);
}

TEST_CASE("the provider may close a lease in grace insufficient_funds without penalty") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(2'000));
    env.advanceTo(env.height() + 3);
    REQUIRE(env.lease(id)->state == LeaseState::InsufficientFunds);
    const Amount stakeBefore = env.provider(o.prov)->stake;
    env(leaseClose(o.alice, id, CloseReason::InsufficientFunds), expect(Code::CloseReasonNotAllowed));
    env(leaseClose(o.prov, id, CloseReason::InsufficientFunds));
    const auto l = *env.lease(id);
    CHECK(l.state == LeaseState::Closed);
    CHECK(l.closeReason == CloseReason::InsufficientFunds);
    CHECK(env.provider(o.prov)->stake == stakeBefore);
    CHECK(env.reputation(o.prov).earlyCloses == 0);
    CHECK(env.reputation(o.prov).slashes == 0);
    CHECK(env.provider(o.prov)->reserved == Resources{});
}

TEST_CASE("a top-up while active pushes the dry time out") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(3'000));
    const auto due = env.lease(id)->dueTime;
    env.nextBlock();
    env(leaseTopUp(o.alice, id, Amount(4'000)));
    CHECK(env.lease(id)->dueTime == due + 4'000);
    CHECK(env.lease(id)->accrued == Amount(1'000));
}

TEST_CASE("close rights: client reasons, provider termination, strangers, double close") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(50'000));
    env(leaseClose(o.eve, id, CloseReason::Completed), expect(Code::NotLeaseParty));
    env(leaseClose(o.prov, id, CloseReason::ClientCancelled), expect(Code::CloseReasonNotAllowed));
    env(leaseClose(o.prov, id, CloseReason::ProviderFailed), expect(Code::CloseReasonNotAllowed));
    env(leaseClose(o.alice, id, CloseReason::ProviderTerminated), expect(Code::CloseReasonNotAllowed));
    env(leaseClose(o.alice, id, CloseReason::ManifestTimeout), expect(Code::CloseReasonNotAllowed));
    env(leaseClose(o.alice, id, CloseReason::WorkloadFailed), expect(Code::CloseReasonNotAllowed));
    env(leaseClose(o.alice, id, CloseReason::InsufficientFunds), expect(Code::CloseReasonNotAllowed));
    env(leaseClose(o.prov, id, CloseReason::InsufficientFunds), expect(Code::CloseReasonNotAllowed));  // still paying
    env(leaseSettle(o.alice, id, 5), expect(Code::LeaseNotClosed));
    env(leaseClose(o.alice, 999, CloseReason::Completed), expect(Code::LeaseNotFound));

    env.advance(2);
    const Amount stakeBefore = env.provider(o.prov)->stake;
    const Amount burnedBefore = env.supply().burned;
    env(leaseClose(o.prov, id, CloseReason::ProviderTerminated));
    // Early termination: reputation penalty and 10% of stake burned (test params).
    CHECK(env.reputation(o.prov).earlyCloses == 1);
    CHECK(env.reputation(o.prov).slashes == 1);
    CHECK(env.provider(o.prov)->stake == Amount(stakeBefore.micro() * 9 / 10));
    CHECK(env.supply().burned == Amount(burnedBefore.micro() + stakeBefore.micro() / 10));
    CHECK(env.reputation(o.prov).score() < 600'000);
    env(leaseClose(o.alice, id, CloseReason::Completed), expect(Code::LeaseClosed));
    env(leaseTopUp(o.alice, id, Amount(1)), expect(Code::LeaseClosed));
    env(leaseSettle(o.eve, id, 5), expect(Code::NotLeaseClient));
    env(leaseSettle(o.alice, id, 0), expect(Code::InvalidRating));
    env(leaseSettle(o.alice, id, 6), expect(Code::InvalidRating));
    env(leaseSettle(o.alice, id, 1));
    CHECK(env.lease(id)->paidOut == Amount(2'000));
}

TEST_CASE("provider withdraw pays only what accrued, only to the provider") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(50'000));
    env(providerWithdraw(o.prov, id), expect(Code::NothingToWithdraw));  // nothing served yet
    env(providerWithdraw(o.alice, id), expect(Code::NotLeaseProvider));
    env.advance(3);
    const Amount before = env.balance(o.prov);
    env(providerWithdraw(o.prov, id));
    CHECK(env.balance(o.prov) == Amount(before.micro() - 10 + 3'000 - 60));  // less the 2 % take
    env(providerWithdraw(o.prov, id), expect(Code::NothingToWithdraw));      // same height: no more accrued
}

TEST_CASE("provider stake cannot unbond below what open leases need and unbonds after unbonding_blocks") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(50'000));
    // stake 5000; one open lease needs min 1000 + 100.
    env(providerUnbond(o.prov, Amount(3'901)), expect(Code::UnbondBelowLeaseNeeds));
    env(providerUnbond(o.prov, Amount(5'001)), expect(Code::InsufficientFunds));
    env(providerUnbond(o.eve, Amount(1)), expect(Code::ProviderNotFound));
    const Amount before = env.balance(o.prov);
    env(providerUnbond(o.prov, Amount(3'900)));
    CHECK(env.provider(o.prov)->stake == Amount(1'100));
    const auto unbondAt = env.height() + env.params().unbondingBlocks;
    env.advanceTo(unbondAt);
    CHECK(env.balance(o.prov) == Amount(before.micro() - 10));
    env.nextBlock();
    CHECK(env.balance(o.prov) == Amount(before.micro() - 10 + 3'900));
    // Once the lease is closed everything may go.
    env(leaseClose(o.alice, id, CloseReason::ClientCancelled));
    CHECK(env.clientRecord(o.alice).earlyCloses == 1);
    env(providerUnbond(o.prov, Amount(1'100)));
}

TEST_CASE("capacity cannot be lowered below what leases reserve; offers are bounded") {
    OfferEnv o;
    auto& env = o.env;
    o.lease(100, Amount(50'000), cpuMem(6'000, 1'024));
    MsgProviderUpdate shrink;
    shrink.capacity = cpuMem(5'000, 16'384);
    env(providerUpdate(o.prov, shrink), expect(Code::CapacityBelowReserved));
    shrink.capacity = cpuMem(6'000, 2'048);
    env(providerUpdate(o.prov, shrink));
    CHECK(env.provider(o.prov)->capacity == cpuMem(6'000, 2'048));
    env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1, 1), 10, Amount(5'000)), expect(Code::InsufficientCapacity));

    env(offerSet(o.prov, 2, simplePrices()));
    env(offerSet(o.prov, 3, simplePrices()), expect(Code::TooManyOffers));
    env(offerSet(o.prov, 2, simplePrices()));  // replacing is fine
    env(offerRemove(o.prov, 2));
    env(offerRemove(o.prov, 2), expect(Code::OfferNotFound));
    env(offerSet(o.eve, 1, simplePrices()), expect(Code::ProviderNotFound));
}

TEST_CASE("usage reports must move forward and stay in the past") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(50'000));
    env.advance(3);
    env(usageReport(o.prov, id, env.height() + 1, 10'000), expect(Code::StaleUsageReport));
    env(usageReport(o.prov, id, env.height(), 10'001), expect(Code::InvalidAvailability));
    env(usageReport(o.alice, id, env.height(), 10'000), expect(Code::NotLeaseProvider));
    auto r = env(usageReport(o.prov, id, env.height(), 9'000));
    CHECK(r.events.back().type == "usage_reported");
    env(usageReport(o.prov, id, env.height(), 9'000), expect(Code::StaleUsageReport));
}

TEST_CASE("amounts that overflow are rejected, never wrapped") {
    OfferEnv o;
    auto& env = o.env;
    const Amount huge(UINT64_MAX);
    // max price x duration overflows: malformed.
    env(jobCreate(o.alice, cpuMem(1, 1), Amount(UINT64_MAX / 2), 3, huge), expect(Code::AmountOverflow));
    // A deposit beyond the balance.
    env(jobCreate(o.alice, cpuMem(1, 1), Amount(1), 3, huge), expect(Code::InsufficientFunds));
    env(send(o.alice, o.eve, huge), expect(Code::InsufficientFunds));
    // A price schedule whose price for the request overflows.
    PriceSchedule steep;
    steep.perCpuMillicore = Amount(UINT64_MAX / 2);
    env(offerSet(o.prov, 2, steep));
    env(leaseFromOffer(o.alice, o.prov, 2, cpuMem(3, 1), 10, Amount(10)), expect(Code::Overflow));
}

TEST_CASE("the provider's agent closes without penalty: batch completed, manifest timeout, workload failed") {
    for (const CloseReason reason :
         {CloseReason::Completed, CloseReason::ManifestTimeout, CloseReason::WorkloadFailed}) {
        OfferEnv o;
        auto& env = o.env;
        const auto id = o.lease(100, Amount(50'000));
        env.advance(3);
        const Amount stakeBefore = env.provider(o.prov)->stake;
        env(leaseClose(o.prov, id, reason));
        const auto l = *env.lease(id);
        CHECK(l.state == contracts::LeaseState::Closed);
        CHECK(l.closeReason == reason);
        // No provider penalty: stake, early closes and slashes untouched.
        CHECK(env.provider(o.prov)->stake == stakeBefore);
        CHECK(env.reputation(o.prov).earlyCloses == 0);
        CHECK(env.reputation(o.prov).slashes == 0);
        CHECK(env.provider(o.prov)->reserved == Resources{});
        // The client settles: the provider is paid for the seconds served, the rest comes back.
        env(leaseSettle(o.alice, id, 4));
        const auto settled = *env.lease(id);
        CHECK(settled.paidOut ==
              Amount(settled.pricePerSecond.micro() * ((settled.closeTime - settled.startTime) / 1'000)));
        CHECK(settled.refunded == Amount(50'000 - settled.paidOut.micro()));
    }
}

TEST_CASE("the manifest hash goes from the job or the offer lease onto the lease") {
    OfferEnv o;
    auto& env = o.env;
    const Hash256 h = sha256(asBytes("manifest"));
    const auto fromOffer = eventId(env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1'024), 10, Amount(25'000), h)),
                                   "lease_created", "lease_id");
    CHECK(env.lease(fromOffer)->manifestHash == h);
    const auto plain = o.lease(10, Amount(25'000));
    CHECK(env.lease(plain)->manifestHash == Hash256{});

    const Hash256 h2 = sha256(asBytes("manifest two"));
    const auto jobId =
        eventId(env(jobCreate(o.alice, cpuMem(1'000, 1'024), Amount(100), 10, Amount(1'000), 10, {}, 0, h2)),
                "job_created", "job_id");
    CHECK(env.job(jobId)->manifestHash == h2);
    const auto bidId = eventId(env(bidPlace(o.prov, jobId, Amount(90), Amount(10))), "bid_placed", "bid_id");
    const auto leaseId = eventId(env(bidAccept(o.alice, bidId)), "bid_accepted", "lease_id");
    CHECK(env.lease(leaseId)->manifestHash == h2);
}

TEST_CASE("a lease from an offer the provider re-priced above the client's max price is refused") {
    OfferEnv o;
    auto& env = o.env;
    // 1000 millicores at 1 per millicore: 1000 per second today; the client accepts up to that.
    env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, Amount(50'000), {}, Amount(1'000)));
    PriceSchedule dear = simplePrices();
    dear.perCpuMillicore = Amount(50);  // re-priced in front of the client's next lease
    env(offerSet(o.prov, 1, dear));
    const Amount before = env.balance(o.alice);
    env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, Amount(50'000), {}, Amount(1'000)),
        expect(Code::PriceAboveMax));
    CHECK(env.balance(o.alice) == Amount(before.micro() - env.params().minFee.micro()));  // only the fee
    env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, Amount(50'000), {}, Amount(0)),
        expect(Code::ZeroAmount));
}

TEST_CASE("front-running: an offer re-priced in front of a waiting lease_from_offer refuses it, whatever the price") {
    // The attack of issue 16: the client reads offer 1 and sends lease_from_offer
    // with a deposit; the provider sees it waiting and re-prices the offer in
    // the same block, ahead of it, so that one second costs the whole deposit.
    // A generous max price (here the whole deposit per second) no longer helps
    // the provider: the lease names the version the client read.
    OfferEnv o;
    auto& env = o.env;
    const std::uint64_t read = env.provider(o.prov)->offerVersionSeq;
    REQUIRE(read == 1);
    const Amount deposit(50'000);
    PriceSchedule gouge = simplePrices();
    gouge.perCpuMillicore = Amount(50);  // 1000 millicores: 50,000 per second, the whole deposit
    const Amount provBefore = env.balance(o.prov);
    const Amount aliceBefore = env.balance(o.alice);
    const auto reprice = env(offerSet(o.prov, 1, gouge));  // lands first in the block
    CHECK(eventId(reprice, "offer_set", "version") == 2);
    env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, deposit, {}, deposit, read),
        expect(Code::OfferVersionMismatch));
    env.advance(2);
    // Nothing was leased: the client paid the fee only, the provider got nothing.
    CHECK(env.balance(o.alice) == Amount(aliceBefore.micro() - env.params().minFee.micro()));
    CHECK(env.balance(o.prov) == Amount(provBefore.micro() - env.params().minFee.micro()));
    CHECK(env.provider(o.prov)->reserved == Resources{});
    CHECK(env.provider(o.prov)->openLeases == 0);

    // The same re-price to a price within the client's max is refused too:
    // any change since the read refuses the lease.
    PriceSchedule cheaper = simplePrices();
    cheaper.perCpuMillicore = Amount(2);
    env(offerSet(o.prov, 1, cheaper));
    env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, deposit, {}, deposit, 2),
        expect(Code::OfferVersionMismatch));
    // A client that reads again names version 3 and gets the lease at the price it saw.
    const auto id = eventId(env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, deposit, {}, deposit, 3)),
                            "lease_created", "lease_id");
    CHECK(env.lease(id)->pricePerSecond == Amount(2'000));

    // A removed offer's version is never reused: set again, it takes the next one.
    env(offerRemove(o.prov, 1));
    env(offerSet(o.prov, 1, simplePrices()));
    CHECK(env.provider(o.prov)->offerVersionSeq == 4);
    env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, deposit, {}, deposit, 1),
        expect(Code::OfferVersionMismatch));
    env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1'000, 1), 10, deposit, {}, deposit, 4));
}

TEST_CASE("a lease_from_offer that names no offer version is malformed") {
    OfferEnv o;
    MsgLeaseFromOffer m{o.prov.address, 1, cpuMem(1'000, 1), 10, Amount(50'000), {}, Amount(1'000), 0};
    CHECK(checkMessage(Msg(m)) == Code::InvalidField);
    m.offerVersion = 1;
    CHECK(checkMessage(Msg(m)) == Code::Ok);
}

TEST_CASE("the protocol take burns lease_take_rate_ppm of every payment, rounded up, and the supply stays exact") {
    OfferEnv o;
    auto& env = o.env;
    REQUIRE(env.params().leaseTakeRatePpm == 20'000);  // 2 %
    const auto id = o.lease(100, Amount(50'000));      // 1000 per second
    const Amount burnedBefore = env.supply().burned;
    env.advance(3);
    Amount provBefore = env.balance(o.prov);
    env(providerWithdraw(o.prov, id));  // 3000 paid: 60 burned, 2940 to the provider
    CHECK(env.balance(o.prov) == Amount(provBefore.micro() - 10 + 2'940));
    CHECK(env.lease(id)->burned == Amount(60));
    CHECK(env.supply().burned == Amount(burnedBefore.micro() + 60));

    // A payment too small for 2 % to reach 1 uagr still burns 1: splitting a
    // payment into small withdrawals never escapes the take.
    const auto tiny = eventId(env(leaseFromOffer(o.alice, o.prov, 1, cpuMem(1, 1), 100, Amount(1'000))),
                              "lease_created", "lease_id");  // 1 per second
    env.nextBlock();
    provBefore = env.balance(o.prov);
    env(providerWithdraw(o.prov, tiny));
    CHECK(env.lease(tiny)->burned == Amount(1));
    CHECK(env.balance(o.prov) == Amount(provBefore.micro() - 10 + 0));

    // Settlement pays the rest under the same take; the lease's paid_out is
    // gross, its burned the take, and supply.burned grew by exactly both leases' burns.
    env(leaseClose(o.alice, id, CloseReason::ClientCancelled));
    const Lease closed = *env.lease(id);
    provBefore = env.balance(o.prov);
    env(leaseSettle(o.alice, id, 4));
    const Lease settled = *env.lease(id);
    const std::uint64_t gross = closed.accrued.micro();
    const std::uint64_t take = (gross * 20'000 + 999'999) / 1'000'000;
    CHECK(env.balance(o.prov) == Amount(provBefore.micro() + gross - take));
    CHECK(settled.burned == Amount(60 + take));
    CHECK(settled.paidOut.micro() + settled.refunded.micro() == settled.deposited.micro());
    CHECK(env.supply().burned == Amount(burnedBefore.micro() + settled.burned.micro() + 1));
}

TEST_CASE("lease_take_rate_ppm is a governable parameter, validated to at most one million") {
    Params p = testParams();
    CHECK(paramValue(p, "lease_take_rate_ppm") == "20000");
    CHECK(setParam(p, "lease_take_rate_ppm", "1000000") == Code::Ok);
    CHECK(!p.validate());
    CHECK(setParam(p, "lease_take_rate_ppm", "1000001") == Code::Ok);
    CHECK(p.validate() == "lease_take_rate_ppm above 1000000");

    // With the take at zero the provider is paid in full and nothing burns.
    Params free = testParams();
    free.leaseTakeRatePpm = 0;
    TestEnv env(free);
    auto& alice = env.account("alice", Amount(1'000'000));
    auto& prov = env.account("prov", Amount(100'000));
    env(providerRegister(prov, cpuMem(8'000, 16'384), Amount(5'000)));
    env(offerSet(prov, 1, simplePrices()));
    const auto id = eventId(env(leaseFromOffer(alice, prov, 1, cpuMem(1'000, 1'024), 100, Amount(50'000))),
                            "lease_created", "lease_id");
    env.advance(2);
    const Amount before = env.balance(prov);
    env(providerWithdraw(prov, id));
    CHECK(env.balance(prov) == Amount(before.micro() - 10 + 2'000));
    CHECK(env.lease(id)->burned.isZero());
}

TEST_CASE("auto top-up keeps a lease alive across three due times and stops at the cap") {
    OfferEnv o;
    auto& env = o.env;
    // 1000 per second, 100 seconds long, a deposit of 5 seconds.
    const auto id = o.lease(100, Amount(5'000));
    const std::uint64_t start = env.lease(id)->startTime;
    REQUIRE(env.lease(id)->dueTime == start + 5'000);
    env(leaseSetAutoTopUp(o.alice, id, Amount(5'000), Amount(15'000)));
    CHECK(env.ledger().block().time == start);  // set in the block that opened the lease
    const Amount aliceAfterSet = env.balance(o.alice);

    // Each dry-out pulls 5,000 from the client's balance: at 5, 10 and 15 seconds.
    std::vector<std::uint64_t> pulledAt;
    std::optional<std::uint64_t> dryAt;
    while (env.time() < start + 40'000) {
        const std::uint64_t t = env.time();
        for (const auto& e : env.nextBlock().events) {
            if (e.type == "lease_auto_topped_up" && e.attr("lease_id") == std::to_string(id)) {
                CHECK(*e.attr("amount") == "5000");
                pulledAt.push_back(t - start);
            }
            if (e.type == "lease_insufficient_funds" && e.attr("lease_id") == std::to_string(id) && !dryAt)
                dryAt = t - start;
        }
        if (t - start < 20'000) CHECK(env.lease(id)->state == LeaseState::Active);  // never dry while it lasts
    }
    CHECK(pulledAt == std::vector<std::uint64_t>{5'000, 10'000, 15'000});
    // The cap is spent: the allowance is gone and the lease runs dry at 20 seconds.
    REQUIRE(dryAt.has_value());
    CHECK(*dryAt == 20'000);
    CHECK_FALSE(env.autoTopUp(id).has_value());
    CHECK(env.balance(o.alice) == Amount(aliceAfterSet.micro() - 15'000));
    const Lease l = *env.lease(id);
    CHECK(l.deposited == Amount(20'000));
    CHECK(l.state != LeaseState::Active);
    // Paid for exactly the 20 seconds the four deposits bought.
    env(providerWithdraw(o.prov, id));
    CHECK(env.lease(id)->paidOut == Amount(20'000));
}

TEST_CASE("auto top-up pulls no more than the client's balance and is skipped when that buys no second") {
    OfferEnv o;
    auto& env = o.env;
    auto& carol = env.account("carol", Amount(7'100));
    const auto id = eventId(env(leaseFromOffer(carol, o.prov, 1, cpuMem(1'000, 1'024), 100, Amount(5'000))),
                            "lease_created", "lease_id");
    env(leaseSetAutoTopUp(carol, id, Amount(5'000), Amount(50'000)));
    // carol has 7,100 - 2 fees = 2,080 left: the first dry-out pulls all of it (2 more seconds).
    REQUIRE(env.balance(carol) == Amount(2'080));
    env.advanceToTime(env.lease(id)->startTime + 5'000);
    env.nextBlock();
    CHECK(env.balance(carol) == Amount(0));
    CHECK(env.lease(id)->deposited == Amount(7'080));
    CHECK(env.lease(id)->state == LeaseState::Active);
    CHECK(env.autoTopUp(id)->remaining == Amount(47'920));
    // At the next dry-out the balance buys nothing: skipped, the lease goes into its grace.
    env.advanceToTime(env.lease(id)->dueTime);
    const auto end = env.nextBlock();
    bool skipped = false;
    for (const auto& e : end.events) skipped = skipped || e.type == "lease_auto_top_up_skipped";
    CHECK(skipped);
    CHECK(env.lease(id)->state == LeaseState::InsufficientFunds);
}

TEST_CASE("only the client sets an auto top-up, on an open lease; cap 0 removes it and closing ends it") {
    OfferEnv o;
    auto& env = o.env;
    const auto id = o.lease(100, Amount(50'000));
    auto allowance = [&] { return env.autoTopUp(id); };
    env(leaseSetAutoTopUp(o.prov, id, Amount(1'000), Amount(5'000)), expect(Code::NotLeaseClient));
    env(leaseSetAutoTopUp(o.eve, id, Amount(1'000), Amount(5'000)), expect(Code::NotLeaseClient));
    env(leaseSetAutoTopUp(o.alice, 999, Amount(1'000), Amount(5'000)), expect(Code::LeaseNotFound));
    CHECK(checkMessage(Msg(MsgLeaseSetAutoTopUp{id, Amount(0), Amount(5'000)})) == Code::ZeroAmount);
    CHECK(checkMessage(Msg(MsgLeaseSetAutoTopUp{id, Amount(0), Amount(0)})) == Code::Ok);

    env(leaseSetAutoTopUp(o.alice, id, Amount(1'000), Amount(5'000)));
    REQUIRE(allowance().has_value());
    CHECK(allowance()->remaining == Amount(5'000));
    env(leaseSetAutoTopUp(o.alice, id, Amount(0), Amount(0)));
    CHECK_FALSE(allowance().has_value());

    env(leaseSetAutoTopUp(o.alice, id, Amount(1'000), Amount(5'000)));
    env(leaseClose(o.alice, id, CloseReason::ClientCancelled));
    CHECK_FALSE(allowance().has_value());  // the invariants also check no allowance outlives its lease
    env(leaseSetAutoTopUp(o.alice, id, Amount(1'000), Amount(5'000)), expect(Code::LeaseClosed));
}

TEST_CASE("a party's leases are indexed by client and by provider, and a settled lease is erased after the retention") {
    Params p = testParams();
    p.recordRetentionBlocks = 5;
    TestEnv env(p);
    auto& alice = env.account("alice", Amount(10'000'000));
    auto& bob = env.account("bob", Amount(10'000'000));
    auto& prov = env.account("prov", Amount(100'000));
    env(providerRegister(prov, cpuMem(8'000, 16'384), Amount(5'000)));
    env(offerSet(prov, 1, simplePrices()));
    auto open = [&](const TestAccount& who) {
        return eventId(env(leaseFromOffer(who, prov, 1, cpuMem(1'000, 1), 100, Amount(50'000))), "lease_created",
                       "lease_id");
    };
    const auto a1 = open(alice);
    const auto b1 = open(bob);
    const auto a2 = open(alice);
    auto ids = [&](const Bytes& prefix) {
        std::vector<std::uint64_t> out;
        env.state().scan(prefix, {}, [&](ByteSpan key, ByteSpan) {
            out.push_back(keys::u64At(key, 21));
            return true;
        });
        return out;
    };
    CHECK(ids(keys::leasesOfClient(alice.address)) == std::vector<std::uint64_t>{a1, a2});
    CHECK(ids(keys::leasesOfClient(bob.address)) == std::vector<std::uint64_t>{b1});
    CHECK(ids(keys::leasesOfProvider(prov.address)) == std::vector<std::uint64_t>{a1, b1, a2});

    env.advance(2);
    env(leaseClose(alice, a1, CloseReason::ClientCancelled));
    env(usageReport(prov, a1, env.height(), 9'000));
    env(leaseSettle(alice, a1, 4));
    const std::uint64_t settledAt = env.height();
    // Kept (and listed) for record_retention_blocks, then erased with its usage record and index entries.
    env.advanceTo(settledAt + 5);
    CHECK(env.lease(a1).has_value());
    const auto end = env.nextBlock();
    bool pruned = false;
    for (const auto& e : end.events)
        pruned = pruned || (e.type == "lease_pruned" && e.attr("lease_id") == std::to_string(a1));
    CHECK(pruned);
    CHECK_FALSE(env.lease(a1).has_value());
    CHECK_FALSE(env.state().contains(keys::usageReport(a1)));
    CHECK(ids(keys::leasesOfClient(alice.address)) == std::vector<std::uint64_t>{a2});
    CHECK(ids(keys::leasesOfProvider(prov.address)) == std::vector<std::uint64_t>{b1, a2});
    // What the client and provider earned is not touched: the reputation record stays.
    CHECK(env.clientRecord(alice).leasesSettled == 1);
}

TEST_CASE("a job that ended without a lease is erased after the retention; a leased job goes with its lease") {
    Params p = testParams();
    p.recordRetentionBlocks = 3;
    TestEnv env(p);
    auto& alice = env.account("alice", Amount(10'000'000));
    auto& prov = env.account("prov", Amount(100'000));
    env(providerRegister(prov, cpuMem(8'000, 16'384), Amount(5'000)));
    const auto cancelled =
        eventId(env(jobCreate(alice, cpuMem(1'000, 1), Amount(100), 10, Amount(1'000))), "job_created", "job_id");
    const auto leased =
        eventId(env(jobCreate(alice, cpuMem(1'000, 1), Amount(100), 10, Amount(1'000))), "job_created", "job_id");
    CHECK(env.state().contains(keys::jobOfClient(alice.address, cancelled)));
    env(jobCancel(alice, cancelled));
    const auto bid = eventId(env(bidPlace(prov, leased, Amount(90), Amount(10))), "bid_placed", "bid_id");
    const auto lease = eventId(env(bidAccept(alice, bid)), "bid_accepted", "lease_id");
    env.advance(4);
    CHECK_FALSE(env.job(cancelled).has_value());
    CHECK_FALSE(env.state().contains(keys::jobOfClient(alice.address, cancelled)));
    CHECK(env.job(leased).has_value());  // its lease is not settled
    env(leaseClose(alice, lease, CloseReason::ClientCancelled));
    env(leaseSettle(alice, lease, 5));
    env.advance(4);
    CHECK_FALSE(env.lease(lease).has_value());
    CHECK_FALSE(env.job(leased).has_value());
    CHECK_FALSE(env.state().contains(keys::jobOfClient(alice.address, leased)));
    CHECK(env.bid(bid).has_value());  // closed bids are not pruned (decision 50)
    // Its job is gone: accepting the old bid again is a clear error, not a broken index.
    env(bidAccept(alice, bid), expect(Code::JobNotFound));
}

TEST_CASE("record_retention_blocks is a governable parameter and must be positive") {
    Params p = testParams();
    CHECK(paramValue(p, "record_retention_blocks") == "100000");
    CHECK(setParam(p, "record_retention_blocks", "0") == Code::Ok);
    CHECK(p.validate() == "record_retention_blocks must be positive");
}
