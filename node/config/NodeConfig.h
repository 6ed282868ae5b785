#pragma once
// The node's operator configuration (config/config.toml in the home dir).
// Every key, its default and meaning is documented in docs/config.md.
// Loading is strict: unknown keys, wrong types and out-of-range values are
// errors naming the key, so a typo never silently falls back to a default.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "node/config/SizeBudget.h"

namespace agora::node {

struct LogConfig {
    std::string level = "info";   // trace | debug | info | warn | error
    std::string format = "text";  // text | json
};

struct GrpcConfig {
    std::string address = "127.0.0.1:9090";
    std::uint32_t maxRecvBytes = 4 * 1024 * 1024;
    std::uint32_t maxConcurrentStreams = 100;
    std::uint32_t maxStreamsPerClient = 16;
    // Per-connection limits (docs/config.md, [grpc]); 0 = off where noted.
    std::uint32_t maxMetadataBytes = 16 * 1024;
    std::uint32_t maxConnectionIdleMs = 0;  // close a connection without calls after this; 0 = never
    std::uint32_t maxConnectionAgeMs = 0;   // close any connection after this; 0 = never
    std::uint32_t maxConnectionAgeGraceMs = 30'000;
    std::uint32_t keepaliveTimeMs = 7'200'000;             // ping a quiet client after this
    std::uint32_t keepaliveTimeoutMs = 20'000;             // drop it when the ping is not answered in time
    std::uint32_t keepaliveMinClientIntervalMs = 300'000;  // client pings closer than this are strikes
    std::uint32_t keepaliveMaxPingStrikes = 2;             // strikes before GOAWAY too_many_pings
    bool keepalivePermitWithoutCalls = false;              // accept client pings on a connection with no call
};

struct HttpConfig {
    bool enabled = true;
    std::string address = "127.0.0.1:8080";
    std::vector<std::string> corsAllowedOrigins;  // empty = CORS off
    std::uint32_t maxBodyBytes = 1024 * 1024;
    std::uint32_t maxConnections = 256;
    std::uint32_t requestTimeoutMs = 10'000;
    std::uint32_t wsQueueMax = 1024;
};

struct P2pConfig {
    std::string listenAddress = "0.0.0.0:26656";
    std::string externalAddress;                    // advertised to peers; empty = listen address
    std::vector<std::string> persistentPeers;       // NODEID@host:port
    std::vector<std::string> unconditionalPeerIds;  // node ids outside both limits
    std::uint32_t maxInboundPeers = 40;             // not counting persistent and unconditional peers
    std::uint32_t maxOutboundPeers = 10;
    std::uint32_t maxMessageBytes = budget::kDefaultP2pMessageBytes;  // >= the largest proposal
    std::uint32_t sendQueueMax = 4096;
    // Bytes queued per peer (serialized messages); >= 2 largest proposals.
    std::uint64_t sendQueueMaxBytes = budget::kDefaultSendQueueBytes;
    // Inbound rate per peer, 0 = no limit (docs/p2p.md, "Limits").
    std::uint64_t recvRateBytesPerSec = budget::kDefaultRecvRateBytes;  // 0 or >= the largest proposal
    std::uint32_t recvRateMessagesPerSec = 20'000;
    bool peerExchange = true;
    bool allowFaultInjection = false;  // TEST ONLY: P2pAdmin.SetBlocked (docs/p2p.md)
};

struct MempoolConfig {
    std::uint32_t maxTxs = 20'000;
    std::uint64_t maxBytes = 128ULL * 1024 * 1024;
    std::uint32_t maxTxsPerAccount = 256;
    std::uint32_t maxBlockTxs = 5'000;
    std::uint64_t maxBlockBytes = budget::kDefaultBlockTxBytes;  // + envelope <= limits::kBlockBytesMax
};

struct ConsensusConfig {
    std::uint32_t timeoutProposeMs = 1'000;
    std::uint32_t timeoutProposeDeltaMs = 500;
    std::uint32_t timeoutPrevoteMs = 500;
    std::uint32_t timeoutPrevoteDeltaMs = 250;
    std::uint32_t timeoutPrecommitMs = 500;
    std::uint32_t timeoutPrecommitDeltaMs = 250;
    // Longest pause after a commit before the next height; txs waiting end it
    // early (decision 44).
    std::uint32_t timeoutCommitMs = 100;
    bool createEmptyBlocks = false;
    std::uint32_t emptyBlocksIntervalMs = 1'000;  // with createEmptyBlocks = false: a block at least this often
    // A proposal whose block time is later than our clock plus this is prevoted nil.
    std::uint32_t maxBlockTimeAheadMs = 10'000;
};

struct StorageConfig {
    std::uint32_t stateVersionsKept = 1000;  // 0 = keep every version
    std::uint64_t retainBlocks = 0;          // newest blocks kept; 0 = every block
    std::uint32_t leveldbCacheMib = 64;
    std::uint32_t leveldbWriteBufferMib = 32;
};

// State snapshots served to nodes that join by state sync (docs/sync.md, "State sync").
struct StateSyncConfig {
    std::uint64_t snapshotInterval = 0;              // a snapshot every this many heights; 0 = none
    std::uint32_t snapshotKeep = 2;                  // newest snapshots kept
    std::uint32_t snapshotChunkBytes = 1024 * 1024;  // average chunk size aimed at
};

// Checks too costly for production (docs/config.md, "[debug]").
struct DebugConfig {
    bool checkInvariants = false;  // also on in every build without NDEBUG
};

struct NodeConfig {
    std::string moniker = "agora-node";
    LogConfig log;
    GrpcConfig grpc;
    HttpConfig http;
    P2pConfig p2p;
    MempoolConfig mempool;
    ConsensusConfig consensus;
    StorageConfig storage;
    StateSyncConfig statesync;
    DebugConfig debug;

    // The size budget (node/config/SizeBudget.h): an error naming the keys
    // whose values contradict it. parse() and load() apply it.
    Expected<void, std::string> checkSizeBudget() const;

    // Parses TOML text; missing keys keep their defaults.
    static Expected<NodeConfig, std::string> parse(std::string_view toml);
    static Expected<NodeConfig, std::string> load(const std::filesystem::path& file);
    // The full file with every key and a comment, as `agorad init` writes it.
    std::string toToml() const;
};

}  // namespace agora::node
