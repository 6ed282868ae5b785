#include <catch2/catch.hpp>
#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "sim/Simulation.h"

using agora::sim::RunResult;
using agora::sim::Scenario;

namespace {

std::uint64_t envU64(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    return std::strtoull(v, nullptr, 10);
}

struct Totals {
    std::uint64_t runs = 0;
    std::uint64_t failed = 0;
    std::uint64_t commits = 0;
    std::uint64_t rounds = 0;
    std::uint64_t crashes = 0;
    std::uint64_t evidence = 0;
    std::uint32_t maxRound = 0;
    std::uint32_t maxRoundAfterGst = 0;
};

// Runs seeds [first, first + count) of a scenario; prints every failure with
// the command that replays it.
Totals sweep(const Scenario& s, std::uint64_t first, std::uint64_t count) {
    Totals t;
    for (std::uint64_t seed = first; seed < first + count; ++seed) {
        const RunResult r = agora::sim::runScenario(s, seed);
        ++t.runs;
        t.commits += r.commits;
        t.rounds += r.rounds;
        t.crashes += r.crashes;
        t.evidence += r.evidence;
        t.maxRound = std::max(t.maxRound, r.maxRound);
        t.maxRoundAfterGst = std::max(t.maxRoundAfterGst, r.maxRoundAfterGst);
        if (!r.ok()) {
            ++t.failed;
            std::printf(
                "FAILED %s\n  replay: AGORA_SIM_SCENARIO=%s AGORA_SIM_SEED=%llu ./test/test_engine \"[.replay]\"\n",
                r.summary().c_str(), s.name.c_str(), static_cast<unsigned long long>(seed));
        }
    }
    std::printf(
        "scenario %-10s runs=%llu commits=%llu rounds=%llu crashes=%llu evidence=%llu maxRound=%u "
        "maxRoundAfterGst=%u violations=%llu\n",
        s.name.c_str(), static_cast<unsigned long long>(t.runs), static_cast<unsigned long long>(t.commits),
        static_cast<unsigned long long>(t.rounds), static_cast<unsigned long long>(t.crashes),
        static_cast<unsigned long long>(t.evidence), t.maxRound, t.maxRoundAfterGst,
        static_cast<unsigned long long>(t.failed));
    std::fflush(stdout);
    return t;
}

}  // namespace

TEST_CASE("simulation smoke: one clean run commits", "[sim]") {
    auto s = agora::sim::scenarioByName("clean");
    REQUIRE(s);
    const RunResult r = agora::sim::runScenario(*s, 1, true);
    INFO(r.summary());
    REQUIRE(r.ok());
}

TEST_CASE("simulation sweep over N seeds per scenario prints counts", "[.sweep]") {
    const std::uint64_t runs = envU64("AGORA_SIM_RUNS", 100000);
    const std::uint64_t first = envU64("AGORA_SIM_FIRST_SEED", 1);
    const char* only = std::getenv("AGORA_SIM_SCENARIO");
    std::uint64_t failed = 0;
    for (const auto& s : agora::sim::standardScenarios()) {
        if (only && *only && s.name != only) continue;
        failed += sweep(s, first, runs).failed;
    }
    REQUIRE(failed == 0);
}

TEST_CASE("simulation replays one seed with a trace", "[.replay]") {
    const char* name = std::getenv("AGORA_SIM_SCENARIO");
    auto s = agora::sim::scenarioByName(name ? name : "mixed");
    REQUIRE(s);
    const RunResult r = agora::sim::runScenario(*s, envU64("AGORA_SIM_SEED", 1), true);
    std::printf("%s\n", r.summary().c_str());
    REQUIRE(r.ok());
}

// The default suite: 1,100 seeded runs over six fault scenarios (one test
// case per scenario so each stays well inside the ctest timeout).
namespace {
// The sanitizer pass of scripts/test.sh sets AGORA_TEST_SCALE_DIVISOR (ASan
// makes the simulator ~5x slower); the normal pass runs every seed.
void runSuite(const std::string& name, std::uint64_t fullRuns) {
    const std::uint64_t divisor = std::max<std::uint64_t>(1, envU64("AGORA_TEST_SCALE_DIVISOR", 1));
    const std::uint64_t runs = std::max<std::uint64_t>(fullRuns / divisor, 10);
    auto s = agora::sim::scenarioByName(name);
    REQUIRE(s);
    const Totals t = sweep(*s, 1, runs);
    REQUIRE(t.runs == runs);
    REQUIRE(t.failed == 0);
}
}  // namespace

TEST_CASE("suite clean: 150 seeds of a reliable network agree and commit", "[sim][suite]") {
    runSuite("clean", 150);
}
TEST_CASE("suite lossy: 200 seeds with drops, duplicates and long delays", "[sim][suite]") {
    runSuite("lossy", 200);
}
TEST_CASE("suite partition: 150 seeds with partitions that form and heal", "[sim][suite]") {
    runSuite("partition", 150);
}
TEST_CASE("suite crash: 200 seeds with crash-restart and WAL replay", "[sim][suite]") {
    runSuite("crash", 200);
}
TEST_CASE("suite byzantine: 200 seeds with silent and equivocating validators below 1/3", "[sim][suite]") {
    runSuite("byzantine", 200);
}
TEST_CASE("suite mixed: 200 seeds with every fault at once", "[sim][suite]") {
    runSuite("mixed", 200);
}

