#pragma once
// Options of the HTTP/WebSocket server; the first group mirrors the [http]
// section of config.toml (see docs/config.md and docs/http.md).

#include <cstdint>
#include <string>
#include <vector>

namespace agora::node {

struct HttpConfig;

struct HttpServerOptions {
    std::string address = "127.0.0.1:8080";       // host:port or [v6]:port; port 0 picks a free port
    std::vector<std::string> corsAllowedOrigins;  // empty = no CORS headers; "*" allows any origin
    std::uint32_t maxBodyBytes = 1024 * 1024;
    std::uint32_t maxConnections = 256;       // HTTP and WebSocket together; beyond: 429 and close
    std::uint32_t requestTimeoutMs = 10'000;  // to read one request (and keep-alive idle time)
    std::uint32_t wsQueueMax = 1024;          // live events queued per WebSocket client

    std::uint32_t threads = 2;
    std::string threadName = "http";  // threads are named <threadName>-<i>
    bool keepAlive = true;
    std::string wsPath = "/v1/events";
    std::uint32_t wsIdleTimeoutMs = 30'000;  // a ping goes out after half of it; no reply by the end closes
    std::uint32_t wsCloseTimeoutMs = 5'000;  // how long a closing handshake may take before the socket is cut
    std::uint32_t wsMaxMessageBytes = 64 * 1024;
    std::uint32_t wsMaxSubscriptions = 32;  // per client
    std::uint32_t rejectBacklog = 64;       // over-limit connections being answered 429 at once; more are cut

    // The config-file keys, other fields at their defaults.
    static HttpServerOptions fromConfig(const HttpConfig& config);
};

}  // namespace agora::node
