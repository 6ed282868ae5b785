#pragma once
// provider.toml: the configuration of `agora-provider` (docs/provider.md
// "Configuration" lists every key). Strict: an unknown key or a value of the
// wrong type is an error naming it.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Amount.h"
#include "consensus/core/Expected.h"
#include "consensus/core/MarketTypes.h"

namespace agora::provider {

struct ProviderConfig {
    // [chain]
    std::string node = "127.0.0.1:9090";  // gRPC address of an agorad
    std::string chainId;                  // empty: asked from the node
    // [key]
    std::string keyName = "provider";
    std::string keyringDir;      // empty: the wallet's default
    std::string passphraseFile;  // empty: AGORA_PASSPHRASE_FILE, else refuse (a daemon has no terminal)
    // [gateway]
    std::string gatewayListen = "127.0.0.1:8443";
    std::string hostUri;  // on-chain host_uri; empty: gatewayListen
    std::uint64_t authWindowMs = 120'000;
    std::uint32_t maxRequestsPerMinute = 600;  // per client address
    // [registration]
    Amount stake{200'000'000};          // min_provider_stake + room for leases (provider_stake_per_lease each)
    std::vector<Attribute> attributes;  // sorted by key
    Resources capacity;                 // advertised; discovered by `init`
    // [pricing]  uagr per unit per second of block time, the standing offer 1
    Amount pricePerCpuMillicore{1};
    Amount pricePerMemoryMib{0};
    Amount pricePerStorageGib{0};
    std::uint32_t marginBps = 10'000;  // bid = offer price x margin / 10000
    std::string priceScript;           // optional: JSON on stdin, price on stdout
    std::uint32_t priceScriptTimeoutMs = 2'000;
    // [bidding]
    bool bidding = true;
    Amount bidDeposit{1'000'000};
    std::uint32_t maxOpenBids = 64;
    std::uint64_t minClientBalance = 0;  // uagr; 0 = anyone
    // [leases]
    std::uint64_t manifestTimeoutBlocks = 40;
    std::uint64_t reportIntervalBlocks = 20;
    std::uint64_t withdrawIntervalBlocks = 50;
    std::uint64_t reconcileIntervalBlocks = 20;
    // [runtime]
    std::string runtime = "process";
    std::string advertiseHost = "127.0.0.1";
    std::uint16_t portRangeFirst = 20000;
    std::uint16_t portRangeLast = 29999;
    std::uint64_t logCapBytes = 8ull << 20;
    std::string cgroupParent = "agora";
    std::string bwrapPath = "/usr/bin/bwrap";
    // [slurm]  (runtime.kind = "slurm"; docs/provider.md "Slurm operators")
    std::string slurmPartition;                // empty: the cluster's default partition
    std::string slurmAccount;                  // empty: the Slurm user's default account
    std::string slurmQos;                      // empty: the association's default QOS
    std::vector<std::string> slurmSbatchArgs;  // extra sbatch options, one per element
    std::string slurmConf;                     // SLURM_CONF for the commands; empty: Slurm's default
    std::string slurmBinDir;                   // directory of sbatch & co.; empty: $PATH
    std::string slurmStateDir;                 // shared with the compute nodes; empty: <home>/data/slurm
    std::string slurmJobNamePrefix = "agora-lease-";
    // [fees]
    Amount fee{1000};

    std::string effectiveHostUri() const { return hostUri.empty() ? gatewayListen : hostUri; }
};

// <home>/provider.toml; <home>/data holds the agent's LevelDB and workloads.
std::filesystem::path providerConfigPath(const std::filesystem::path& home);

Expected<ProviderConfig, std::string> loadProviderConfig(const std::filesystem::path& file);
std::string renderProviderConfig(const ProviderConfig& c);  // TOML with a comment per key

}  // namespace agora::provider
