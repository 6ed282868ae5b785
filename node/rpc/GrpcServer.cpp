#include "node/rpc/GrpcServer.h"

#include <chrono>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

namespace agora::node {

GrpcServer::~GrpcServer() { shutdown(0); }

Expected<int, std::string> GrpcServer::start() {
    grpc::EnableDefaultHealthCheckService(true);
    // Explicit call: otherwise the linker drops grpc++_reflection's static registration.
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options_.address, grpc::InsecureServerCredentials(), &port_);
    builder.SetMaxReceiveMessageSize(static_cast<int>(options_.maxRecvBytes));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, static_cast<int>(options_.maxConcurrentStreams));
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
