// The marketplace as a protocol: register, offer, job, bids, accept, blocks
// pass, top-up, withdraw, close, settle with rating, reputation, capacity.

#include <catch2/catch.hpp>

#include "TestEnv.h"
#include "contracts/ResourceMath.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

struct Market3 {
    TestEnv env;
    TestAccount& alice = env.account("alice", Amount(1'000'000));
    TestAccount& prov = env.account("prov", Amount(100'000));
    TestAccount& prov2 = env.account("prov2", Amount(100'000));
    TestAccount& mallory = env.account("mallory", Amount(100'000));

    Market3() {
        env(providerRegister(prov, cpuMem(4'000, 8'192), Amount(2'000)));
        env(providerRegister(prov2, cpuMem(4'000, 8'192), Amount(2'000)));
    }
    // A job for 1 cpu / 1 GiB, max 50 per second for 20 seconds, deposit 1000, bidding 5 blocks.
    std::uint64_t postJob(Amount deposit = Amount(1'000)) {
        return eventId(env(jobCreate(alice, cpuMem(1'000, 1'024), Amount(50), 20, deposit, 5)), "job_created",
                       "job_id");
    }
};

}  // namespace

TEST_CASE("full lease lifecycle: job, bids, accept, accrual, top-up, withdraw, close, settle, reputation") {
    Market3 m;
    auto& env = m.env;
    const Amount aliceStart = env.balance(m.alice);
    const Amount provStart = env.balance(m.prov);
    const Amount prov2Start = env.balance(m.prov2);

    const auto jobId = m.postJob();
    CHECK(env.job(jobId)->state == JobState::Open);
    CHECK(env.balance(m.alice) == Amount(aliceStart.micro() - 1'000 - 10));

    const auto bid1 = eventId(env(bidPlace(m.prov, jobId, Amount(40), Amount(10))), "bid_placed", "bid_id");
    const auto bid2 = eventId(env(bidPlace(m.prov2, jobId, Amount(45), Amount(10))), "bid_placed", "bid_id");
    env.nextBlock();

    auto accepted = env(bidAccept(m.alice, bid1));
    const auto leaseId = eventId(accepted, "lease_created", "lease_id");
    const std::uint64_t start = env.height();
    CHECK(env.job(jobId)->state == JobState::Leased);
    CHECK(env.bid(bid1)->state == BidState::Accepted);
    CHECK(env.bid(bid2)->state == BidState::Lost);
    // Both bid deposits came back; each provider paid one fee for its bid.
    CHECK(env.balance(m.prov2) == Amount(prov2Start.micro() - 10));
    CHECK(env.balance(m.prov) == Amount(provStart.micro() - 10));
    auto lease = *env.lease(leaseId);
    CHECK(lease.state == LeaseState::Active);
    CHECK(lease.pricePerSecond == Amount(40));
    CHECK(lease.escrow == Amount(1'000));
    CHECK(lease.startHeight == start);
    CHECK(lease.endTime == env.time() + 20'000);
    CHECK(env.provider(m.prov)->reserved == cpuMem(1'000, 1'024));
    CHECK(env.provider(m.prov)->openLeases == 1);

    env.advance(5);  // five one-second blocks served
    env(leaseTopUp(m.alice, leaseId, Amount(100)));
    CHECK(env.lease(leaseId)->accrued == Amount(200));
    env(providerWithdraw(m.prov, leaseId));
    CHECK(env.balance(m.prov) == Amount(provStart.micro() - 10 - 10 + 200 - 4));  // less the 2 % take
    CHECK(env.lease(leaseId)->paidOut == Amount(200));

    env.advance(5);
    env(usageReport(m.prov, leaseId, env.height() - 1, 9'990));
    env(leaseClose(m.alice, leaseId, CloseReason::Completed));
    lease = *env.lease(leaseId);
    CHECK(lease.state == LeaseState::Closed);
    CHECK(lease.accrued == Amount(200));
    CHECK(env.provider(m.prov)->openLeases == 0);
    CHECK(isEmpty(env.provider(m.prov)->reserved));

    const Amount aliceBeforeSettle = env.balance(m.alice);
    env(leaseSettle(m.alice, leaseId, 5));
    lease = *env.lease(leaseId);
    CHECK(lease.settled);
    CHECK(lease.paidOut == Amount(400));
    CHECK(lease.refunded == Amount(700));  // 1000 + 100 top-up - 400 served
    CHECK(env.balance(m.alice) == Amount(aliceBeforeSettle.micro() - 10 + 700));

    const auto rep = env.reputation(m.prov);
    CHECK(rep.completed == 1);
    CHECK(rep.totalPaid == Amount(400));
    CHECK(rep.earlyCloses == 0);
    // Rated 5 on one lease that paid 400: 0.4 of a lease of evidence (reputation_reference_paid 1000).
    CHECK(rep.score() == wilsonLowerBoundPpm(400'000, 0));
    CHECK(env.clientRecord(m.alice).leasesSettled == 1);

    // Settling twice and withdrawing from a settled lease fail, fee charged.
    env(leaseSettle(m.alice, leaseId, 5), expect(Code::AlreadySettled));
    env(providerWithdraw(m.prov, leaseId), expect(Code::NothingToWithdraw));
}

TEST_CASE("a lease that reaches its end time closes as completed and pays exactly price x duration") {
    Market3 m;
    auto& env = m.env;
    const auto jobId = m.postJob(Amount(1'500));
    const auto bid = eventId(env(bidPlace(m.prov, jobId, Amount(50), Amount(10))), "bid_placed", "bid_id");
    const auto leaseId = eventId(env(bidAccept(m.alice, bid)), "lease_created", "lease_id");
    const auto end = env.lease(leaseId)->endTime;
    env.advanceToTime(end - 1'000);
    CHECK(env.lease(leaseId)->state == LeaseState::Active);
    env.advanceToTime(end + 1'000);
    auto lease = *env.lease(leaseId);
    CHECK(lease.state == LeaseState::Closed);
    CHECK(lease.closeReason == CloseReason::Completed);
    CHECK(lease.accrued == Amount(50 * 20));
    CHECK(lease.escrow == Amount(500));
    env(leaseSettle(m.alice, leaseId, 4));
    CHECK(env.lease(leaseId)->paidOut == Amount(1'000));
    CHECK(env.reputation(m.prov).score() == 800'000 / 5);  // rated 4 of 5, times one lease's bound
}

TEST_CASE("job cancel before acceptance refunds the full deposit and every bid deposit") {
    Market3 m;
    auto& env = m.env;
    const Amount before = env.balance(m.alice);
    const auto jobId = m.postJob();
    const auto bid = eventId(env(bidPlace(m.prov, jobId, Amount(40), Amount(25))), "bid_placed", "bid_id");
    const Amount provBefore = env.balance(m.prov);
    env(jobCancel(m.mallory, jobId), expect(Code::NotJobClient));
    env(jobCancel(m.alice, jobId));
    CHECK(env.job(jobId)->state == JobState::Cancelled);
    CHECK(env.balance(m.alice) == Amount(before.micro() - 20));  // two fees, deposit back
    CHECK(env.bid(bid)->state == BidState::Lost);
    CHECK(env.balance(m.prov) == Amount(provBefore.micro() + 25));
    env(jobCancel(m.alice, jobId), expect(Code::JobNotOpen));
    env(bidAccept(m.alice, bid), expect(Code::JobNotOpen));
}

TEST_CASE("bidding window expiry closes an unaccepted job with refunds") {
    Market3 m;
    auto& env = m.env;
    const auto jobId = m.postJob();
    const auto end = env.job(jobId)->biddingEndHeight;
    const auto bid = eventId(env(bidPlace(m.prov, jobId, Amount(40), Amount(10))), "bid_placed", "bid_id");
    env.advanceTo(end);
    env(bidPlace(m.prov2, jobId, Amount(40), Amount(10)));  // last height still takes bids
    env.nextBlock();
    CHECK(env.job(jobId)->state == JobState::Expired);
    CHECK(env.job(jobId)->deposit.isZero());
    CHECK(env.bid(bid)->state == BidState::Lost);
    env(bidPlace(m.prov, jobId, Amount(40), Amount(10)), expect(Code::JobNotOpen));
    env(bidAccept(m.alice, bid), expect(Code::JobNotOpen));
}

TEST_CASE(
    "bid rejections: unstaked, under capacity, price above max, duplicate, too many, self-dealing, attributes, "
    "reputation") {
    Market3 m;
    auto& env = m.env;
    auto& stranger = env.account("stranger", Amount(100'000));
    const auto jobId = m.postJob();

    env(bidPlace(stranger, jobId, Amount(40), Amount(10)), expect(Code::ProviderNotFound));
    env(bidPlace(m.prov, jobId, Amount(51), Amount(10)), expect(Code::PriceAboveMax));
    env(bidPlace(m.prov, jobId, Amount(40), Amount(9)), expect(Code::BidDepositTooLow));
    env(bidPlace(m.prov, 999, Amount(40), Amount(10)), expect(Code::JobNotFound));
    env(bidPlace(m.prov, jobId, Amount(0), Amount(10)), expect(Code::ZeroAmount));
    env(bidPlace(m.prov, jobId, Amount(40), Amount(10)));
    env(bidPlace(m.prov, jobId, Amount(39), Amount(10)), expect(Code::DuplicateBid));

    // A provider whose capacity is too small.
    auto& tiny = env.account("tiny", Amount(100'000));
    env(providerRegister(tiny, cpuMem(500, 512), Amount(2'000)));
    env(bidPlace(tiny, jobId, Amount(40), Amount(10)), expect(Code::InsufficientCapacity));

    // A provider staked below what one more lease needs (min 1000 + 100 per lease).
    auto& thin = env.account("thin", Amount(100'000));
    env(providerRegister(thin, cpuMem(4'000, 8'192), Amount(1'000)));
    env(bidPlace(thin, jobId, Amount(40), Amount(10)), expect(Code::ProviderStakeTooLow));
    env(providerRegister(thin, cpuMem(4'000, 8'192), Amount(1'000)), expect(Code::ProviderExists));
    env(providerRegister(stranger, cpuMem(4'000, 8'192), Amount(999)), expect(Code::ProviderStakeTooLow));

    // The client cannot bid on its own job.
    env(providerRegister(m.alice, cpuMem(4'000, 8'192), Amount(2'000)));
    env(bidPlace(m.alice, jobId, Amount(40), Amount(10)), expect(Code::SelfDealing));

    // max_bids_per_job = 3.
    env(bidPlace(m.prov2, jobId, Amount(40), Amount(10)));
    auto& p3 = env.account("p3", Amount(100'000));
    auto& p4 = env.account("p4", Amount(100'000));
    env(providerRegister(p3, cpuMem(4'000, 8'192), Amount(2'000)));
    env(providerRegister(p4, cpuMem(4'000, 8'192), Amount(2'000)));
    env(bidPlace(p3, jobId, Amount(40), Amount(10)));
    // Full: a bid no cheaper than the dearest open one is refused.
    env(bidPlace(p4, jobId, Amount(40), Amount(10)), expect(Code::TooManyBids));

    // Attribute constraints and minimum reputation.
    const auto euJob =
        eventId(env(jobCreate(m.alice, cpuMem(100, 100), Amount(5), 10, Amount(50), 5, {{"region", "us-east"}})),
                "job_created", "job_id");
    env(bidPlace(m.prov, euJob, Amount(5), Amount(10)), expect(Code::AttributesMismatch));
    const auto repJob = eventId(env(jobCreate(m.alice, cpuMem(100, 100), Amount(5), 10, Amount(50), 5, {}, 700'000)),
                                "job_created", "job_id");
    env(bidPlace(m.prov, repJob, Amount(5), Amount(10)), expect(Code::ReputationTooLow));  // new: 600,000

    // Withdraw: only the bidder, only once; the deposit comes back.
    const auto wJob = m.postJob();
    const auto wBid = eventId(env(bidPlace(m.prov, wJob, Amount(40), Amount(30))), "bid_placed", "bid_id");
    env(bidWithdraw(m.prov2, wBid), expect(Code::NotBidProvider));
    const Amount before = env.balance(m.prov);
    env(bidWithdraw(m.prov, wBid));
    CHECK(env.balance(m.prov) == Amount(before.micro() - 10 + 30));
    env(bidWithdraw(m.prov, wBid), expect(Code::BidNotOpen));
    env(bidWithdraw(m.prov, 12345), expect(Code::BidNotFound));
    env(bidAccept(m.alice, wBid), expect(Code::BidNotOpen));
}

TEST_CASE("a full job takes a cheaper bid, which displaces the dearest open bid (newest on ties) and refunds it") {
    Market3 m;
    auto& env = m.env;
    const auto jobId = m.postJob();
    std::vector<TestAccount*> squatters;
    std::vector<std::uint64_t> bids;
    for (int i = 0; i < 3; ++i) {  // max_bids_per_job = 3, all at the job's max price
        auto& s = env.account("squatter" + std::to_string(i), Amount(100'000));
        env(providerRegister(s, cpuMem(4'000, 8'192), Amount(2'000)));
        squatters.push_back(&s);
        bids.push_back(eventId(env(bidPlace(s, jobId, Amount(50), Amount(10))), "bid_placed", "bid_id"));
    }
    env(bidPlace(m.prov, jobId, Amount(50), Amount(10)), expect(Code::TooManyBids));
    const Amount before = env.balance(*squatters[2]);
    const auto r = env(bidPlace(m.prov, jobId, Amount(45), Amount(10)));
    CHECK(eventId(r, "bid_outbid", "bid_id") == bids[2]);
    CHECK(env.bid(bids[2])->state == BidState::Lost);
    CHECK(env.balance(*squatters[2]) == Amount(before.micro() + 10));
    CHECK(env.job(jobId)->openBids == 3);
    // The next cheaper bid displaces the newest of the two left at 50.
    env(bidPlace(m.prov2, jobId, Amount(49), Amount(10)));
    CHECK(env.bid(bids[1])->state == BidState::Lost);
    CHECK(env.bid(bids[0])->state == BidState::Open);
    // A displaced provider may bid again, cheaper still.
    env(bidPlace(*squatters[2], jobId, Amount(30), Amount(10)));
    CHECK(env.bid(bids[0])->state == BidState::Lost);
    // A refused bid displaces nothing: a full job of cheaper bids stays as it is.
    auto& late = env.account("late", Amount(100'000));
    env(providerRegister(late, cpuMem(4'000, 8'192), Amount(2'000)));
    env(bidPlace(late, jobId, Amount(49), Amount(10)), expect(Code::TooManyBids));
    CHECK(env.job(jobId)->openBids == 3);
}

namespace {

// 32 sybil providers, each registered with one machine (1 cpu / 1 GiB) and the
// minimum stake, against jobs of exactly one machine with 32 bid slots.
struct SybilMarket {
    static Params params() {
        Params p = testParams();
        p.maxBidsPerJob = 32;
        return p;
    }
    TestEnv env{params()};
    TestAccount& alice = env.account("alice", Amount(10'000'000));
    std::vector<const TestAccount*> sybils;
    SybilMarket() {
        for (int i = 0; i < 32; ++i) {
            auto& s = env.account("sybil" + std::to_string(i), Amount(100'000));
            env(providerRegister(s, cpuMem(1'000, 1'024), Amount(2'000)));
            sybils.push_back(&s);
        }
    }
    std::uint64_t postJob(std::uint64_t biddingBlocks = 5) {
        return eventId(env(jobCreate(alice, cpuMem(1'000, 1'024), Amount(50), 20, Amount(1'000), biddingBlocks)),
                       "job_created", "job_id");
    }
};

}  // namespace

TEST_CASE("squatting: 32 sybils' bids expire at the end of the bidding window, deposits refunded, slots freed") {
    SybilMarket m;
    auto& env = m.env;
    const auto job = m.postJob();
    std::vector<Amount> before;
    std::vector<std::uint64_t> bids;
    for (const auto* s : m.sybils) {
        before.push_back(env.balance(*s));
        bids.push_back(eventId(env(bidPlace(*s, job, Amount(40), Amount(10))), "bid_placed", "bid_id"));
    }
    CHECK(env.job(job)->openBids == 32);
    auto& late = env.account("late", Amount(100'000));
    env(providerRegister(late, cpuMem(1'000, 1'024), Amount(2'000)));
    env(bidPlace(late, job, Amount(40), Amount(10)), expect(Code::TooManyBids));  // every slot taken

    env.advanceTo(env.job(job)->biddingEndHeight);
    env.nextBlock();  // the window's last block has ended
    CHECK(env.job(job)->state == JobState::Expired);
    CHECK(env.job(job)->openBids == 0);
    for (std::size_t i = 0; i < bids.size(); ++i) {
        CHECK(env.bid(bids[i])->state == BidState::Lost);
        // Each deposit came back; only the bid tx's fee is gone.
        CHECK(env.balance(*m.sybils[i]) == Amount(before[i].micro() - env.params().minFee.micro()));
    }
    // The squatters' capacity is free again: each can bid on the next job, and so can the latecomer.
    const auto next = m.postJob();
    env(bidPlace(*m.sybils[0], next, Amount(40), Amount(10)));
    env(bidPlace(late, next, Amount(40), Amount(10)));
}

TEST_CASE("squatting: a provider's open bids commit at most bid_capacity_multiple x its free capacity") {
    SybilMarket m;
    auto& env = m.env;
    REQUIRE(env.params().bidCapacityMultiple == 4);
    std::vector<std::uint64_t> jobs;
    for (int i = 0; i < 6; ++i) jobs.push_back(m.postJob(20));
    // 32 sybils of one machine each hold bids on at most 4 one-machine jobs:
    // squatting every slot of a job costs 32 machines' worth of stake and
    // declared capacity per four jobs, not 32 accounts for every job.
    for (const auto* s : m.sybils) {
        for (int i = 0; i < 4; ++i) env(bidPlace(*s, jobs[i], Amount(40), Amount(10)));
        env(bidPlace(*s, jobs[4], Amount(40), Amount(10)), expect(Code::BidsAboveCapacity));
    }
    CHECK(env.job(jobs[4])->openBids == 0);
    // An honest provider bids on the job the squatters could not reach.
    auto& honest = env.account("honest", Amount(100'000));
    env(providerRegister(honest, cpuMem(4'000, 4'096), Amount(2'000)));
    env(bidPlace(honest, jobs[4], Amount(45), Amount(10)));

    // A withdrawn bid frees its commitment.
    const auto* s0 = m.sybils[0];
    const auto bid0 = eventId(env(bidPlace(honest, jobs[5], Amount(45), Amount(10))), "bid_placed", "bid_id");
    (void)bid0;
    env(bidPlace(*s0, jobs[5], Amount(40), Amount(10)), expect(Code::BidsAboveCapacity));
    std::uint64_t s0bid = 0;
    for (std::uint64_t id = 1; id < 200 && s0bid == 0; ++id) {
        auto b = env.bid(id);
        if (b && b->provider == s0->address && b->jobId == jobs[0] && b->state == BidState::Open) s0bid = id;
    }
    REQUIRE(s0bid != 0);
    env(bidWithdraw(*s0, s0bid));
    env(bidPlace(*s0, jobs[5], Amount(40), Amount(10)));

    // Capacity a lease reserves is no longer free, so it backs fewer bids.
    auto& small = env.account("small", Amount(100'000));
    env(providerRegister(small, cpuMem(2'000, 2'048), Amount(2'000)));
    env(offerSet(small, 1, [] {
        PriceSchedule p;
        p.perCpuMillicore = Amount(1);
        return p;
    }()));
    env(leaseFromOffer(m.alice, small, 1, cpuMem(1'000, 1'024), 100, Amount(100'000)));
    // 1 machine free x 4 = four one-machine bids; jobs[0..3] are full of squatters, so post more.
    std::vector<std::uint64_t> more;
    for (int i = 0; i < 5; ++i) more.push_back(m.postJob(20));
    for (int i = 0; i < 4; ++i) env(bidPlace(small, more[i], Amount(40), Amount(10)));
    env(bidPlace(small, more[4], Amount(40), Amount(10)), expect(Code::BidsAboveCapacity));
}
