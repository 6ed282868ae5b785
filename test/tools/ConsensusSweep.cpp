// agora-consensus-sweep: the consensus simulator (test/consensus/engine/sim)
// over many seeds, split into shards for a nightly run (docs/consensus.md).
//
//   agora-consensus-sweep [--scenario NAME] [--runs N] [--first-seed S] [--shard K/N]
//
// Runs seeds S .. S+N-1 (default 1..100,000) of every standard scenario (or
// one); --shard K/N runs only the seeds whose offset from S is K-1 modulo N,
// so N processes with K = 1..N cover the range once, each seed in exactly one
// shard. Prints one line per scenario (runs, commits, rounds, crashes,
// evidence, maxRound, maxRoundAfterGst, violations) and, for every failing
// seed, its summary and the command that replays it. Exit 0 when no run
// failed, 1 when one did, 2 on bad arguments.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>

#include "consensus/engine/sim/Simulation.h"

namespace {

int usage() {
    std::cerr << "usage: agora-consensus-sweep [--scenario NAME] [--runs N] [--first-seed S] [--shard K/N]\n";
    return 2;
}

bool parseU64(const std::string& s, std::uint64_t& out) {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoull(s);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string only;
    std::uint64_t runs = 100'000, first = 1, shard = 1, shards = 1;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) return usage();
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "--scenario") {
            only = v;
        } else if (f == "--runs") {
            if (!parseU64(v, runs)) return usage();
        } else if (f == "--first-seed") {
            if (!parseU64(v, first)) return usage();
        } else if (f == "--shard") {
            const auto slash = v.find('/');
            if (slash == std::string::npos || !parseU64(v.substr(0, slash), shard) ||
                !parseU64(v.substr(slash + 1), shards) || shards == 0 || shard == 0 || shard > shards)
                return usage();
        } else {
            return usage();
        }
    }
    if (!only.empty() && !agora::sim::scenarioByName(only)) {
        std::cerr << "no scenario named " << only << "\n";
        return 2;
    }
    std::uint64_t failedTotal = 0;
    for (const auto& s : agora::sim::standardScenarios()) {
        if (!only.empty() && s.name != only) continue;
        std::uint64_t n = 0, failed = 0, commits = 0, rounds = 0, crashes = 0, evidence = 0;
        std::uint32_t maxRound = 0, maxRoundAfterGst = 0;
        for (std::uint64_t seed = first + (shard - 1); seed < first + runs; seed += shards) {
            const agora::sim::RunResult r = agora::sim::runScenario(s, seed);
            ++n;
            commits += r.commits;
            rounds += r.rounds;
            crashes += r.crashes;
            evidence += r.evidence;
            maxRound = std::max(maxRound, r.maxRound);
            maxRoundAfterGst = std::max(maxRoundAfterGst, r.maxRoundAfterGst);
            if (r.ok()) continue;
            ++failed;
            std::printf(
                "FAILED %s\n  replay: AGORA_SIM_SCENARIO=%s AGORA_SIM_SEED=%llu ./test/test_engine \"[.replay]\"\n",
                r.summary().c_str(), s.name.c_str(), static_cast<unsigned long long>(seed));
        }
        std::printf(
            "scenario %-10s shard %llu/%llu runs=%llu commits=%llu rounds=%llu crashes=%llu evidence=%llu "
            "maxRound=%u maxRoundAfterGst=%u violations=%llu\n",
            s.name.c_str(), static_cast<unsigned long long>(shard), static_cast<unsigned long long>(shards),
            static_cast<unsigned long long>(n), static_cast<unsigned long long>(commits),
            static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(crashes),
            static_cast<unsigned long long>(evidence), maxRound, maxRoundAfterGst,
            static_cast<unsigned long long>(failed));
        std::fflush(stdout);
        failedTotal += failed;
    }
    return failedTotal == 0 ? 0 : 1;
}
