// Reputation: money-weighted ratings, early closes, decay, and its use as a
// bidding gate; acceptance rights.

#include <catch2/catch.hpp>

#include "TestEnv.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

struct RepEnv {
    TestEnv env;
    TestAccount& alice = env.account("alice", Amount(10'000'000));
    TestAccount& prov = env.account("prov", Amount(100'000));
    RepEnv() {
        env(providerRegister(prov, cpuMem(8'000, 16'384), Amount(5'000)));
        PriceSchedule p;
        p.perCpuMillicore = Amount(1);
        env(offerSet(prov, 1, p));
    }
    // A lease at `price` per second for `seconds`, run to completion and rated.
    void served(std::uint64_t price, std::uint64_t seconds, std::uint8_t rating) {
        const auto id = eventId(env(leaseFromOffer(alice, prov, 1, cpuMem(price, 1), seconds, Amount(price * seconds))),
                                "lease_created", "lease_id");
        env.advanceToTime(env.lease(id)->endTime + 1'000);
        env(leaseSettle(alice, id, rating));
    }
};

}  // namespace

TEST_CASE("ratings weigh by the money paid on each lease") {
    RepEnv r;
    r.served(100, 10, 5);  // 1000 paid, rated 5
    r.served(10, 10, 1);   // 100 paid, rated 1
    const auto rep = r.env.reputation(r.prov);
    CHECK(rep.completed == 2);
    CHECK(rep.totalPaid == Amount(1'100));
    // (1000 x 5 + 100 x 1) / (1100 x 5) = 0.92727..
    CHECK(rep.score() == 5'100ull * 1'000'000 / 5'500);
}

TEST_CASE("old ratings decay by half-life so recent money weighs more") {
    RepEnv r;
    r.served(100, 10, 1);  // 1000 paid, rated 1
    r.env.advance(r.env.params().reputationHalfLifeBlocks);
    r.served(50, 10, 5);  // 500 paid, rated 5: weighs as much as the halved older 1000
    const auto rep = r.env.reputation(r.prov);
    CHECK(rep.ratedValue == 500 + 500);
    CHECK(rep.score() == (500ull * 1 + 500ull * 5) * 1'000'000 / (1'000 * 5));
}

TEST_CASE("a client-reported failure lowers the score and minimum reputation gates bids") {
    RepEnv r;
    auto& env = r.env;
    r.served(100, 10, 5);
    CHECK(env.reputation(r.prov).score() == 1'000'000);
    const auto gated = eventId(env(jobCreate(r.alice, cpuMem(100, 1), Amount(5), 10, Amount(50), 5, {}, 900'000)),
                               "job_created", "job_id");
    env(bidPlace(r.prov, gated, Amount(5), Amount(10)));

    const auto id = eventId(env(leaseFromOffer(r.alice, r.prov, 1, cpuMem(100, 1), 50, Amount(5'000))), "lease_created",
                            "lease_id");
    env.advance(kReputationMinPaidSeconds);  // one-second blocks
    env(leaseClose(r.alice, id, CloseReason::ProviderFailed));
    const auto rep = env.reputation(r.prov);
    CHECK(rep.earlyCloses == 1);
    CHECK(rep.score() == 1'000'000ull * 2 / 4);
    const auto gated2 = eventId(env(jobCreate(r.alice, cpuMem(100, 1), Amount(5), 10, Amount(50), 5, {}, 900'000)),
                                "job_created", "job_id");
    env(bidPlace(r.prov, gated2, Amount(5), Amount(10)), expect(Code::ReputationTooLow));
}

TEST_CASE("only the job's client accepts, and only once") {
    RepEnv r;
    auto& env = r.env;
    auto& mallory = env.account("mallory", Amount(100'000));
    auto& prov2 = env.account("prov2", Amount(100'000));
    env(providerRegister(prov2, cpuMem(8'000, 16'384), Amount(5'000)));
    const auto job =
        eventId(env(jobCreate(r.alice, cpuMem(100, 1), Amount(5), 10, Amount(50))), "job_created", "job_id");
    const auto b1 = eventId(env(bidPlace(r.prov, job, Amount(5), Amount(10))), "bid_placed", "bid_id");
    const auto b2 = eventId(env(bidPlace(prov2, job, Amount(4), Amount(10))), "bid_placed", "bid_id");
    env(bidAccept(mallory, b1), expect(Code::NotJobClient));
    env(bidAccept(r.alice, 777), expect(Code::BidNotFound));
    env(bidAccept(r.alice, b1));
    env(bidAccept(r.alice, b1), expect(Code::JobNotOpen));
    env(bidAccept(r.alice, b2), expect(Code::JobNotOpen));
    CHECK(env.bid(b2)->state == BidState::Lost);
}

TEST_CASE("lease-close-settle loops in one tx farm no completed leases") {
    RepEnv r;
    auto& env = r.env;
    std::vector<Msg> msgs;
    for (std::uint64_t i = 0; i < 7; ++i) {
        // Lease ids are sequential from 1 in this env.
        msgs.push_back(MsgLeaseFromOffer{r.prov.address, 1, cpuMem(1, 1), 100, Amount(100), {}, Amount(1)});
        msgs.push_back(MsgLeaseClose{i + 1, CloseReason::Completed});
        msgs.push_back(MsgLeaseSettle{i + 1, 5});
    }
    env(TxSpec{&r.alice, msgs});
    const auto rep = env.reputation(r.prov);
    CHECK(rep.completed == 0);
    CHECK(env.lease(7)->settled);
    // A lease paid for the minimum counts.
    r.served(1, kReputationMinPaidSeconds, 5);
    CHECK(env.reputation(r.prov).completed == 1);
}

TEST_CASE("a provider_failed report before the minimum paid seconds counts against the client, not the provider") {
    RepEnv r;
    auto& env = r.env;
    std::vector<Msg> msgs;
    for (std::uint64_t i = 0; i < 8; ++i) {
        msgs.push_back(MsgLeaseFromOffer{r.prov.address, 1, cpuMem(1, 1), 100, Amount(100), {}, Amount(1)});
        msgs.push_back(MsgLeaseClose{i + 1, CloseReason::ProviderFailed});
    }
    env(TxSpec{&r.alice, msgs});
    CHECK(env.reputation(r.prov).earlyCloses == 0);
    CHECK(env.reputation(r.prov).score() == kNeutralRatingPpm);
    CHECK(env.clientRecord(r.alice).earlyCloses == 8);
    // A provider_failed settled afterwards adds its rating but no completed lease.
    env(leaseSettle(r.alice, 1, 1));
    CHECK(env.reputation(r.prov).completed == 0);
}
