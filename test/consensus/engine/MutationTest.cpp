#include <catch2/catch.hpp>

#include <cstdio>

#include "sim/Simulation.h"

using agora::sim::RunResult;
using agora::sim::Scenario;

namespace {

// Honest validators only, on a network that drops and delays enough for
// locks to matter: some nodes lock on a block in a round whose precommits
// the others miss.
Scenario lockStressScenario(bool ignoreLock) {
    Scenario s;
    s.name = ignoreLock ? "mutant-ignore-lock" : "lock-stress";
    s.minValidators = 4;
    s.maxValidators = 4;
    s.gst = 20000;
    s.dropPpm = 400'000;
    s.tailPpm = 200'000;
    s.tailDelay = 900;
    s.partitions = 3;
    s.targetHeight = 3;
    s.ignoreLock = ignoreLock;
    return s;
}

}  // namespace

TEST_CASE("mutation: ignoring the lock when prevoting is caught as an agreement violation", "[sim][mutation]") {
    const Scenario mutant = lockStressScenario(true);
    constexpr std::uint64_t kMaxSeeds = 400;
    std::uint64_t found = 0;
    std::uint64_t runs = 0;
    for (std::uint64_t seed = 1; seed <= kMaxSeeds && found == 0; ++seed) {
        ++runs;
        const RunResult r = agora::sim::runScenario(mutant, seed);
        if (r.agreementBroken) found = seed;
    }
    std::printf("mutant (ignore lock): first agreement violation at seed %llu after %llu runs\n",
                static_cast<unsigned long long>(found), static_cast<unsigned long long>(runs));
    REQUIRE(found != 0);
}

TEST_CASE("the same stressed network keeps agreement when the lock is honoured", "[sim][mutation]") {
    const Scenario honest = lockStressScenario(false);
    for (std::uint64_t seed = 1; seed <= 150; ++seed) {
        const RunResult r = agora::sim::runScenario(honest, seed);
        INFO(r.summary());
        REQUIRE(r.ok());
    }
}
