// Consensus over the p2p network with real agorad processes on loopback
// (docs/p2p.md): agreement with unequal stake, crash tolerance, halting
// without quorum, partitions through the fault switch, and a crash loop.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ValidatorNetwork.h"

#ifndef AGORA_CLI_BINARY
#error "AGORA_CLI_BINARY must name the agora executable (test/CMakeLists.txt)"
#endif

using namespace agora;
using namespace std::chrono_literals;

namespace {

// `agora query block H -o json` on one node: (hash, app_hash).
std::optional<std::pair<std::string, std::string>> cliBlock(test::ValidatorNetwork& net, std::size_t i, std::uint64_t h,
                                                            const std::string& log) {
    const std::string out = log + ".out";
    std::filesystem::remove(out);
    const int rc = test::runToExit({AGORA_CLI_BINARY, "--node", "127.0.0.1:" + std::to_string(net.member(i).grpcPort),
                                    "query", "block", std::to_string(h), "-o", "json"},
                                   out, 20s);
    if (rc != 0) return std::nullopt;
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.contains("hash") || !j.contains("app_hash")) return std::nullopt;
    return std::make_pair(j["hash"].get<std::string>(), j["app_hash"].get<std::string>());
}

std::string logs(test::ValidatorNetwork& net) {
    std::string all;
    for (std::size_t i = 0; i < net.size(); ++i) {
        std::ifstream in(net.logPath(i));
        std::stringstream ss;
        ss << in.rdbuf();
        auto text = ss.str();
        if (text.size() > 4000) text = text.substr(text.size() - 4000);
        all += "---- node" + std::to_string(i) + "\n" + text;
    }
    return all;
}

// Passes `ok` through; on failure the tail of every node's log goes to the report.
bool shown(test::ValidatorNetwork& net, bool ok) {
    if (!ok) WARN(logs(net));
    return ok;
}

// True when no node of `nodes` commits a block for `window` (observation
// period: nothing to wait for, the claim is that nothing happens).
bool staysAt(test::ValidatorNetwork& net, const std::vector<std::size_t>& nodes, std::chrono::milliseconds window) {
    const auto start = net.maxHeight(nodes);
    return !test::waitUntil([&] { return net.maxHeight(nodes) > start + 0; }, window);
}

}  // namespace

TEST_CASE("four validators with unequal stake commit identical blocks and survive one kill -9", "[p2p][process]") {
    test::ValidatorNetwork net({"400agr", "300agr", "200agr", "100agr"});
    net.startAll();
    const std::vector<std::size_t> all{0, 1, 2, 3};
    REQUIRE(shown(net, net.waitHeight(all, 5, 60s)));

    // Identical block hash and app_hash at every height, read with the CLI.
    const auto top = std::min({net.height(0), net.height(1), net.height(2), net.height(3)});
    for (std::uint64_t h = 1; h <= top; ++h) {
        auto first = cliBlock(net, 0, h, net.logPath(0) + ".cli");
        REQUIRE(first);
        for (std::size_t i = 1; i < 4; ++i) {
            auto other = cliBlock(net, i, h, net.logPath(i) + ".cli");
            REQUIRE(other);
            CHECK(*other == *first);
        }
    }

    // 100agr of 1000 down: the rest hold 90% and keep committing.
    net.kill9(3);
    const auto before = net.maxHeight({0, 1, 2});
    CHECK(shown(net, net.waitHeight({0, 1, 2}, before + 3, 30s)));
    CHECK(net.stopAll());
    const auto verdict = net.checkNoForkNoDoubleSign();
    CHECK(verdict == "");
}

TEST_CASE("two of four equal validators down halt the chain and one restart resumes it", "[p2p][process]") {
    test::ValidatorNetwork net({"100agr", "100agr", "100agr", "100agr"});
    net.startAll();
    REQUIRE(shown(net, net.waitHeight({0, 1, 2, 3}, 3, 60s)));
    net.kill9(2);
    net.kill9(3);
    // Let a block in flight finish, then nothing may commit with half the power.
    const auto settled = net.maxHeight({0, 1});
    test::waitUntil([&] { return net.maxHeight({0, 1}) > settled; }, 1500ms);
    CHECK(shown(net, staysAt(net, {0, 1}, 3s)));
    net.start(2);
    const auto halted = net.maxHeight({0, 1});
    CHECK(shown(net, net.waitHeight({0, 1, 2}, halted + 2, 45s)));
    CHECK(net.stopAll());
    CHECK(net.checkNoForkNoDoubleSign() == "");
}

