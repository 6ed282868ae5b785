#pragma once
// Gateway: the node's HTTP face (docs/api.md). Owns the Beast HttpServer
// with its Router, the WebSocket hub, the metrics registry and the chain
// metrics, and registers every route, by domain (node/gateway/routes/): the
// REST mirror of the queries (StateQueries, shared with gRPC; JSON from the node/views mappings),
// POST /v1/txs (routes/TxRoutes: decoded once and admitted by
// node/submit/TxSubmitter), /v1/events, /health, /metrics and the
// embedded explorer (/ and /explorer/{file}) and /openapi.json.
//
// Threads: routes run on the server's I/O threads; onCommit() on the
// consensus thread (cheap: metrics, then a post); block events are turned
// into WebSocket events and marketplace metrics on the `events` executor, in
// height order, after the block is stored (the WsHub replay contract).

#include <atomic>
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
#include "node/gateway/routes/RouteContext.h"
#include "node/http/HttpServer.h"
#include "node/mempool/Mempool.h"
#include "node/metrics/MetricsRegistry.h"
#include "node/submit/CommitWaiters.h"

namespace agora::node {

class ChainMetrics;
namespace routes {
class HealthRoutes;
class TxRoutes;
}  // namespace routes

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
    // block: the committed block as decoded by the commit (no read back).
    void publishBlock(const BlockEvents& events, const Block* block);

    GatewayContext ctx_;
    HttpServerOptions options_;
    MetricsRegistry metrics_;
    std::unique_ptr<ChainMetrics> chainMetrics_;
    WsHub hub_;
    Router router_;
    std::unique_ptr<routes::HealthRoutes> health_;
    std::unique_ptr<routes::TxRoutes> txRoutes_;
    std::unique_ptr<HttpServer> server_;
    std::atomic<bool> stopped_{false};
};

}  // namespace agora::node
