#include "node/http/HttpServerOptions.h"

#include "node/config/NodeConfig.h"

namespace agora::node {

HttpServerOptions HttpServerOptions::fromConfig(const HttpConfig& config) {
    HttpServerOptions o;
    o.address = config.address;
    o.corsAllowedOrigins = config.corsAllowedOrigins;
    o.maxBodyBytes = config.maxBodyBytes;
    o.maxConnections = config.maxConnections;
    o.requestTimeoutMs = config.requestTimeoutMs;
    o.wsQueueMax = config.wsQueueMax;
    return o;
}

}  // namespace agora::node
