// Governance on four real validator processes, through the `agora` CLI: a
// parameter-change proposal that passes changes min_fee on every node and the
// next block enforces it; a failed vote changes nothing; a malformed proposal
// is a clear error (docs/ledger.md, "Governance").
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "NetworkCli.h"
#include "ValidatorNetwork.h"

using namespace agora;
using namespace std::chrono_literals;
using agora::test::Cli;
using nlohmann::json;

namespace {

constexpr std::uint64_t kVotingBlocks = 12;

// Waits until proposal `id` has ended on every node; returns node 0's record.
json waitEnded(Cli& c, const std::string& id) {
    json p;
    const bool ended = test::waitUntil(
        [&] {
            for (std::size_t i = 0; i < 4; ++i) {
                p = c.query(i, {"gov", "proposal", id});
                if (p["status"] == "voting_period" || p["status"] == "deposit_period") return false;
            }
            return true;
        },
        60s);
    INFO(p.dump());
    REQUIRE(ended);
    return c.query(0, {"gov", "proposal", id});
}

}  // namespace

TEST_CASE(
    "governance on four validators: a passed proposal changes min_fee on every node from the next block, "
    "a failed vote changes nothing, a malformed proposal is refused",
    "[gov][p2p][process][cli]") {
    test::ValidatorNetwork net({"100agr", "100agr", "100agr", "100agr"}, {}, Amount(1'000'000'000'000ULL), {},
                               [](node::GenesisDoc& g) {
                                   g.genesis.params.govVotingPeriodBlocks = kVotingBlocks;
                                   g.genesis.params.govDepositPeriodBlocks = kVotingBlocks;
                               });
    net.startAll();
    const std::vector<std::size_t> all{0, 1, 2, 3};
    REQUIRE(net.waitHeight(all, 2, 60s));
    Cli c{net};
    // The client's delegation outweighs the four validators together: its vote decides.
    const std::string valoper = net.validators(0).at(0).operator_();
    c.tx({"delegate", valoper, "1000agr"}, "client");

    // Malformed: refused before anything is signed, with the reason.
    auto [rc1, out1] = c.txResult({"gov", "submit", "--change", "no_such_param=1", "--deposit", "1000agr"}, "client");
    CHECK(rc1 != 0);
    CHECK(out1.find("no parameter named 'no_such_param'") != std::string::npos);
    auto [rc2, out2] = c.txResult({"gov", "submit", "--change", "min_fee=1.5", "--deposit", "1000agr"}, "client");
    CHECK(rc2 != 0);
    CHECK(out2.find("not a decimal number") != std::string::npos);
    // Well-formed but inconsistent with the other parameters: the ledger refuses
    // it, here already in the CLI's simulation (nothing sent, no fee).
    auto [rc3, out3] =
        c.txResult({"gov", "submit", "--change", "downtime_max_missed=100", "--deposit", "1000agr"}, "client");
    INFO(out3);
    CHECK(rc3 != 0);
    CHECK(out3.find("\"code\":373") != std::string::npos);
    CHECK(c.query(0, {"gov", "proposals"})["proposals"].empty());

    // A proposal that passes.
    const json submitted = c.tx(
        {"gov", "submit", "--title", "raise the fee", "--change", "min_fee=5000", "--deposit", "1000agr"}, "client");
    const std::string id = Cli::attr(submitted, "proposal_submitted", "proposal_id");
    c.tx({"gov", "vote", id, "yes"}, "client");
    const json tally = c.query(1, {"gov", "tally", id});
    CHECK(tally["status"] == "voting_period");
    CHECK(Cli::u64(tally["yes"]) == 1'000'000'000ULL);
    const json passed = waitEnded(c, id);
    CHECK(passed["status"] == "passed");
    CHECK(passed["deposits_held"] == "0");
    for (std::size_t i : all) CHECK(c.query(i, {"params"})["min_fee"] == "5000");

    // The next block enforces it: the old fee is refused, the new one accepted.
    auto [rcLow, outLow] = c.txResult({"send", c.address("provider"), "1", "--fees", "1000"}, "client");
    INFO(outLow);
    CHECK(rcLow != 0);
    CHECK(outLow.find("fee") != std::string::npos);
    c.tx({"send", c.address("provider"), "1", "--fees", "5000"}, "client");

    // A proposal the client votes down changes nothing and refunds its deposit:
    // the client ends up poorer by the two fees only. (The balance is read before
    // the submit: a short voting period can end before a read after the vote.)
    const std::string client = c.address("client");
    const std::uint64_t before = Cli::u64(c.query(0, {"account", client})["balance"]);
    const json second =
        c.tx({"gov", "submit", "--change", "grace_seconds=7", "--deposit", "1000agr", "--fees", "5000"}, "client");
    const std::string id2 = Cli::attr(second, "proposal_submitted", "proposal_id");
    const json vote = c.tx({"gov", "vote", id2, "no", "--fees", "5000"}, "client");
    const json rejected = waitEnded(c, id2);
    CHECK(rejected["status"] == "rejected");
    CHECK(rejected["failure"] == "threshold not reached");
    for (std::size_t i : all) CHECK(c.query(i, {"params"})["grace_seconds"] == 20);
    REQUIRE(net.waitHeight(all, rejected["voting_end_height"].get<std::uint64_t>() + 1, 30s));
    CHECK(Cli::u64(c.query(0, {"account", client})["balance"]) ==
          before - Cli::u64(second["fee_charged"]) - Cli::u64(vote["fee_charged"]));
}
