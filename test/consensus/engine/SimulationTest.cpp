#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
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
    std::uint64_t crashes = 0;
    std::uint64_t evidence = 0;
    std::uint32_t maxRound = 0;
};

// Runs seeds [first, first + count) of a scenario; prints every failure with
// the command that replays it.
Totals sweep(const Scenario& s, std::uint64_t first, std::uint64_t count) {
    Totals t;
    for (std::uint64_t seed = first; seed < first + count; ++seed) {
        const RunResult r = agora::sim::runScenario(s, seed);
        ++t.runs;
        t.commits += r.commits;
        t.crashes += r.crashes;
        t.evidence += r.evidence;
        t.maxRound = std::max(t.maxRound, r.maxRound);
        if (!r.ok()) {
            ++t.failed;
            std::printf("FAILED %s\n  replay: AGORA_SIM_SCENARIO=%s AGORA_SIM_SEED=%llu ./test/test_engine \"[.replay]\"\n",
                        r.summary().c_str(), s.name.c_str(), static_cast<unsigned long long>(seed));
        }
    }
    std::printf("scenario %-10s runs=%llu commits=%llu crashes=%llu evidence=%llu maxRound=%u violations=%llu\n",
                s.name.c_str(), static_cast<unsigned long long>(t.runs), static_cast<unsigned long long>(t.commits),
                static_cast<unsigned long long>(t.crashes), static_cast<unsigned long long>(t.evidence), t.maxRound,
                static_cast<unsigned long long>(t.failed));
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
