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
#include "support/TempDir.h"
#include "support/TestKeys.h"
#include "wallet/AtomicFile.h"

using namespace agora;
using namespace std::chrono_literals;

TEST_CASE("agorad with check_invariants runs a sound chain and stops before committing a block that breaks one",
          "[agorad][process][invariants]") {
    test::TempDir dir("agorad-invariants");
    const std::string home = dir.path("home");
    const std::string funded = Address::fromPublicKey(test::testKey(1).publicKey).toBech32();
    REQUIRE(test::runToExit({AGORAD_BINARY, "--home", home, "init", "v0", "--chain-id", "inv-proc", "--fund",
                             funded + "=5000000000"},
                            dir.path("init.log")) == 0);
    node::NodeConfig cfg;
    cfg.grpc.address = "127.0.0.1:" + std::to_string(test::freePort());
    cfg.http.enabled = false;  // parallel test nodes must not share the default HTTP port
    cfg.p2p.listenAddress = "127.0.0.1:0";  // nor the p2p port: any free one
    cfg.consensus.timeoutCommitMs = 20;
    cfg.debug.checkInvariants = true;
    REQUIRE(wallet::writeFileAtomic(home + "/config/config.toml", cfg.toToml(), wallet::WriteMode::Replace).hasValue());
    REQUIRE(node::NodeConfig::load(home + "/config/config.toml")->debug.checkInvariants);

    {
        test::ChildProcess sound({AGORAD_BINARY, "--home", home, "start"}, dir.path("sound.log"));
        REQUIRE(test::waitUntil([&] { return sound.log().find("committed height 3 ") != std::string::npos; }, 60s));
        sound.signal(SIGTERM);
        REQUIRE(sound.waitExit(20s) == 0);
    }
    REQUIRE(test::runToExit({AGORAD_BINARY, "--home", home, "unsafe-reset"}, dir.path("reset.log")) == 0);

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

    test::ChildProcess broken({AGORAD_BINARY, "--home", home, "start"}, dir.path("broken.log"));
    const int rc = broken.waitExit(60s);
    const std::string log = broken.log();
    INFO(log);
    REQUIRE(rc == 2);
    REQUIRE(log.find("ledger invariant violated after executing block 1 (not committed)") != std::string::npos);
    REQUIRE(log.find("supply") != std::string::npos);
    REQUIRE(log.find("committed height") == std::string::npos);
}
