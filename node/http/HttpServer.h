#pragma once
// The node's HTTP server (Boost.Beast): REST routes from a Router, a
// WebSocket event endpoint fed by a WsHub, and its own Prometheus metrics.
// One io_context run by `threads` named threads; each connection on its own
// strand. Limits: body size (413), connections (429), request read timeout
// (the connection is closed), per-client WebSocket queue ("slow consumer").
//
// The router, hub and registry are owned by the caller, must be fully set
// up before start() and outlive the server. Handlers run on the I/O threads:
// they must not block for long.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "consensus/core/Expected.h"
#include "node/http/HttpServerOptions.h"
#include "node/http/Router.h"
#include "node/http/WsHub.h"
#include "node/metrics/MetricsRegistry.h"

namespace boost::asio {
class io_context;
}

namespace agora::node {

namespace detail {
struct ServerState;
class Acceptor;
}  // namespace detail

class HttpServer {
public:
    // hub may be null (no WebSocket endpoint); metrics may be null (no metrics).
    HttpServer(HttpServerOptions options, const Router& router, WsHub* hub = nullptr,
               MetricsRegistry* metrics = nullptr);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts the threads; returns the bound port or a message.
    Expected<std::uint16_t, std::string> start();
    // Stops accepting, closes every session (WebSocket clients get a
    // going_away close), waits for them up to ws_close_timeout, joins the
    // threads. Idempotent; also run by the destructor.
    void stop();
    std::uint16_t port() const { return port_; }

    // Open connections (HTTP and WebSocket) holding a max_connections slot.
    std::uint32_t openConnections() const;

private:
    std::shared_ptr<detail::ServerState> state_;
    std::unique_ptr<boost::asio::io_context> ioc_;
    struct WorkGuard;
    std::unique_ptr<WorkGuard> work_;
    std::shared_ptr<detail::Acceptor> acceptor_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
    bool running_ = false;
};

// Splits "host:port" / "[v6]:port"; nullopt-style error message on failure.
Expected<std::pair<std::string, std::uint16_t>, std::string> splitHostPort(const std::string& address);

}  // namespace agora::node
