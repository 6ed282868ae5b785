#include "node/rpc/GrpcServer.h"

#include <chrono>
#include <climits>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <memory>
#include <vector>

#include "node/rpc/MalformedRequestInterceptor.h"

namespace agora::node {

namespace {
int asInt(std::uint32_t v) {
    return v > static_cast<std::uint32_t>(INT_MAX) ? INT_MAX : static_cast<int>(v);
}
}  // namespace

GrpcServerOptions GrpcServerOptions::fromConfig(const GrpcConfig& c) {
    GrpcServerOptions o;
    o.address = c.address;
    o.maxRecvBytes = c.maxRecvBytes;
    o.maxConcurrentStreams = c.maxConcurrentStreams;
    o.maxMetadataBytes = c.maxMetadataBytes;
    o.maxConnectionIdleMs = c.maxConnectionIdleMs;
    o.maxConnectionAgeMs = c.maxConnectionAgeMs;
    o.maxConnectionAgeGraceMs = c.maxConnectionAgeGraceMs;
    o.keepaliveTimeMs = c.keepaliveTimeMs;
    o.keepaliveTimeoutMs = c.keepaliveTimeoutMs;
    o.keepaliveMinClientIntervalMs = c.keepaliveMinClientIntervalMs;
    o.keepaliveMaxPingStrikes = c.keepaliveMaxPingStrikes;
    o.keepalivePermitWithoutCalls = c.keepalivePermitWithoutCalls;
    return o;
}

GrpcServer::~GrpcServer() { shutdown(0); }

Expected<int, std::string> GrpcServer::start() {
    grpc::EnableDefaultHealthCheckService(true);
    // Explicit call: otherwise the linker drops grpc++_reflection's static registration.
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options_.address, grpc::InsecureServerCredentials(), &port_);
    builder.SetMaxReceiveMessageSize(static_cast<int>(options_.maxRecvBytes));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, asInt(options_.maxConcurrentStreams));
    // Per-connection limits. gRPC enforces them in the transport, before any
    // handler runs: a client that breaks them gets GOAWAY / RESOURCE_EXHAUSTED.
    builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, asInt(options_.maxMetadataBytes));
    if (options_.maxConnectionIdleMs > 0)
        builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, asInt(options_.maxConnectionIdleMs));
    if (options_.maxConnectionAgeMs > 0) {
        builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, asInt(options_.maxConnectionAgeMs));
        builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, asInt(options_.maxConnectionAgeGraceMs));
    }
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, asInt(options_.keepaliveTimeMs));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, asInt(options_.keepaliveTimeoutMs));
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                               asInt(options_.keepaliveMinClientIntervalMs));
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, asInt(options_.keepaliveMaxPingStrikes));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, options_.keepalivePermitWithoutCalls ? 1 : 0);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(std::make_unique<MalformedRequestInterceptorFactory>());
    if (observer_) interceptors.push_back(std::make_unique<RequestMetricsInterceptorFactory>(observer_));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    for (auto* s : services_) builder.RegisterService(s);
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) {
        server_.reset();
        return Unexpected("grpc: cannot listen on " + options_.address);
    }
    setServing(true);
    return port_;
}

void GrpcServer::setServing(bool serving) {
    if (!server_) return;
    if (auto* health = server_->GetHealthCheckService()) health->SetServingStatus(serving);
}

void GrpcServer::shutdown(std::uint32_t deadlineMs) {
    if (!server_) return;
    setServing(false);
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(deadlineMs));
    server_->Wait();
    server_.reset();
}

}  // namespace agora::node
