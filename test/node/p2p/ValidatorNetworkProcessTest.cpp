// Consensus over the p2p network with real agorad processes on loopback
// (docs/p2p.md): agreement with unequal stake, crash tolerance, halting
// without quorum, partitions through the fault switch, and a crash loop.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "TransferLoad.h"
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

// `agora ARGS -o json` against node i; the parsed first output line.
std::optional<nlohmann::json> cliJson(test::ValidatorNetwork& net, std::size_t i, std::vector<std::string> args) {
    static std::atomic<int> calls{0};
    const std::string out = net.logPath(i) + ".cli" + std::to_string(++calls);
    std::vector<std::string> full{AGORA_CLI_BINARY, "--node", "127.0.0.1:" + std::to_string(net.member(i).grpcPort)};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"-o", "json"});
    const int rc = test::runToExit(full, out, 20s);
    std::ifstream in(out);
    std::string line;
    std::getline(in, line);
    if (rc != 0) {
        UNSCOPED_INFO("agora exited " << rc << ": " << line);
        return std::nullopt;
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
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
// AGORA_P2P_CRASH_LOOPS overrides; AGORA_P2P_CRASH_SEED picks the seed. Four
// load threads (TransferLoad) send bank transfers in commit mode to random
// validators the whole time; every tx a node reported committed must be on
// every node at the same height with the same result, and the accounts must
// agree everywhere and match the recorded transfers to the uagr.
TEST_CASE(
    "a crash loop of kill -9 on random validators under load loses no committed tx and leaves no fork and no "
    "double sign",
    "[p2p][process]") {
    const auto divisor = std::max<std::uint64_t>(1, test::envCount("AGORA_TEST_SCALE_DIVISOR", 1));
    const auto loops = test::envCount("AGORA_P2P_CRASH_LOOPS", std::max<std::uint64_t>(4, 20 / divisor));
    const auto seed = test::envCount("AGORA_P2P_CRASH_SEED", 6);
    INFO("seed " << seed << " loops " << loops);
    std::mt19937_64 rng(seed);
    constexpr std::uint8_t kFirstKey = 101;
    constexpr std::size_t kAccounts = 4;
    constexpr std::uint64_t kFunded = 1'000'000'000'000ULL;
    test::ValidatorNetwork net({"100agr", "100agr", "100agr", "100agr"},
                               test::TransferLoad::addresses(kFirstKey, kAccounts), Amount(kFunded));
    net.startAll();
    const std::vector<std::size_t> all{0, 1, 2, 3};
    REQUIRE(shown(net, net.waitHeight(all, 2, 60s)));
    test::TransferLoad load(net, kFirstKey, kAccounts, seed);
    load.start();
    for (std::uint64_t k = 0; k < loops; ++k) {
        const std::size_t victim = rng() % 4;
        // A random moment within the next block or two.
        const auto target = net.maxHeight(all) + rng() % 2;
        test::waitUntil([&] { return net.maxHeight(all) >= target; }, 5s);
        net.kill9(victim);
        net.start(victim);
        // The restarted validator rejoins: everyone passes the next height.
        const auto h = net.maxHeight(all);
        INFO("loop " << k << " victim " << victim << " at " << h);
        REQUIRE(shown(net, net.waitHeight(all, h + 1, 60s)));
    }
    load.stop();
    // Every node past the last reported commit, then the tx still unresolved
    // when the load stopped is looked up once more.
    REQUIRE(shown(net, net.waitHeight(all, net.maxHeight(all) + 2, 60s)));
    load.resolvePending(0);
    const auto committed = load.committed();
    INFO("committed " << committed.size() << " failed calls " << load.failedCalls());
    CHECK(committed.size() >= loops);

    // No committed tx lost: each is on every node at the reported height with the reported result.
    std::size_t missing = 0;
    for (const auto& c : committed)
        for (std::size_t i = 0; i < 4; ++i) {
            const auto found = load.getTx(i, c.hash);
            if (!found || std::get<0>(*found) != c.height || std::get<1>(*found) != c.code ||
                std::get<2>(*found) != c.feeCharged) {
                ++missing;
                UNSCOPED_INFO("tx " << c.hash.toHex() << " reported at " << c.height << " differs on node" << i);
            }
        }
    CHECK(missing == 0);
    // The CLI reads the same record on every node (first and last tx).
    if (!committed.empty())
        for (const auto* c : {&committed.front(), &committed.back()})
            for (std::size_t i = 0; i < 4; ++i) {
                auto j = cliJson(net, i, {"query", "tx", c->hash.toHex()});
                REQUIRE(j);
                CHECK((*j)["height"] == c->height);
                CHECK((*j)["code"] == c->code);
            }

    // Accounts: the recorded transfers explain every balance and nonce, on every node.
    std::vector<std::uint64_t> balance(kAccounts, kFunded), nonces(kAccounts, 0);
    for (const auto& c : committed) {
        balance[c.from] -= c.feeCharged;
        if (c.code == 0) {
            balance[c.from] -= c.amount;
            balance[c.to] += c.amount;
        }
        nonces[c.from] = std::max(nonces[c.from], c.nonce + 1);
    }
    for (std::size_t a = 0; a < kAccounts; ++a)
        for (std::size_t i = 0; i < 4; ++i) {
            auto acc = net.account(i, load.address(a));
            REQUIRE(acc);
            INFO("account " << a << " node" << i);
            CHECK(acc->first == balance[a]);
            CHECK(acc->second == nonces[a]);
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
    // It double-signs at exactly kAt, so it must be voting then: the other
    // three hold 75 % of the power and commit without it, and a node3 started
    // last on a loaded host could join by block sync after kAt and never
    // equivocate (seen once in CI under load). Started first, and some
    // heights in, it is in consensus by then.
    constexpr std::uint64_t kAt = 8;
    net.start(3, {"--unsafe-double-sign-at", std::to_string(kAt)});
    for (std::size_t i = 0; i < 3; ++i) net.start(i);
    auto tombstoned = [&] {
        for (const auto& v : net.validators(0))
            if (v.moniker() == "node3" && v.tombstoned()) return true;
        return false;
    };
    REQUIRE(shown(net, test::waitUntil(tombstoned, 60s)));
    std::size_t evidence = 0;
    for (std::uint64_t h = kAt; h <= net.height(0); ++h) evidence += net.evidenceAt(0, h);
    CHECK(evidence >= 1);
    // The evidence query on every node (once it has the including block):
    // the same records, naming node3, an infraction at height kAt.
    std::string operator3;
    for (const auto& v : net.validators(0))
        if (v.moniker() == "node3") operator3 = v.operator_();
    REQUIRE(!operator3.empty());
    // Up to one height every node has, so the four lists are comparable.
    const std::uint64_t upTo = net.height(0);
    REQUIRE(shown(net, net.waitHeight({0, 1, 2, 3}, upTo, 30s)));
    std::optional<nlohmann::json> first;
    for (std::size_t i = 0; i < 4; ++i) {
        auto listed =
            cliJson(net, i, {"query", "evidence", "--validator", operator3, "--max-height", std::to_string(upTo)});
        REQUIRE(listed);
        REQUIRE(!(*listed)["evidence"].empty());
        INFO("node" << i << " " << listed->dump());
        for (const auto& e : (*listed)["evidence"]) {
            CHECK(e["validator"] == operator3);
            CHECK(e["infraction_height"] == kAt);
            CHECK(e["kind"] == "duplicate_vote");
            CHECK(e["first"]["block_id"] != e["second"]["block_id"]);
            CHECK(net.evidenceAt(i, e["height"].get<std::uint64_t>()) >= 1);
        }
        if (!first)
            first = listed;
        else
            CHECK(*listed == *first);
    }
    // Nothing against the honest validators.
    for (const auto& v : net.validators(0))
        if (v.moniker() != "node3") {
            auto none = cliJson(net, 0, {"query", "evidence", "--validator", v.operator_()});
            REQUIRE(none);
            CHECK((*none)["evidence"].empty());
        }
    CHECK(net.stopAll());
    CHECK(net.checkNoForkNoDoubleSign() == "");
}
