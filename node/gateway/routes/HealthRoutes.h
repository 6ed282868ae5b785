#pragma once
// GET /health: 200 while consensus moves (height, round or step changed
// within GatewayContext::stallAfter) and block sync is not running, else 503.
// Keeps the time of the last change seen.

#include <chrono>
#include <mutex>

#include "node/gateway/routes/RouteContext.h"
#include "node/http/Router.h"

namespace agora::node::routes {

class HealthRoutes {
public:
    explicit HealthRoutes(const GatewayContext& ctx);
    HealthRoutes(const HealthRoutes&) = delete;
    HealthRoutes& operator=(const HealthRoutes&) = delete;

    void add(Router& r);

private:
    bool consensusHealthy();

    const GatewayContext& ctx_;
    // When the consensus position last changed.
    std::mutex healthMu_;
    ConsensusStatus lastStatus_;
    std::chrono::steady_clock::time_point lastProgress_;
};

}  // namespace agora::node::routes
