// agora-market-sim: the adversarial market simulation over a sweep of seeds
// (docs/market-simulation.md, design decision 51).
//
//   agora-market-sim [--seeds N] [--first-seed S] [--blocks B] [--param NAME=VALUE]... [--json] [--verbose]
//
// Runs seeds S .. S+N-1 (default 1..50), each as the baseline, the run with
// every attack, and one run per attack. With --json it prints one JSON line
// per seed and a summary line ({"bench":"market_sim_summary",...}); without,
// a table (--verbose: and every provider's end state). Exit status 0 when every seed held every invariant and every
// coalition's books closed, 1 otherwise (a paying attack or a low AUC is a
// figure to read, not a failure of the tool), 2 on bad arguments.

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "contracts/Params.h"
#include "contracts/sim/MarketSim.h"

using namespace agora::contracts::sim;

namespace {

int usage() {
    std::cerr << "usage: agora-market-sim [--seeds N] [--first-seed S] [--blocks B] [--param NAME=VALUE]... [--json] "
                 "[--verbose]\n";
    return 2;
}

bool parseU64(const std::string& s, std::uint64_t& out) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18) return false;
    out = std::stoull(s);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t seeds = 50, first = 1, blocks = 0;
    bool json = false, verbose = false;
    std::vector<std::pair<std::string, std::string>> params;
    for (int i = 1; i < argc; ++i) {
        const std::string f = argv[i];
        if (f == "--json" || f == "--verbose") {
            (f == "--json" ? json : verbose) = true;
            continue;
        }
        if (i + 1 >= argc) return usage();
        const std::string v = argv[++i];
        if (f == "--param") {
            // A ledger parameter changed from its default (docs/ledger.md), checked as governance checks it.
            const auto eq = v.find('=');
            if (eq == std::string::npos) return usage();
            agora::contracts::Params probe;
            if (agora::contracts::setParam(probe, v.substr(0, eq), v.substr(eq + 1)) != agora::state::ResultCode::Ok ||
                probe.validate()) {
                std::cerr << "agora-market-sim: bad parameter " << v << "\n";
                return 2;
            }
            params.emplace_back(v.substr(0, eq), v.substr(eq + 1));
            continue;
        }
        std::uint64_t* target = f == "--seeds"        ? &seeds
                                : f == "--first-seed" ? &first
                                : f == "--blocks"     ? &blocks
                                                      : nullptr;
        if (!target || !parseU64(v, *target)) return usage();
    }
    if (seeds == 0) return usage();

    std::uint64_t heldAll = 0, aucAtLeast95 = 0, aucSumPpm = 0, aucMinPpm = 1'000'000;
    std::map<std::string, std::uint64_t> pays;
    std::map<std::string, std::int64_t> netSum;
    for (std::uint64_t s = first; s < first + seeds; ++s) {
        MarketSimConfig c;
        c.seed = s;
        c.params = params;
        if (blocks != 0) c.activeBlocks = blocks;
        const SeedReport r = runSeed(c);
        if (r.invariantsHeld()) ++heldAll;
        aucSumPpm += r.full.aucPpm;
        aucMinPpm = std::min<std::uint64_t>(aucMinPpm, r.full.aucPpm);
        if (r.full.aucPpm >= 950'000) ++aucAtLeast95;
        for (const AttackFigures& f : r.attacks) {
            const std::string name(attackName(f.attack));
            pays[name] += f.pays() ? 1 : 0;
            netSum[name] += f.net;
        }
        if (json) {
            std::cout << toJsonLine(r) << std::endl;
        } else {
            std::printf("seed %4llu  invariants %-4s  auc %.3f (baseline %.3f)", static_cast<unsigned long long>(s),
                        r.invariantsHeld() ? "ok" : "FAIL", r.full.aucPpm / 1e6, r.baseline.aucPpm / 1e6);
            for (const AttackFigures& f : r.attacks)
                std::printf("  %s %+lld", std::string(attackName(f.attack)).c_str(), static_cast<long long>(f.net));
            std::printf("\n");
            for (const std::string& v : r.violations) std::printf("  violation: %s\n", v.c_str());
            if (verbose)
                for (const RunReport* run : {&r.baseline, &r.full})
                    for (const ProviderFigure& p : run->providers)
                        std::printf(
                            "    %-8s %-16s %-9s %-8s score %7u completed %4llu early %3llu client leases %4llu\n",
                            run == &r.baseline ? "baseline" : "full", p.name.c_str(), p.honest ? "honest" : "dishonest",
                            p.active ? "active" : "inactive", p.score, static_cast<unsigned long long>(p.completed),
                            static_cast<unsigned long long>(p.earlyCloses),
                            static_cast<unsigned long long>(p.leasesFromClients));
        }
    }
    nlohmann::ordered_json sum;
    sum["bench"] = "market_sim_summary";
    sum["seeds"] = seeds;
    sum["first_seed"] = first;
    sum["invariants_held_seeds"] = heldAll;
    sum["auc_mean"] = static_cast<double>(aucSumPpm) / static_cast<double>(seeds) / 1e6;
    sum["auc_min"] = static_cast<double>(aucMinPpm) / 1e6;
    sum["auc_at_least_0_95_seeds"] = aucAtLeast95;
    nlohmann::ordered_json attacks = nlohmann::ordered_json::object();
    for (const auto& [name, n] : pays) {
        attacks[name]["paying_seeds"] = n;
        attacks[name]["net_uagr_mean"] = netSum[name] / static_cast<std::int64_t>(seeds);
    }
    sum["attacks"] = attacks;
    std::cout << (json ? sum.dump() : sum.dump(2)) << std::endl;
    return heldAll == seeds ? 0 : 1;
}
