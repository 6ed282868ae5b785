#include "node/http/HttpServerMetrics.h"

namespace agora::node {

HttpServerMetrics::HttpServerMetrics(MetricsRegistry& registry)
    : requests(registry.counter("agora_http_requests_total",
                                "HTTP requests answered, by route pattern, method and status code",
                                {"route", "method", "code"})),
      duration(registry.histogram("agora_http_request_duration_seconds",
                                  "Time from a complete request to its response being handed to the socket",
                                  MetricsRegistry::defaultSecondsBuckets(), {"route"})),
      openConnections(registry.gauge("agora_http_open_connections", "Open HTTP and WebSocket connections").get()),
      rejected(registry.counter("agora_http_rejected_connections_total",
                                "Connections refused: over max_connections (429) or over the reject backlog (cut)",
                                {"reason"})),
      wsClients(registry.gauge("agora_ws_clients", "Connected WebSocket event clients").get()),
      wsEventsSent(registry.counter("agora_ws_events_sent_total", "Event frames queued to WebSocket clients").get()),
      wsSlowConsumers(registry
                          .counter("agora_ws_slow_consumer_disconnects_total",
                                   "WebSocket clients closed because their outgoing queue overflowed")
                          .get()) {}

void HttpServerMetrics::request(const std::string& route, const std::string& method, unsigned status, double seconds) {
    const std::string r = route.empty() ? "unmatched" : route;
    requests.labels({r, method, std::to_string(status)}).inc();
    duration.labels({r}).observe(seconds);
}

void addMetricsRoute(Router& router, MetricsRegistry& registry, const std::string& path) {
    router.add("GET", path, [&registry](const HttpRequest&) {
        return HttpResponse::bytes(200, registry.render(), kPrometheusContentType);
    });
}

}  // namespace agora::node