TEST_CASE("crash-restart at every action boundary of one validator never leaks a conflicting signature",
          "[sim][crash]") {
    Scenario s;
    s.name = "crash-boundary";
    s.minValidators = 4;
    s.maxValidators = 4;
    s.targetHeight = 3;
    s.crashNode = 0;
    s.targetHeight = 4;
    // Crash before action 1, 2, 3, ... of node 0 until the crash point lies
    // beyond the end of the run: every boundary of its first heights, among
    // them the ones right after a signature was released (signer state
    // persisted) and before the signed vote was logged or sent.
    std::uint64_t covered = 0;
    for (std::uint64_t at = 1; at <= 2000; ++at) {
        s.crashAtAction = at;
        const RunResult r = agora::sim::runScenario(s, 7);
        if (r.crashes == 0) break;
        ++covered;
        INFO("crash before action " << at << ": " << r.summary());
        REQUIRE(r.ok());
    }
    std::printf("crash-restart: %llu action boundaries of node 0 covered\n", static_cast<unsigned long long>(covered));
    REQUIRE(covered >= 40);
}

TEST_CASE("with more than 1/3 Byzantine power agreement breaks, and evidence names only the Byzantine",
          "[sim][byzantine]") {
    using agora::Hash256;
    using agora::Proposal;
    using agora::Vote;
    using agora::VoteType;
    using agora::sim::Role;
    // Four validators of equal power; two (50% of the power) collude.
    std::vector<agora::ValidatorUpdate> members;
    for (std::size_t i = 0; i < 4; ++i) members.push_back({agora::sim::TestKey(i).publicKey(), 10});
    const auto genesis = agora::consensus::ChainState::genesis(*agora::ValidatorSet::fromUpdates(members));
    const agora::PublicKey proposerKey = genesis.proposerSetFor(0).proposer().key;
    std::size_t proposer = 0;
    while (agora::sim::TestKey(proposer).publicKey() != proposerKey) ++proposer;
    const std::size_t partner = (proposer + 1) % 4;
    std::vector<std::size_t> honest;
    std::vector<Role> roles(4, Role::Honest);
    roles[proposer] = Role::Silent;  // driven by the script below
    roles[partner] = Role::Silent;
    for (std::size_t i = 0; i < 4; ++i) {
        if (roles[i] == Role::Honest) honest.push_back(i);
    }

    Scenario s;
    s.name = "byzantine-majority";
    s.targetHeight = 1;
    s.livenessWindow = 3000;
    agora::sim::Simulation sim(s, 1);
    sim.setValidators({10, 10, 10, 10}, roles);
    const std::string& chain = sim.chainId();
    const auto blockA = sim.buildBlock(1, 0, Hash256(), std::nullopt, 0xA);
    const auto blockB = sim.buildBlock(1, 0, Hash256(), std::nullopt, 0xB);
    auto proposal = [&](const std::pair<Hash256, agora::Bytes>& b) {
        Proposal p;
        p.height = 1;
        p.round = 0;
        p.blockId = b.first;
        p.block = b.second;
        p.proposer = proposerKey;
        p.signature = agora::sim::TestKey(proposer).sign(p.signDigest(chain));
        return p;
    };
    auto vote = [&](std::size_t who, VoteType type, const Hash256& id) {
        Vote v;
        v.type = type;
        v.height = 1;
        v.round = 0;
        v.blockId = id;
        v.validator = agora::sim::TestKey(who).publicKey();
        v.signature = agora::sim::TestKey(who).sign(v.signDigest(chain));
        return v;
    };
    // Honest node honest[0] is shown block A, honest[1] block B. Each sees the
    // colluders prevote its block (a polka with its own prevote), then the
    // colluders' prevotes for the other block (equivocation), then their
    // precommits for its block.
    const std::pair<Hash256, agora::Bytes>* shown[2] = {&blockA, &blockB};
    for (std::size_t side = 0; side < 2; ++side) {
        const std::size_t to = honest[side];
        const Hash256 mine = shown[side]->first;
        const Hash256 other = shown[1 - side]->first;
        sim.inject(30, to, proposal(*shown[side]));
        for (std::size_t c : {proposer, partner}) {
            sim.inject(40, to, vote(c, VoteType::Prevote, mine));
            sim.inject(50, to, vote(c, VoteType::Prevote, other));
            sim.inject(60, to, vote(c, VoteType::Precommit, mine));
        }
    }
    const RunResult r = sim.run();
    std::printf("byzantine majority run: %s\n", r.summary().c_str());
    REQUIRE(r.agreementBroken);
    REQUIRE_FALSE(r.accused.empty());
    for (const auto& key : r.accused) {
        REQUIRE((key == agora::sim::TestKey(proposer).publicKey() || key == agora::sim::TestKey(partner).publicKey()));
    }
}
