#pragma once
// Gateway: the node's HTTP face (docs/api.md). Owns the Beast HttpServer
// with its Router, the WebSocket hub, the metrics registry and the chain
// metrics, and registers every route: the REST mirror of the queries
// (StateQueries/StateJson, shared with gRPC), POST /v1/txs (decoded once and
// admitted by node/submit/TxSubmitter; commit mode answers from the CommitWaiters
// callback without holding an I/O thread), /v1/events, /health, /metrics and
// the embedded explorer (/ and /explorer/{file}) and /openapi.json.
//
// Threads: routes run on the server's I/O threads; onCommit() on the
// consensus thread (cheap: metrics, then a post); block events are turned
// into WebSocket events and marketplace metrics on the `events` executor, in
// height order, after the block is stored (the WsHub replay contract).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "consensus/core/Expected.h"
#include "node/app/Application.h"
#include "node/config/NodeConfig.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/consensus/Executor.h"
#include "node/events/BlockEvents.h"
#include "node/http/HttpServer.h"
#include "node/mempool/Mempool.h"
#include "node/metrics/MetricsRegistry.h"
#include "node/submit/CommitWaiters.h"

namespace agora::node {

class ChainMetrics;

struct GatewayContext {
    Application& app;
    const Mempool& mempool;
    CommitWaiters& waiters;
    const EventHistory& history;
    Executor& events;                                   // runs the per-block event work
    std::function<AdmitResult(const TxRef& tx)> admit;  // node/submit/TxSubmitter::admit
    std::function<ConsensusStatus()> consensus;
    std::string nodeId;
    // /health calls consensus stalled after this long without a height/round/step change.
    std::chrono::milliseconds stallAfter{30'000};
};

// Most blocks a WebSocket subscribe may replay (from_height further back: replay_failed).
inline constexpr std::uint64_t kMaxReplayBlocks = 10'000;
// Most blocks one GET /v1/events/search page examines (it answers on an I/O thread).
inline constexpr std::uint64_t kMaxEventSearchBlocks = 1'000;
// Most blocks one GET /v1/blocks page lists.
inline constexpr std::uint64_t kMaxBlockListLimit = 100;
// Longest wait of POST /v1/txs in commit mode (timeout_ms is capped to it).
inline constexpr std::uint32_t kMaxCommitWaitMs = 60'000;

class Gateway {
public:
    // Build before consensus starts (the chain metrics are seeded from the current state).
    Gateway(const HttpConfig& config, GatewayContext ctx);
    ~Gateway();
    Gateway(const Gateway&) = delete;
    Gateway& operator=(const Gateway&) = delete;

    Expected<std::uint16_t, std::string> start();
    // Answers waiting commit-mode requests 503, then stops the server. Idempotent.
    void stop();
    std::uint16_t port() const { return server_ ? server_->port() : 0; }

    // Consensus thread, for every committed block in order (events already
    // published to the EventBus, i.e. stored).
    void onCommit(const CommitOutcome& outcome, std::shared_ptr<const BlockEvents> events);

    MetricsRegistry& metrics() { return metrics_; }

private:
    void addRoutes();
    void addTxRoute();
    void addStaticRoutes();
    // block: the committed block as decoded by the commit (no read back).
    void publishBlock(const BlockEvents& events, const Block* block);
    bool consensusHealthy();

    GatewayContext ctx_;
    HttpServerOptions options_;
    MetricsRegistry metrics_;
    std::unique_ptr<ChainMetrics> chainMetrics_;
    WsHub hub_;
    Router router_;
    std::unique_ptr<HttpServer> server_;

    // Commit-mode requests waiting on CommitWaiters, by ticket.
    std::mutex pendingMu_;
    bool closed_ = false;
    std::map<std::uint64_t, std::shared_ptr<HttpAsyncReply>> pending_;

    // /health: when the consensus position last changed.
    std::mutex healthMu_;
    ConsensusStatus lastStatus_;
    std::chrono::steady_clock::time_point lastProgress_;
};

}  // namespace agora::node
