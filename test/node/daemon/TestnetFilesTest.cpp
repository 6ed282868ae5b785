#include <catch2/catch.hpp>
#include <set>

#include "node/base/NodeId.h"
#include "node/config/NodeConfig.h"
#include "node/daemon/HomeLayout.h"
#include "node/daemon/PlainKeyFile.h"
#include "node/genesis/GenesisFile.h"
#include "support/ChildProcess.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::node;

TEST_CASE("testnet init-files writes N homes with distinct ports, peers and one shared genesis", "[agorad][testnet]") {
    test::TempDir dir("agorad-testnet");
    const std::string out = dir.path("net");
    REQUIRE(test::runToExit({AGORAD_BINARY, "testnet", "init-files", "--validators", "4", "--output", out, "--stakes",
                             "400agr,300agr,200agr,100agr", "--chain-id", "tn-1"},
                            dir.path("init.log")) == 0);
    std::set<std::string> ports;
    std::optional<Hash256> genesisHash;
    for (int i = 0; i < 4; ++i) {
        const HomeLayout home(out + "/node" + std::to_string(i));
        auto cfg = NodeConfig::load(home.configFile());
        REQUIRE(cfg.hasValue());
        REQUIRE(cfg->p2p.persistentPeers.size() == 3);
        REQUIRE(ports.insert(cfg->grpc.address).second);
        REQUIRE(ports.insert(cfg->p2p.listenAddress).second);
        REQUIRE(ports.insert(cfg->http.address).second);
        auto g = GenesisDoc::load(home.genesisFile());
        REQUIRE(g.hasValue());
        REQUIRE(g->genesis.validators.size() == 4);
        REQUIRE(g->genesis.validators[static_cast<std::size_t>(i)].selfStake == Amount(100'000'000ULL * (4 - i)));
        if (genesisHash) REQUIRE(g->hash() == *genesisHash);
        genesisHash = g->hash();
        // Each node's validator key is the genesis validator of the same index.
        auto key = loadKeyFile(home.validatorKeyFile());
        REQUIRE(key.hasValue());
        REQUIRE(g->genesis.validators[static_cast<std::size_t>(i)].consensusKey == key->publicKey());
        // Peers name the other nodes' ids.
        for (const auto& peer : cfg->p2p.persistentPeers) {
            const auto id = peer.substr(0, 40);
            auto nodeKey = loadKeyFile(home.nodeKeyFile());
            REQUIRE(id != nodeIdOf(nodeKey->publicKey()));
        }
    }
    // The demo keys are usable by agora with the written passphrase.
    REQUIRE(test::runToExit({AGORA_CLI_BINARY, "--keyring-dir", out + "/keyring", "keys", "show", "client", "-a"},
                            dir.path("show.log")) == 0);
    // A second run refuses to overwrite.
    REQUIRE(test::runToExit({AGORAD_BINARY, "testnet", "init-files", "--output", out}, dir.path("again.log")) == 1);
}
