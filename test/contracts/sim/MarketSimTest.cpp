// The adversarial market simulation (MarketSim.h) on a few seeds, sized for
// CI; scripts/bench.sh runs the 50-seed sweep (agora-market-sim).

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "MarketSim.h"

using namespace agora::contracts::sim;

namespace {

// Shorter than the sweep's run (600 active blocks) so CI stays well under a
// minute; the wind-down stays long enough for the longest lease (600 s) to end.
MarketSimConfig ciConfig(std::uint64_t seed) {
    MarketSimConfig c;
    c.seed = seed;
    c.activeBlocks = 100;
    c.windDownBlocks = 125;
    return c;
}

std::uint64_t seedFromEnv(std::uint64_t fallback) {
    const char* s = std::getenv("AGORA_TEST_SEED");
    return s ? std::stoull(s) : fallback;
}

}  // namespace

TEST_CASE(
    "market simulation: supply and every ledger invariant hold at every block of every run, and each "
    "coalition's books close",
    "[market-sim]") {
    for (std::uint64_t seed : {seedFromEnv(1), seedFromEnv(1) + 1}) {
        const SeedReport r = runSeed(ciConfig(seed));
        INFO("seed " << seed << ": " << toJsonLine(r));
        CHECK(r.violations.empty());
        CHECK(r.runs == 7);
        // Every block of every run was checked.
        CHECK(r.invariantChecks == r.runs * r.full.blocks);
        CHECK(r.full.unsettledAtEnd == 0);
        CHECK(r.baseline.unsettledAtEnd == 0);
        // The market did something: leases opened, some failed, the take burned money.
        CHECK(r.full.leases > 50);
        CHECK(r.full.leasesFailed > 0);
        CHECK(r.full.burned > 0);
        for (const AttackFigures& f : r.attacks) {
            INFO(attackName(f.attack));
            CHECK(f.accountingCloses);
        }
    }
}

TEST_CASE("market simulation: the per-block checks catch money minted outside a tx", "[market-sim]") {
    MarketSimConfig c = ciConfig(3);
    c.activeBlocks = 40;
    c.windDownBlocks = 10;
    c.plantedMintHeight = 17;
    const RunReport r = runMarket(c);
    REQUIRE(r.invariantViolation.has_value());
    CHECK(r.invariantViolation->find("height 17: minted grew by 1000001") != std::string::npos);
}

TEST_CASE("market simulation: a seed replays to the same figures", "[market-sim]") {
    MarketSimConfig c = ciConfig(seedFromEnv(5));
    c.activeBlocks = 120;
    c.attacks.assign(std::begin(kAllAttacks), std::end(kAllAttacks));
    const RunReport a = runMarket(c);
    const RunReport b = runMarket(c);
    CHECK(a.txs == b.txs);
    CHECK(a.txsOk == b.txsOk);
    CHECK(a.leases == b.leases);
    CHECK(a.minted == b.minted);
    CHECK(a.burned == b.burned);
    CHECK(a.aucPpm == b.aucPpm);
    for (int i = 0; i < 5; ++i) {
        CHECK(a.coalition[i].netWorth == b.coalition[i].netWorth);
        CHECK(a.coalition[i].fees == b.coalition[i].fees);
    }
    c.seed += 1;
    const RunReport other = runMarket(c);
    CHECK((other.txs != a.txs || other.burned != a.burned));
}

TEST_CASE(
    "market simulation: without attacks, reputation scores every honest provider above every flaky one "
    "that clients used",
    "[market-sim]") {
    MarketSimConfig c;  // the sweep's size, one run
    c.seed = seedFromEnv(1);
    const RunReport r = runMarket(c);
    INFO("seed " << c.seed << ": auc " << r.aucPpm << " over " << r.honestRanked << " honest and " << r.dishonestRanked
                 << " dishonest providers");
    REQUIRE_FALSE(r.invariantViolation.has_value());
    CHECK(r.honestRanked >= 8);
    CHECK(r.dishonestRanked >= 4);
    CHECK(r.aucPpm >= 950'000);
}