TEST_CASE("a 2-2 partition commits nothing and a 3-1 partition commits on the 3 side then heals without a fork",
          "[p2p][process]") {
    test::ValidatorNetwork net({"100agr", "100agr", "100agr", "100agr"});
    net.startAll();
    REQUIRE(shown(net, net.waitHeight({0, 1, 2, 3}, 3, 60s)));

    REQUIRE(net.partition({{0, 1}, {2, 3}}));
    const auto settled = net.maxHeight({0, 1, 2, 3});
    test::waitUntil([&] { return net.maxHeight({0, 1, 2, 3}) > settled; }, 1500ms);
    CHECK(shown(net, staysAt(net, {0, 1, 2, 3}, 3s)));

    // Heal: the four agree again and commit.
    REQUIRE(net.heal());
    const auto healed = net.maxHeight({0, 1, 2, 3});
    CHECK(shown(net, net.waitHeight({0, 1, 2, 3}, healed + 2, 45s)));

    REQUIRE(net.partition({{0, 1, 2}, {3}}));
    const auto split = net.maxHeight({0, 1, 2});
    CHECK(shown(net, net.waitHeight({0, 1, 2}, split + 3, 30s)));
    CHECK(shown(net, staysAt(net, {3}, 1s)));
    REQUIRE(net.heal());
    // The cut-off validator catches up from its peers' re-sends of the last decided heights.
    const auto after = net.maxHeight({0, 1, 2});
    CHECK(shown(net, net.waitHeight({0, 1, 2, 3}, after + 2, 30s)));
    CHECK(net.stopAll());
    CHECK(net.checkNoForkNoDoubleSign() == "");
}

// Kills: 20 at default scale (divided by AGORA_TEST_SCALE_DIVISOR, at least 4),
// AGORA_P2P_CRASH_LOOPS overrides; AGORA_P2P_CRASH_SEED picks the seed.
TEST_CASE("a crash loop of kill -9 on random validators leaves no fork and no double sign", "[p2p][process]") {
    const auto divisor = std::max<std::uint64_t>(1, test::envCount("AGORA_TEST_SCALE_DIVISOR", 1));
    const auto loops = test::envCount("AGORA_P2P_CRASH_LOOPS", std::max<std::uint64_t>(4, 20 / divisor));
    const auto seed = test::envCount("AGORA_P2P_CRASH_SEED", 6);
    INFO("seed " << seed << " loops " << loops);
    std::mt19937_64 rng(seed);
    test::ValidatorNetwork net({"100agr", "100agr", "100agr", "100agr"});
    net.startAll();
    REQUIRE(shown(net, net.waitHeight({0, 1, 2, 3}, 2, 60s)));
    for (std::uint64_t k = 0; k < loops; ++k) {
        const std::size_t victim = rng() % 4;
        // A random moment within the next block or two.
        const auto target = net.maxHeight({0, 1, 2, 3}) + rng() % 2;
        test::waitUntil([&] { return net.maxHeight({0, 1, 2, 3}) >= target; }, 5s);
        net.kill9(victim);
        net.start(victim);
        // The restarted validator rejoins: everyone passes the next height.
        const auto h = net.maxHeight({0, 1, 2, 3});
        INFO("loop " << k << " victim " << victim << " at " << h);
        REQUIRE(shown(net, net.waitHeight({0, 1, 2, 3}, h + 1, 60s)));
    }
    CHECK(net.stopAll());
    std::uint64_t common = 0;
    CHECK(net.checkNoForkNoDoubleSign(&common) == "");
    CHECK(common >= 2);
}

// The test-only equivocation mode (agorad start --unsafe-double-sign-at) as
// the network sees it: the conflicting prevotes become evidence that a block
// carries, and the ledger tombstones the validator.
TEST_CASE("a validator double-signing in the unsafe test mode is caught by evidence in a block and tombstoned",
          "[p2p][process]") {
    test::ValidatorNetwork net({"100agr", "100agr", "100agr", "100agr"});
    for (std::size_t i = 0; i < 3; ++i) net.start(i);
    net.start(3, {"--unsafe-double-sign-at", "3"});
    auto tombstoned = [&] {
        for (const auto& v : net.validators(0))
            if (v.is_object() && v.value("moniker", "") == "node3" && v.value("tombstoned", false)) return true;
        return false;
    };
    REQUIRE(shown(net, test::waitUntil(tombstoned, 60s)));
    std::size_t evidence = 0;
    for (std::uint64_t h = 3; h <= net.height(0); ++h) evidence += net.evidenceAt(0, h);
    CHECK(evidence >= 1);
    CHECK(net.stopAll());
    CHECK(net.checkNoForkNoDoubleSign() == "");
}
