#include "node/gateway/routes/HealthRoutes.h"

#include <nlohmann/json.hpp>

namespace agora::node::routes {

HealthRoutes::HealthRoutes(const GatewayContext& ctx) : ctx_(ctx), lastProgress_(std::chrono::steady_clock::now()) {}

bool HealthRoutes::consensusHealthy() {
    const ConsensusStatus s = ctx_.consensus();
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(healthMu_);
    // Waiting for a tx (create_empty_blocks = false) is idle, not stalled.
    if (s.waitingForTxs || s.height != lastStatus_.height || s.round != lastStatus_.round ||
        s.step != lastStatus_.step) {
        lastStatus_ = s;
        lastProgress_ = now;
    }
    return now - lastProgress_ <= ctx_.stallAfter;
}

void HealthRoutes::add(Router& r) {
    Application& app = ctx_.app;
    r.add("GET", "/health", [this, &app](const HttpRequest&) {
        const bool alive = consensusHealthy();
        const bool catchingUp = ctx_.consensus().catchingUp;  // block sync running (docs/sync.md)
        std::int64_t sinceMs = 0;
        {
            std::lock_guard lock(healthMu_);
            sinceMs =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - lastProgress_)
                    .count();
        }
        const bool healthy = alive && !catchingUp;
        return HttpResponse::json(healthy ? 200 : 503, nlohmann::json{{"status", healthy ? "ok" : "unavailable"},
                                                                      {"height", app.lastHeight()},
                                                                      {"consensus_alive", alive},
                                                                      {"catching_up", catchingUp},
                                                                      {"ms_since_progress", sinceMs}});
    });
}

}  // namespace agora::node::routes
