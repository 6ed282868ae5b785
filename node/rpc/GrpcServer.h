#pragma once
// The node's gRPC server: the Agora services plus grpc.health.v1 and server
// reflection, with request size, stream and per-connection limits from
// config ([grpc] in docs/config.md). Services are owned by the caller and
// must outlive the server.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "consensus/core/Expected.h"
#include "node/rpc/RequestMetricsInterceptor.h"
#include "node/config/NodeConfig.h"

namespace agora::node {

struct GrpcServerOptions {
    std::string address = "127.0.0.1:9090";  // port 0 picks a free port
    std::uint32_t maxRecvBytes = 4 * 1024 * 1024;
    std::uint32_t maxConcurrentStreams = 100;  // per connection (HTTP/2 SETTINGS)
    std::uint32_t maxMetadataBytes = 16 * 1024;
    std::uint32_t maxConnectionIdleMs = 0;  // 0 = never
    std::uint32_t maxConnectionAgeMs = 0;   // 0 = never
    std::uint32_t maxConnectionAgeGraceMs = 30'000;
    std::uint32_t keepaliveTimeMs = 7'200'000;
    std::uint32_t keepaliveTimeoutMs = 20'000;
    std::uint32_t keepaliveMinClientIntervalMs = 300'000;
    std::uint32_t keepaliveMaxPingStrikes = 2;
    bool keepalivePermitWithoutCalls = false;

    static GrpcServerOptions fromConfig(const GrpcConfig& c);
};

class GrpcServer {
public:
    explicit GrpcServer(GrpcServerOptions options) : options_(std::move(options)) {}
    ~GrpcServer();
    GrpcServer(const GrpcServer&) = delete;
    GrpcServer& operator=(const GrpcServer&) = delete;

    void addService(grpc::Service* service) { services_.push_back(service); }
    // Told of every finished call (method, status); set before start().
    void setRequestObserver(RequestObserver observer) {
        observer_ = std::make_shared<const RequestObserver>(std::move(observer));
    }
    // Binds and starts serving; returns the bound port or a message.
    Expected<int, std::string> start();
    // Health of the overall server ("") and of each service name.
    void setServing(bool serving);
    // Stops accepting calls and waits up to deadlineMs for running ones.
    void shutdown(std::uint32_t deadlineMs = 5000);
    int port() const { return port_; }

private:
    GrpcServerOptions options_;
    std::vector<grpc::Service*> services_;
    std::shared_ptr<const RequestObserver> observer_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
};

}  // namespace agora::node
