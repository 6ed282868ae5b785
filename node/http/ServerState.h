#pragma once
// Internal to the HTTP server: state shared by the server and its sessions.
// Sessions hold it by shared_ptr, so it outlives every handler even when
// the io_context is torn down with sessions still queued.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "node/http/HttpServerMetrics.h"
#include "node/http/HttpServerOptions.h"
#include "node/http/Router.h"
#include "node/http/WsHub.h"

namespace agora::node::detail {

// A connection the server can close on stop().
class ServerSession {
public:
    virtual ~ServerSession() = default;
    // Any thread: posts a close to the session's strand.
    virtual void shutdown() = 0;
    // After the server's threads are joined: drop links to outside objects (the hub).
    virtual void serverStopped() {}
};

struct ServerState {
    ServerState(HttpServerOptions o, const Router& r, WsHub* h, MetricsRegistry* registry)
        : options(std::move(o)), router(r), hub(h) {
        if (registry != nullptr) metrics.emplace(*registry);
    }

    const HttpServerOptions options;
    const Router& router;
    WsHub* const hub;
    std::optional<HttpServerMetrics> metrics;

    std::mutex mu;
    std::condition_variable cv;   // signalled when a connection or session ends
    std::uint32_t open = 0;       // connections holding a slot (HTTP and WebSocket)
    std::uint32_t rejecting = 0;  // over-limit connections being answered 429
    bool stopping = false;
    std::uint64_t nextSessionId = 1;
    std::map<std::uint64_t, std::weak_ptr<ServerSession>> sessions;

    bool originAllowed(const std::string& origin) const {
        for (const auto& o : options.corsAllowedOrigins) {
            if (o == "*" || o == origin) return true;
        }
        return false;
    }

    std::uint64_t track(std::weak_ptr<ServerSession> s) {
        std::lock_guard lock(mu);
        const std::uint64_t id = nextSessionId++;
        sessions.emplace(id, std::move(s));
        return id;
    }
    void untrack(std::uint64_t id) {
        std::lock_guard lock(mu);
        sessions.erase(id);
        cv.notify_all();
    }
};

// RAII hold on one of max_connections (or, when rejecting, on the reject backlog).
class ConnectionSlot {
public:
    ConnectionSlot() = default;
    ConnectionSlot(std::shared_ptr<ServerState> state, bool rejecting)
        : state_(std::move(state)), rejecting_(rejecting) {}
    ConnectionSlot(ConnectionSlot&& o) noexcept : state_(std::move(o.state_)), rejecting_(o.rejecting_) {}
    ConnectionSlot& operator=(ConnectionSlot&& o) noexcept {
        release();
        state_ = std::move(o.state_);
        rejecting_ = o.rejecting_;
        return *this;
    }
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    ~ConnectionSlot() { release(); }

    void release() {
        if (!state_) return;
        {
            std::lock_guard lock(state_->mu);
            if (rejecting_) {
                --state_->rejecting;
            } else {
                --state_->open;
            }
            state_->cv.notify_all();
        }
        if (!rejecting_ && state_->metrics) state_->metrics->openConnections.dec();
        state_.reset();
    }

private:
    std::shared_ptr<ServerState> state_;
    bool rejecting_ = false;
};

}  // namespace agora::node::detail
