// Reputation: money-weighted ratings, each client's k-th lease at 1/k, decay
// by block time, a Wilson lower bound on reliability, its use as a bidding
// gate, the take on wash trading; acceptance rights. The attacks of issue 16
// each have a test here that shows they no longer pay.

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
    explicit RepEnv(Params params = testParams()) : env(params) { registerProvider(prov); }
    void registerProvider(const TestAccount& p) {
        env(providerRegister(p, cpuMem(8'000, 16'384), Amount(5'000)));
        PriceSchedule prices;
        prices.perCpuMillicore = Amount(1);
        env(offerSet(p, 1, prices));
    }
    std::uint64_t open(const TestAccount& client, const TestAccount& p, std::uint64_t price, std::uint64_t seconds) {
        return eventId(env(leaseFromOffer(client, p, 1, cpuMem(price, 1), seconds, Amount(price * seconds))),
                       "lease_created", "lease_id");
    }
    // A lease at `price` per second for `seconds`, run to completion and rated.
    void served(std::uint64_t price, std::uint64_t seconds, std::uint8_t rating) {
        served(alice, prov, price, seconds, rating);
    }
    void served(const TestAccount& client, const TestAccount& p, std::uint64_t price, std::uint64_t seconds,
                std::uint8_t rating) {
        const auto id = open(client, p, price, seconds);
        env.advanceToTime(env.lease(id)->endTime + 1'000);
        env(leaseSettle(client, id, rating));
    }
    // `n` clients named prefix0.., funded.
    std::vector<const TestAccount*> clients(const std::string& prefix, std::size_t n) {
        std::vector<const TestAccount*> out;
        for (std::size_t i = 0; i < n; ++i) out.push_back(&env.account(prefix + std::to_string(i), Amount(1'000'000)));
        return out;
    }
    // Each client in `who` opens one lease with `p` in this block at 100 per
    // second, all run `seconds` (the minimum paid: one lease of weight, 1000
    // paid), then each settles with `rating`. Returns the last lease id.
    std::uint64_t servedConcurrently(const std::vector<const TestAccount*>& who, const TestAccount& p,
                                     std::uint64_t seconds, std::uint8_t rating) {
        std::vector<std::uint64_t> ids;
        for (const auto* c : who) ids.push_back(open(*c, p, 100, seconds));
        env.advanceToTime(env.lease(ids.back())->endTime + 1'000);
        for (std::size_t i = 0; i < ids.size(); ++i) env(leaseSettle(*who[i], ids[i], rating));
        return ids.back();
    }
};

// sum over k = 1..n of floor(1e6 / k): the weight of one client's n leases
// that each paid at least reputation_reference_paid; with `sharePpm`, each
// paid that share of it (decision 55).
std::uint64_t harmonicPpm(std::uint64_t n, std::uint64_t sharePpm = 1'000'000) {
    std::uint64_t s = 0;
    for (std::uint64_t k = 1; k <= n; ++k) s += 1'000'000 / k * sharePpm / 1'000'000;
    return s;
}

}  // namespace

TEST_CASE("the Wilson lower bound is 0 with no history, grows with evidence and falls with failures") {
    CHECK(wilsonLowerBoundPpm(0, 0) == 0);
    CHECK(wilsonLowerBoundPpm(1'000'000, 0) == 200'000);         // 1 / (1 + 4)
    CHECK(wilsonLowerBoundPpm(10'000'000, 0) == 714'285);        // 10 / 14
    CHECK(wilsonLowerBoundPpm(100'000'000, 0) == 961'538);       // 100 / 104
    CHECK(wilsonLowerBoundPpm(1'000'000, 1'000'000) == 91'752);  // 0.0917517.. (the floor of the root rounds up)
    CHECK(wilsonLowerBoundPpm(10'000'000, 2'000'000) == 545'876);
    CHECK(wilsonLowerBoundPpm(0, 5'000'000) == 0);
    // No overflow at the extremes.
    CHECK(wilsonLowerBoundPpm(UINT64_MAX, 0) <= 1'000'000);
    CHECK(wilsonLowerBoundPpm(UINT64_MAX, UINT64_MAX) < 500'001);
}

TEST_CASE("ratings weigh by the money paid on each lease, a client's k-th lease at 1/k") {
    RepEnv r;
    r.served(100, 10, 5);  // 1000 paid, rated 5, weight 1
    r.served(10, 10, 1);   // 100 paid, rated 1, alice's second lease: weight 1/2 of a tenth of a lease
    const auto rep = r.env.reputation(r.prov);
    CHECK(rep.completed == 2);
    CHECK(rep.totalPaid == Amount(1'100));
    CHECK(rep.successWeight == 1'050'000);
    CHECK(rep.ratedValue == 1'000 + 50);
    CHECK(rep.ratingSum == 5'000 + 50);
    CHECK(rep.reliability() == wilsonLowerBoundPpm(1'050'000, 0));
    CHECK(rep.score() == 5'050ull * 1'000'000 / 5'250 * rep.reliability() / 1'000'000);
}

TEST_CASE("a lease weighs what its client paid, one lease per reputation_reference_paid") {
    RepEnv r;
    auto& env = r.env;
    REQUIRE(env.params().reputationReferencePaid == Amount(1'000));
    auto cs = r.clients("c", 3);
    // Paid 500 of 1000: half a lease. Paid 2000: two.
    r.served(*cs[0], r.prov, 50, kReputationMinPaidSeconds, 5);
    CHECK(env.reputation(r.prov).successWeight == 500'000);
    r.served(*cs[1], r.prov, 200, kReputationMinPaidSeconds, 5);
    CHECK(env.reputation(r.prov).successWeight == 2'500'000);
    // A provider_failed report weighs what the client paid up to the report, twice.
    const auto id = r.open(*cs[2], r.prov, 50, 100);
    env.advance(kReputationMinPaidSeconds);
    env(leaseClose(*cs[2], id, CloseReason::ProviderFailed));
    const auto closed = env.lease(id);
    REQUIRE(closed);
    const std::uint64_t paid = closed->paidOut.micro() + closed->accrued.micro();
    REQUIRE(paid >= 500);
    REQUIRE(paid < 1'000);
    CHECK(env.reputation(r.prov).failureWeight == 2 * (paid * 1'000'000 / 1'000));
    CHECK(env.reputation(r.prov).earlyCloses == 1);
}

TEST_CASE("a client weighs by its standing: what it paid other providers, over reputation_client_standing") {
    Params params = testParams();
    params.reputationClientStanding = Amount(1'000);
    RepEnv r(params);
    auto& env = r.env;
    auto& other = env.account("other", Amount(100'000));
    r.registerProvider(other);
    auto& sybil = env.account("sybil", Amount(1'000'000));

    // A fresh account (free to make) weighs nothing, however much it pays.
    r.served(sybil, r.prov, 100, kReputationMinPaidSeconds, 5);  // paid 1000
    CHECK(env.reputation(r.prov).completed == 1);
    CHECK(env.reputation(r.prov).successWeight == 0);
    CHECK(env.reputation(r.prov).ratedValue == 0);
    // What it paid this provider is no standing toward it, but is toward others.
    CHECK(env.clientRecord(sybil).totalPaid == Amount(1'000));

    // Paid 500 to another provider: half its standing toward prov.
    r.served(sybil, other, 50, kReputationMinPaidSeconds, 5);
    CHECK(env.reputation(other).successWeight == 500'000);  // 1000 paid to prov: full standing toward other
    // 100 paid: a tenth of a lease; its 2nd lease with prov: 1/2; standing 1/2.
    r.served(sybil, r.prov, 10, kReputationMinPaidSeconds, 5);
    CHECK(env.reputation(r.prov).successWeight == 1'000'000 / 10 / 2 / 2);

    // A provider_failed report weighs by the reporter's standing too: a fresh account's weighs nothing.
    auto& griefer = env.account("griefer", Amount(1'000'000));
    const auto id = r.open(griefer, other, 10, 100);
    env.advance(kReputationMinPaidSeconds);
    const auto before = env.reputation(other);
    env(leaseClose(griefer, id, CloseReason::ProviderFailed));
    CHECK(env.reputation(other).earlyCloses == before.earlyCloses + 1);
    CHECK(env.reputation(other).failureWeight == before.failureWeight);
}

TEST_CASE("counts and ratings halve every reputation_half_life_seconds of block time") {
    RepEnv r;
    r.served(100, 10, 1);                                     // 1000 paid, rated 1
    r.env.advance(r.env.params().reputationHalfLifeSeconds);  // one-second blocks
    r.served(50, 10, 5);  // 500 paid, rated 5: weighs as much as the halved older 1000
    const auto rep = r.env.reputation(r.prov);
    // alice's count halved from 1 to 0 too, so her new lease is her first again: half a lease for 500.
    CHECK(rep.ratedValue == 500 + 500);
    CHECK(rep.successWeight == 500'000 + 500'000);
    CHECK(rep.completed == 2);  // lifetime counts do not decay
}

TEST_CASE("the gate compares the bound decayed to the block's time: idle evidence fades") {
    RepEnv r;
    auto& env = r.env;
    r.served(100, 10, 5);
    REQUIRE(env.reputation(r.prov).score() == 200'000);
    const auto job = [&] {
        return eventId(env(jobCreate(r.alice, cpuMem(100, 1), Amount(5), 10, Amount(50), 5, {}, 150'000)),
                       "job_created", "job_id");
    };
    env(bidPlace(r.prov, job(), Amount(5), Amount(10)));
    // One half-life later the one lease weighs half: 0.5 / 4.5 < 150,000 ppm.
    env.advanceToTime(env.reputation(r.prov).lastDecayTime + env.params().reputationHalfLifeSeconds * 1'000);
    env(bidPlace(r.prov, job(), Amount(5), Amount(10)), expect(Code::ReputationTooLow));
    CHECK(env.reputation(r.prov).score() == 200'000);  // the stored record changes at its next update
}

TEST_CASE("a client-reported failure lowers the bound and minimum reputation gates bids") {
    RepEnv r;
    auto& env = r.env;
    auto& bob = env.account("bob", Amount(1'000'000));
    r.served(100, 10, 5);
    CHECK(env.reputation(r.prov).score() == 200'000);  // one lease: a low bound
    const auto gated = eventId(env(jobCreate(r.alice, cpuMem(100, 1), Amount(5), 10, Amount(50), 5, {}, 150'000)),
                               "job_created", "job_id");
    env(bidPlace(r.prov, gated, Amount(5), Amount(10)));

    const auto id = r.open(bob, r.prov, 100, 50);
    env.advance(kReputationMinPaidSeconds);  // one-second blocks
    env(leaseClose(bob, id, CloseReason::ProviderFailed));
    const auto rep = env.reputation(r.prov);
    CHECK(rep.earlyCloses == 1);
    CHECK(rep.failureWeight == 2'000'000);  // bob's first lease weighs 1, a failure counts twice
    CHECK(rep.score() == wilsonLowerBoundPpm(1'000'000, 2'000'000));
    const auto gated2 = eventId(env(jobCreate(r.alice, cpuMem(100, 1), Amount(5), 10, Amount(50), 5, {}, 150'000)),
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

TEST_CASE("attack: [lease_from_offer, lease_close completed, lease_settle 5] x 21 in one tx farms nothing") {
    RepEnv r;
    auto& env = r.env;
    std::vector<Msg> msgs;
    for (std::uint64_t i = 0; i < 21; ++i) {
        // Lease ids are sequential from 1 in this env.
        msgs.push_back(MsgLeaseFromOffer{r.prov.address, 1, cpuMem(1, 1), 100, Amount(100), {}, Amount(1)});
        msgs.push_back(MsgLeaseClose{i + 1, CloseReason::Completed});
        msgs.push_back(MsgLeaseSettle{i + 1, 5});
    }
    env(TxSpec{&r.alice, msgs});
    auto rep = env.reputation(r.prov);
    CHECK(rep.completed == 0);
    CHECK(rep.successWeight == 0);
    CHECK(rep.score() == 0);  // no evidence: the lower bound stays at 0
    CHECK(env.lease(21)->settled);

    // Paying the minimum time on 21 leases of one client buys H(21) ~ 3.6 leases
    // of evidence at most, not 21, and each weighs what it paid: at 1 per second
    // for 10 s, a hundredth of reputation_reference_paid (1000 here), so 0.036 leases.
    REQUIRE(env.params().reputationReferencePaid == Amount(1'000));
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 21; ++i) ids.push_back(r.open(r.alice, r.prov, 1, kReputationMinPaidSeconds));
    env.advanceToTime(env.lease(ids.back())->endTime + 1'000);
    for (const auto id : ids) env(leaseSettle(r.alice, id, 5));
    rep = env.reputation(r.prov);
    CHECK(rep.completed == 21);
    CHECK(rep.successWeight == harmonicPpm(21, 10'000));
    CHECK(rep.successWeight < 40'000);
    CHECK(rep.score() == wilsonLowerBoundPpm(harmonicPpm(21, 10'000), 0));
    CHECK(rep.score() < wilsonLowerBoundPpm(1'000'000, 0));  // less than one honest client's full lease
}

TEST_CASE("attack: [lease_from_offer(cpu=1), lease_close provider_failed] x 32 in one tx cannot ruin a provider") {
    RepEnv r;
    auto& env = r.env;
    // An honest provider with 20 clients' completed leases behind it.
    const std::uint64_t last = r.servedConcurrently(r.clients("c", 20), r.prov, kReputationMinPaidSeconds, 5);
    const auto before = env.reputation(r.prov);
    REQUIRE(before.score() == wilsonLowerBoundPpm(20'000'000, 0));

    auto& griefer = env.account("griefer", Amount(1'000'000));
    std::vector<Msg> msgs;
    for (std::uint64_t i = 0; i < 32; ++i) {
        msgs.push_back(MsgLeaseFromOffer{r.prov.address, 1, cpuMem(1, 1), 100, Amount(100), {}, Amount(1)});
        msgs.push_back(MsgLeaseClose{last + i + 1, CloseReason::ProviderFailed});
    }
    env(TxSpec{&griefer, msgs});
    CHECK(env.reputation(r.prov) == before);  // unpaid reports weigh nothing
    CHECK(env.clientRecord(griefer).earlyCloses == 32);

    // Even paying the minimum time on each of 32 leases, one client's reports
    // weigh 2 x H(32) ~ 8 failures at most, not 64, and each weighs what it
    // paid: 10 of reputation_reference_paid's 1000, so 0.08 failures in all.
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 32; ++i) ids.push_back(r.open(griefer, r.prov, 1, 100));
    env.advance(kReputationMinPaidSeconds);
    for (const auto id : ids) env(leaseClose(griefer, id, CloseReason::ProviderFailed));
    const auto after = env.reputation(r.prov);
    CHECK(after.earlyCloses == 32);
    CHECK(after.failureWeight == 2 * harmonicPpm(32, 10'000));
    CHECK(after.score() == wilsonLowerBoundPpm(20'000'000, 2 * harmonicPpm(32, 10'000)));
    CHECK(after.score() > 750'000);
    CHECK(wilsonLowerBoundPpm(20'000'000, 64'000'000) < 200'000);  // what 64 full-weight failures would do
}

TEST_CASE("attack: a whitewashed provider (a fresh address) scores below an honest one with history") {
    RepEnv r;
    auto& env = r.env;
    auto& bad = env.account("bad", Amount(100'000));
    r.registerProvider(bad);
    // The bad provider fails its clients (reports from three clients who paid).
    for (const auto* c : r.clients("v", 3)) {
        const auto id = r.open(*c, bad, 10, 100);
        env.advance(kReputationMinPaidSeconds);
        env(leaseClose(*c, id, CloseReason::ProviderFailed));
    }
    CHECK(env.reputation(bad).score() == 0);
    // It comes back under a new address: no history means a bound of 0, not a neutral start.
    auto& fresh = env.account("fresh", Amount(100'000));
    r.registerProvider(fresh);
    CHECK(env.reputation(fresh).score() == 0);
    // An honest provider with ten clients' completed leases behind it.
    r.servedConcurrently(r.clients("h", 10), r.prov, kReputationMinPaidSeconds, 5);
    CHECK(env.reputation(r.prov).score() == wilsonLowerBoundPpm(10'000'000, 0));  // 714,285

    // A job asking for reputation takes the honest provider's bid, not the whitewashed one's.
    const auto job = eventId(env(jobCreate(r.alice, cpuMem(100, 1), Amount(5), 10, Amount(50), 5, {}, 500'000)),
                             "job_created", "job_id");
    env(bidPlace(fresh, job, Amount(5), Amount(10)), expect(Code::ReputationTooLow));
    env(bidPlace(r.prov, job, Amount(5), Amount(10)));
}

TEST_CASE("attack: a wash-trading ring of three clients with ten leases each weighs less than nine honest clients") {
    RepEnv r;
    auto& env = r.env;
    const auto ring = r.clients("ring", 3);
    for (int round = 0; round < 10; ++round) r.servedConcurrently(ring, r.prov, kReputationMinPaidSeconds, 5);
    const auto rep = env.reputation(r.prov);
    CHECK(rep.completed == 30);
    CHECK(rep.successWeight == 3 * harmonicPpm(10));  // ~ 8.8 leases, not 30
    CHECK(rep.successWeight < 9'000'000);
    CHECK(rep.score() < wilsonLowerBoundPpm(9'000'000, 0));
    // And every lease paid the take: 30 leases x 10 s x 10 uagr/s x 2 % burned.
    CHECK(env.supply().burned.micro() >= 30 * 10 * 10 * env.params().leaseTakeRatePpm / 1'000'000);
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
    CHECK(env.reputation(r.prov).failureWeight == 0);
    CHECK(env.clientRecord(r.alice).earlyCloses == 8);
    // A provider_failed settled afterwards adds its rating but no completed lease.
    env(leaseSettle(r.alice, 1, 1));
    CHECK(env.reputation(r.prov).completed == 0);
    CHECK(env.reputation(r.prov).score() == 0);
}

TEST_CASE("a wash-traded rating burns the take on every uagr of rating weight it buys") {
    // The provider funds a client of its own that leases, pays and rates 5:
    // the money comes back to the provider except the protocol's take.
    RepEnv r;
    auto& env = r.env;
    auto& sock = env.account("sock");
    const std::uint64_t price = 1'000, seconds = 20, deposit = price * seconds;
    env(send(r.prov, sock, Amount(deposit + 1'000)));
    const std::uint64_t ringBefore = env.balance(r.prov).micro() + env.balance(sock).micro();
    const std::uint64_t burnedBefore = env.supply().burned.micro();
    const auto id = eventId(env(leaseFromOffer(sock, r.prov, 1, cpuMem(price, 1), seconds, Amount(deposit))),
                            "lease_created", "lease_id");
    env.advanceToTime(env.lease(id)->endTime + 1'000);
    env(leaseSettle(sock, id, 5));
    const std::uint64_t ringAfter = env.balance(r.prov).micro() + env.balance(sock).micro();

    const auto rep = env.reputation(r.prov);
    CHECK(rep.ratedValue == deposit);  // the rating weighs the gross payment...
    const std::uint64_t take = deposit * env.params().leaseTakeRatePpm / 1'000'000;
    CHECK(take == 400);
    CHECK(env.supply().burned.micro() - burnedBefore == take);  // ...and 2 % of it is gone for good
    CHECK(ringBefore - ringAfter == take + 2 * env.params().minFee.micro());
    // A rating of weight W costs the ring at least W x take rate: buying
    // reputation by wash trading costs real money, in proportion to its weight.
    CHECK((ringBefore - ringAfter) * 1'000'000 >= rep.ratedValue * env.params().leaseTakeRatePpm);
}
