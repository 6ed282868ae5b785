#pragma once
// The provider gateway (proto/agora/provider/v1/gateway.proto), served by the
// agent at its host_uri. Every call is authenticated (GatewayAuth): only the
// lease's client gets an answer; anyone else PERMISSION_DENIED. Bounded
// request size (512 KiB messages, 256 KiB manifests), per-client-address rate
// limit, and follow streams that end when the workload ends or the server stops.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "node/provider/LeaseManager.h"
#include "node/provider/ProviderConfig.h"
#include "node/provider/runtime/Runtime.h"

namespace agora::provider {

class GatewayServer {
public:
    GatewayServer(const ProviderConfig& config, std::string chainId, LeaseManager& leases, Runtime& runtime);
    ~GatewayServer();

    // Binds and starts serving; the error says why not (address in use, ...).
    Expected<void, std::string> start();
    void stop();
    int boundPort() const { return port_; }

private:
    class Service;
    const ProviderConfig& config_;
    std::string chainId_;
    LeaseManager& leases_;
    Runtime& runtime_;
    std::unique_ptr<Service> service_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
};

}  // namespace agora::provider
