#include "node/config/NodeConfig.h"

#include <toml++/toml.h>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "node/base/PeerAddress.h"
#include "node/config/TomlString.h"

namespace agora::node {
namespace {

// One config key: where it lives, how to read it from TOML and how to print it.
struct Field {
    std::string section;  // "" for top level
    std::string key;
    std::string comment;
    std::function<std::optional<std::string>(const toml::node&)> set;  // error text or nullopt
    std::function<std::string()> show;                                 // TOML value text
};

std::string quote(const std::string& s) {
    return node::tomlQuote(s);
}

Field str(std::string sec, std::string key, std::string comment, std::string& ref,
          std::function<std::optional<std::string>(const std::string&)> check = {}) {
    return {sec, key, comment,
            [&ref, check](const toml::node& n) -> std::optional<std::string> {
                auto v = n.value<std::string>();
                if (!n.is_string() || !v) return "must be a string";
                if (check) {
                    if (auto err = check(*v)) return err;
                }
                ref = *v;
                return std::nullopt;
            },
            [&ref] { return quote(ref); }};
}

// A host:port (node/base/PeerAddress.h); a listen address may name port 0.
Field address(std::string sec, std::string key, std::string comment, std::string& ref, PortRule rule,
              bool allowEmpty = false) {
    return str(sec, key, comment, ref, [allowEmpty, rule](const std::string& v) -> std::optional<std::string> {
        if (allowEmpty && v.empty()) return std::nullopt;
        auto parsed = parseHostPort(v, rule);
        if (!parsed) return "must be host:port: " + parsed.error();
        return std::nullopt;
    });
}

Field oneOf(std::string sec, std::string key, std::string comment, std::string& ref, std::vector<std::string> allowed) {
    return str(sec, key, comment, ref, [allowed](const std::string& v) -> std::optional<std::string> {
        for (const auto& a : allowed)
            if (a == v) return std::nullopt;
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return "must be one of: " + list;
    });
}

Field boolean(std::string sec, std::string key, std::string comment, bool& ref) {
    return {sec, key, comment,
            [&ref](const toml::node& n) -> std::optional<std::string> {
                if (!n.is_boolean()) return "must be true or false";
                ref = *n.value<bool>();
                return std::nullopt;
            },
            [&ref] { return std::string(ref ? "true" : "false"); }};
}

template <typename T>
Field integer(std::string sec, std::string key, std::string comment, T& ref, T min = 0,
              T max = std::numeric_limits<T>::max()) {
    return {sec, key, comment,
            [&ref, min, max](const toml::node& n) -> std::optional<std::string> {
                if (!n.is_integer()) return "must be an integer";
                const std::int64_t v = *n.value<std::int64_t>();
                if (v < 0 || static_cast<std::uint64_t>(v) < min || static_cast<std::uint64_t>(v) > max)
                    return "must be between " + std::to_string(min) + " and " + std::to_string(max);
                ref = static_cast<T>(v);
                return std::nullopt;
            },
            [&ref] { return std::to_string(ref); }};
}

Field strings(std::string sec, std::string key, std::string comment, std::vector<std::string>& ref,
              std::function<std::optional<std::string>(const std::string&)> check = {}) {
    return {sec, key, comment,
            [&ref, check](const toml::node& n) -> std::optional<std::string> {
                const auto* arr = n.as_array();
                if (arr == nullptr) return "must be an array of strings";
                std::vector<std::string> out;
                for (const auto& el : *arr) {
                    auto v = el.value<std::string>();
                    if (!el.is_string() || !v) return "must be an array of strings";
                    if (check) {
                        if (auto err = check(*v)) return "entry '" + *v + "' " + *err;
                    }
                    out.push_back(*v);
                }
                ref = std::move(out);
                return std::nullopt;
            },
            [&ref] {
                std::string out = "[";
                for (std::size_t i = 0; i < ref.size(); ++i) out += (i ? ", " : "") + quote(ref[i]);
                return out + "]";
            }};
}

std::optional<std::string> checkPeer(const std::string& v) {
    auto parsed = PeerAddress::parse(v);
    if (!parsed) return "must be NODEID@host:port: " + parsed.error();
    return std::nullopt;
}

std::vector<Field> schema(NodeConfig& c) {
    return {
        str("", "moniker", "A human-readable name for this node.", c.moniker,
            [](const std::string& v) -> std::optional<std::string> {
                if (v.empty() || v.size() > 64) return "must be 1..64 characters";
                return std::nullopt;
            }),
        oneOf("log", "level", "Minimum level logged: trace, debug, info, warn, error.", c.log.level,
              {"trace", "debug", "info", "warn", "error"}),
        oneOf("log", "format", "text (human) or json (one object per line).", c.log.format, {"text", "json"}),
        address("grpc", "address", "gRPC listen address (all gRPC services, reflection, health).", c.grpc.address,
                PortRule::Listen),
        integer<std::uint32_t>("grpc", "max_recv_bytes", "Largest gRPC request accepted, in bytes.",
                               c.grpc.maxRecvBytes, 1024),
        integer<std::uint32_t>("grpc", "max_concurrent_streams", "Concurrent streams per connection.",
                               c.grpc.maxConcurrentStreams, 1),
        integer<std::uint32_t>("grpc", "max_streams_per_client",
                               "Server streams (WatchJobs, WatchBids, Subscribe) one client may hold open.",
                               c.grpc.maxStreamsPerClient, 1),
        integer<std::uint32_t>("grpc", "max_metadata_bytes", "Largest request metadata (headers) accepted, in bytes.",
                               c.grpc.maxMetadataBytes, 1024),
        integer<std::uint32_t>("grpc", "max_connection_idle_ms",
                               "Close a connection that has had no call for this long; 0 = never.",
                               c.grpc.maxConnectionIdleMs),
        integer<std::uint32_t>("grpc", "max_connection_age_ms",
                               "Close every connection after this long (clients reconnect); 0 = never.",
                               c.grpc.maxConnectionAgeMs),
        integer<std::uint32_t>("grpc", "max_connection_age_grace_ms",
                               "Time calls get to finish after max_connection_age before the connection is cut.",
                               c.grpc.maxConnectionAgeGraceMs),
        integer<std::uint32_t>("grpc", "keepalive_time_ms", "Ping a connection that has been quiet for this long.",
                               c.grpc.keepaliveTimeMs, 1000),
        integer<std::uint32_t>("grpc", "keepalive_timeout_ms",
                               "Close the connection when a ping is not answered in time.", c.grpc.keepaliveTimeoutMs,
                               100),
        integer<std::uint32_t>("grpc", "keepalive_min_client_interval_ms",
                               "Client pings closer together than this are strikes.",
                               c.grpc.keepaliveMinClientIntervalMs, 1),
        integer<std::uint32_t>("grpc", "keepalive_max_ping_strikes",
                               "Strikes tolerated before the connection is closed (GOAWAY too_many_pings); 0 = any.",
                               c.grpc.keepaliveMaxPingStrikes),
        boolean("grpc", "keepalive_permit_without_calls",
                "Accept client keepalive pings on a connection with no open call.", c.grpc.keepalivePermitWithoutCalls),
        boolean("http", "enabled", "Serve the HTTP gateway (REST, WebSocket, /metrics, explorer).", c.http.enabled),
        address("http", "address", "HTTP listen address.", c.http.address, PortRule::Listen),
        strings("http", "cors_allowed_origins", "Origins allowed by CORS; empty disables CORS headers.",
                c.http.corsAllowedOrigins),
        integer<std::uint32_t>("http", "max_body_bytes", "Largest request body, in bytes.", c.http.maxBodyBytes, 1024),
        integer<std::uint32_t>("http", "max_connections", "Concurrent connections before 429.", c.http.maxConnections,
                               1),
        integer<std::uint32_t>("http", "request_timeout_ms", "Time allowed to read a request.", c.http.requestTimeoutMs,
                               100),
        integer<std::uint32_t>("http", "ws_queue_max", "Queued events per WebSocket client before it is dropped.",
                               c.http.wsQueueMax, 1),
        address("p2p", "listen_address", "P2P listen address.", c.p2p.listenAddress, PortRule::Listen),
        address("p2p", "external_address", "Address advertised to peers; empty = listen address.",
                c.p2p.externalAddress, PortRule::Dial, true),
        strings("p2p", "persistent_peers", "Peers to keep connected: NODEID@host:port.", c.p2p.persistentPeers,
                checkPeer),
        strings("p2p", "unconditional_peer_ids",
                "Node ids always admitted and kept, outside both peer limits (persistent peers are too).",
                c.p2p.unconditionalPeerIds,
                [](const std::string& v) -> std::optional<std::string> {
                    if (auto err = nodeIdError(v)) return "must be a node id: " + *err;
                    return std::nullopt;
                }),
        integer<std::uint32_t>("p2p", "max_inbound_peers",
                               "Most peers that dialled us, not counting persistent and unconditional ones.",
                               c.p2p.maxInboundPeers, 0),
        integer<std::uint32_t>("p2p", "max_outbound_peers",
                               "Most peers we dialled, not counting persistent and unconditional ones.",
                               c.p2p.maxOutboundPeers, 0),
        integer<std::uint32_t>("p2p", "max_message_bytes",
                               "Largest p2p message accepted; at least " +
                                   std::to_string(budget::kProposalMessageBytesMax) + " (the largest proposal).",
                               c.p2p.maxMessageBytes, 1024),
        integer<std::uint32_t>("p2p", "send_queue_max", "Queued messages per peer before it is dropped.",
                               c.p2p.sendQueueMax, 1),
        integer<std::uint64_t>("p2p", "send_queue_max_bytes",
                               "Queued message bytes per peer before it is dropped; at least " +
                                   std::to_string(2 * budget::kProposalMessageBytesMax) + " (two largest proposals).",
                               c.p2p.sendQueueMaxBytes),
        integer<std::uint64_t>("p2p", "recv_rate_bytes_per_sec",
                               "Inbound bytes per second per peer; beyond it messages are dropped, then the peer; "
                               "0 = no limit, else at least " +
                                   std::to_string(budget::kProposalMessageBytesMax) + " (the largest proposal).",
                               c.p2p.recvRateBytesPerSec),
        integer<std::uint32_t>("p2p", "recv_rate_messages_per_sec",
                               "Inbound messages per second per peer; beyond it messages are dropped, then the peer; "
                               "0 = no limit.",
                               c.p2p.recvRateMessagesPerSec),
        boolean("p2p", "peer_exchange", "Learn and share peer addresses.", c.p2p.peerExchange),
        boolean("p2p", "allow_fault_injection",
                "TEST ONLY: serve P2pAdmin.SetBlocked on the p2p port to cut peers off (partitions).",
                c.p2p.allowFaultInjection),
        integer<std::uint32_t>("mempool", "max_txs", "Most txs held; the lowest fee is evicted beyond it.",
                               c.mempool.maxTxs, 1),
        integer<std::uint64_t>("mempool", "max_bytes", "Most tx bytes held.", c.mempool.maxBytes, 1024),
        integer<std::uint32_t>("mempool", "max_txs_per_account", "Most pending txs per sender.",
                               c.mempool.maxTxsPerAccount, 1),
        integer<std::uint32_t>("mempool", "max_block_txs", "Most txs a proposed block carries.", c.mempool.maxBlockTxs,
                               1),
        integer<std::uint64_t>("mempool", "max_block_bytes",
                               "Most tx bytes a proposed block carries; at most " +
                                   std::to_string(limits::kBlockTxBytesMax) +
                                   " (the block limit minus the envelope allowance).",
                               c.mempool.maxBlockBytes, 1024),
        integer<std::uint32_t>("consensus", "timeout_propose_ms", "Wait for a proposal in round 0.",
                               c.consensus.timeoutProposeMs, 1),
        integer<std::uint32_t>("consensus", "timeout_propose_delta_ms", "Added per round.",
                               c.consensus.timeoutProposeDeltaMs),
        integer<std::uint32_t>("consensus", "timeout_prevote_ms", "Wait after 2/3+ prevotes for any value.",
                               c.consensus.timeoutPrevoteMs, 1),
        integer<std::uint32_t>("consensus", "timeout_prevote_delta_ms", "Added per round.",
                               c.consensus.timeoutPrevoteDeltaMs),
        integer<std::uint32_t>("consensus", "timeout_precommit_ms", "Wait after 2/3+ precommits for any value.",
                               c.consensus.timeoutPrecommitMs, 1),
        integer<std::uint32_t>("consensus", "timeout_precommit_delta_ms", "Added per round.",
                               c.consensus.timeoutPrecommitDeltaMs),
        integer<std::uint32_t>("consensus", "timeout_commit_ms",
                               "Longest pause after a commit before the next height; waiting txs end it early.",
                               c.consensus.timeoutCommitMs),
        boolean("consensus", "create_empty_blocks",
                "Produce blocks when the mempool is empty; false: the next height waits for a tx.",
                c.consensus.createEmptyBlocks),
        integer<std::uint32_t>("consensus", "empty_blocks_interval_ms",
                               "With create_empty_blocks = false, a block at least this often; 0 = never.",
                               c.consensus.emptyBlocksIntervalMs),
        integer<std::uint32_t>("consensus", "max_block_time_ahead_ms",
                               "A proposed block timed later than this validator's clock plus this is refused.",
                               c.consensus.maxBlockTimeAheadMs, 1, 86'400'000),
        integer<std::uint32_t>("storage", "state_versions_kept",
                               "Past state versions kept for queries and proofs; 0 = all.",
                               c.storage.stateVersionsKept),
        integer<std::uint64_t>("storage", "retain_blocks",
                               "Newest blocks kept (with their certificates, results and tx index); older ones are "
                               "pruned, at most 64 per commit. 0 = keep every block.",
                               c.storage.retainBlocks),
        integer<std::uint32_t>("storage", "leveldb_cache_mib", "LevelDB block cache.", c.storage.leveldbCacheMib, 1),
        integer<std::uint32_t>("storage", "leveldb_write_buffer_mib",
                               "LevelDB memtable size (up to twice this in memory while one is flushed).",
                               c.storage.leveldbWriteBufferMib, 1),
        integer<std::uint64_t>("statesync", "snapshot_interval",
                               "Write a state snapshot for peers that join by state sync every this many heights; 0 = "
                               "none.",
                               c.statesync.snapshotInterval),
        integer<std::uint32_t>("statesync", "snapshot_keep", "State snapshots kept (the newest).",
                               c.statesync.snapshotKeep, 1),
        integer<std::uint32_t>("statesync", "snapshot_chunk_bytes",
                               "Average state-snapshot chunk size aimed at (the chunk count is a power of two).",
                               c.statesync.snapshotChunkBytes, 1024, 4 * 1024 * 1024),
        boolean("debug", "check_invariants",
                "Check every ledger invariant after each block, O(state); a violation stops the node. Always on in "
                "builds without NDEBUG.",
                c.debug.checkInvariants),
    };
}

}  // namespace

Expected<NodeConfig, std::string> NodeConfig::parse(std::string_view text) {
    NodeConfig cfg;
    toml::table doc;
    try {
        doc = toml::parse(text);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << "config: " << e.description() << " at line " << e.source().begin.line;
        return Unexpected(msg.str());
    }
    auto fields = schema(cfg);
    auto find = [&](const std::string& sec, const std::string& key) -> Field* {
        for (auto& f : fields)
            if (f.section == sec && f.key == key) return &f;
        return nullptr;
    };
    auto isSection = [&](const std::string& name) {
        for (const auto& f : fields)
            if (f.section == name) return true;
        return false;
    };
    for (const auto& [k, node] : doc) {
        const std::string key(k.str());
        if (node.is_table()) {
            if (!isSection(key)) return Unexpected("config: unknown section [" + key + "]");
            for (const auto& [k2, node2] : *node.as_table()) {
                const std::string key2(k2.str());
                Field* f = find(key, key2);
                if (key == "p2p" && key2 == "max_peers")
                    return Unexpected(
                        "config: p2p.max_peers was replaced by p2p.max_inbound_peers (default 40) and "
                        "p2p.max_outbound_peers (default 10); persistent and unconditional peers count against "
                        "neither (docs/config.md)");
                if (f == nullptr) return Unexpected("config: unknown key " + key + "." + key2);
                if (auto err = f->set(node2)) return Unexpected("config: " + key + "." + key2 + " " + *err);
            }
        } else {
            Field* f = find("", key);
            if (f == nullptr) return Unexpected("config: unknown key " + key);
            if (auto err = f->set(node)) return Unexpected("config: " + key + " " + *err);
        }
    }
    if (auto budget = cfg.checkSizeBudget(); !budget) return Unexpected(budget.error());
    return cfg;
}

Expected<void, std::string> NodeConfig::checkSizeBudget() const {
    if (mempool.maxBlockBytes > limits::kBlockTxBytesMax)
        return Unexpected("config: mempool.max_block_bytes (" + std::to_string(mempool.maxBlockBytes) +
                          ") plus the block envelope allowance (" + std::to_string(limits::kBlockEnvelopeBytesMax) +
                          " bytes for header, certificate and evidence) exceeds the block limit (" +
                          std::to_string(limits::kBlockBytesMax) + "); at most " +
                          std::to_string(limits::kBlockTxBytesMax));
    if (mempool.maxBlockTxs > limits::kBlockTxsMax)
        return Unexpected("config: mempool.max_block_txs (" + std::to_string(mempool.maxBlockTxs) +
                          ") exceeds the txs a block may carry (" + std::to_string(limits::kBlockTxsMax) + ")");
    if (p2p.maxMessageBytes < budget::kProposalMessageBytesMax)
        return Unexpected("config: p2p.max_message_bytes (" + std::to_string(p2p.maxMessageBytes) +
                          ") is below the largest proposal message (" +
                          std::to_string(budget::kProposalMessageBytesMax) +
                          " bytes: a block of the block limit, whatever mempool.max_block_bytes is here, as any "
                          "validator may build one); a proposal this node cannot receive stalls it");
    if (p2p.sendQueueMaxBytes < 2 * budget::kProposalMessageBytesMax)
        return Unexpected("config: p2p.send_queue_max_bytes (" + std::to_string(p2p.sendQueueMaxBytes) +
                          ") is below two largest proposal messages (" +
                          std::to_string(2 * budget::kProposalMessageBytesMax) +
                          " bytes); a peer could not be sent a proposal and would be dropped as too slow");
    if (p2p.recvRateBytesPerSec != 0 && p2p.recvRateBytesPerSec < budget::kProposalMessageBytesMax)
        return Unexpected("config: p2p.recv_rate_bytes_per_sec (" + std::to_string(p2p.recvRateBytesPerSec) +
                          ") is below the largest proposal message (" +
                          std::to_string(budget::kProposalMessageBytesMax) +
                          " bytes per second); a full proposal would be dropped as over the rate (0 = no limit)");
    return {};
}

Expected<NodeConfig, std::string> NodeConfig::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return Unexpected("config: cannot read " + file.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str());
}

std::string NodeConfig::toToml() const {
    NodeConfig copy = *this;
    auto fields = schema(copy);
    std::string out = "# Agora node configuration. Every key is documented in docs/config.md.\n";
    std::string section = "";
    for (const auto& f : fields) {
        if (f.section != section) {
            section = f.section;
            out += "\n[" + section + "]\n";
        }
        out += "# " + f.comment + "\n" + f.key + " = " + f.show() + "\n";
    }
    return out;
}

}  // namespace agora::node
