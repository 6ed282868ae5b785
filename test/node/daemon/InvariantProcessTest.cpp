// [debug] check_invariants in a real agorad: a sound chain runs with the
// check on; a genesis whose state breaks the supply invariant stops the node
// at its first block, before anything is committed, with a clear log line.
#include <catch2/catch.hpp>

#include "consensus/state/Sandbox.h"
#include "contracts/Bank.h"
#include "contracts/Keys.h"
#include "node/config/NodeConfig.h"
#include "node/genesis/GenesisFile.h"
#include "support/ChildProcess.h"
#include "support/RunningNode.h"
#include "support/TestKeys.h"
#include "wallet/AtomicFile.h"

using namespace agora;
using namespace std::chrono_literals;

TEST_CASE("agorad with check_invariants runs a sound chain and stops before committing a block that breaks one",
          "[agorad][process][invariants]") {
    test::RunningNode sound(
        "agorad-invariants", "inv-proc",
        [](node::NodeConfig& cfg) {
            cfg.consensus.timeoutCommitMs = 20;
            cfg.debug.checkInvariants = true;
        },
        1);
    const std::string home = sound.home();
    REQUIRE(node::NodeConfig::load(home + "/config/config.toml")->debug.checkInvariants);
    REQUIRE(sound.waitHeight(3));
    REQUIRE(sound.stop() == 0);
    REQUIRE(test::runToExit({AGORAD_BINARY, "--home", home, "unsafe-reset"}, sound.path("reset.log")) == 0);

    // The same genesis as an imported state in which an account holds 1 uagr never minted.
    auto doc = node::GenesisDoc::load(home + "/config/genesis.json");
    REQUIRE(doc.hasValue());
    state::MemoryState scratch;
    auto set = contracts::initGenesis(scratch, doc->genesis);
    REQUIRE(set.hasValue());
    contracts::GenesisState s;
    s.height = 0;
    s.validatorSet = *set;
    for (const auto& [k, v] : scratch.entries()) s.entries.emplace_back(k, v);
    s.entries.emplace_back(contracts::keys::account(Address::fromPublicKey(test::testKey(2).publicKey)),
                           encode(contracts::Account{Amount(1), 0}));
    std::sort(s.entries.begin(), s.entries.end());
    s.appHash = contracts::genesisStateRoot(s.entries).value();
    doc->genesis.accounts.clear();
    doc->genesis.validators.clear();
    doc->genesis.appState = std::move(s);
    REQUIRE(wallet::writeFileAtomic(home + "/config/genesis.json", doc->prettyJson(), wallet::WriteMode::Replace)
                .hasValue());

    // Started again with a log of its own: what it prints now is all in it.
    test::RunningNode broken(test::RunningNode::ExistingHome{home, sound.path("broken.log")});
    broken.launch();
    const int rc = broken.process().waitExit(60s);
    const std::string log = broken.log();
    INFO(log);
    REQUIRE(rc == 2);
    REQUIRE(log.find("ledger invariant violated after executing block 1 (not committed)") != std::string::npos);
    REQUIRE(log.find("supply") != std::string::npos);
    REQUIRE(log.find("committed height") == std::string::npos);
}
