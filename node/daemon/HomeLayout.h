#pragma once
// The node's home directory (default ~/.agora):
//
//   config/config.toml          operator configuration (docs/config.md)
//   config/genesis.json         the chain's genesis
//   config/node_key.json        p2p identity key (node id = hex of its address)
//   config/validator_key.json   consensus signing key (validators only)
//   data/                       LevelDB database, consensus WAL, signer state

#include <filesystem>
#include <string>

namespace agora::node {

struct HomeLayout {
    std::filesystem::path root;

    explicit HomeLayout(std::filesystem::path home) : root(std::move(home)) {}
    // $AGORA_HOME, else $HOME/.agora.
    static std::filesystem::path defaultHome();

    std::filesystem::path configDir() const { return root / "config"; }
    std::filesystem::path dataDir() const { return root / "data"; }
    std::filesystem::path configFile() const { return configDir() / "config.toml"; }
    std::filesystem::path genesisFile() const { return configDir() / "genesis.json"; }
    std::filesystem::path nodeKeyFile() const { return configDir() / "node_key.json"; }
    std::filesystem::path validatorKeyFile() const { return configDir() / "validator_key.json"; }
    std::filesystem::path databaseDir() const { return dataDir() / "chain.db"; }
    std::filesystem::path snapshotsDir() const { return dataDir() / "snapshots"; }
    std::filesystem::path walFile() const { return dataDir() / "consensus.wal"; }
    std::filesystem::path signerStateFile() const { return dataDir() / "signer_state.json"; }
};

}  // namespace agora::node
