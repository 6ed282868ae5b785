#pragma once
// The HTTP server's own metrics (documented in docs/http.md), registered in
// the node's registry, plus a helper that serves the registry at /metrics.

#include <string>

#include "node/http/Router.h"
#include "node/metrics/MetricsRegistry.h"

namespace agora::node {

struct HttpServerMetrics {
    explicit HttpServerMetrics(MetricsRegistry& registry);

    // route = matched pattern or "unmatched"; code = HTTP status.
    void request(const std::string& route, const std::string& method, unsigned status, double seconds);

    CounterFamily& requests;    // agora_http_requests_total{route,method,code}
    HistogramFamily& duration;  // agora_http_request_duration_seconds{route}
    Gauge& openConnections;     // agora_http_open_connections
    CounterFamily& rejected;    // agora_http_rejected_connections_total{reason}
    Gauge& wsClients;           // agora_ws_clients
    Counter& wsEventsSent;      // agora_ws_events_sent_total
    Counter& wsSlowConsumers;   // agora_ws_slow_consumer_disconnects_total
};

// The Prometheus text-format content type.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// GET `path` renders the registry (which must outlive the router).
void addMetricsRoute(Router& router, MetricsRegistry& registry, const std::string& path = "/metrics");

}  // namespace agora::node
