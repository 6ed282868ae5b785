#pragma once
// POST /v1/txs: the mempool admission of TxBroadcaster; commit mode answers
// from the CommitWaiters callback without holding an I/O thread. Keeps the
// commit-mode requests waiting, by ticket, so stop() can answer them.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "node/gateway/routes/RouteContext.h"
#include "node/http/HttpAsyncReply.h"
#include "node/http/Router.h"

namespace agora::node::routes {

class TxRoutes {
public:
    explicit TxRoutes(GatewayContext& ctx) : ctx_(ctx) {}
    TxRoutes(const TxRoutes&) = delete;
    TxRoutes& operator=(const TxRoutes&) = delete;

    void add(Router& router);
    // Answers waiting commit-mode requests 503; later requests get 503 too. Idempotent.
    void stop();

private:
    GatewayContext& ctx_;
    // Commit-mode requests waiting on CommitWaiters, by ticket.
    std::mutex pendingMu_;
    bool closed_ = false;
    std::map<std::uint64_t, std::shared_ptr<HttpAsyncReply>> pending_;
};

}  // namespace agora::node::routes
