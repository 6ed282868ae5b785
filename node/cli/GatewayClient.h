#pragma once
// GatewayClient: the client side of a provider's gateway
// (proto/agora/provider/v1/gateway.proto), served by `agora-provider` at the
// provider's on-chain host_uri. Every request is signed with the lease
// client's key (node/gatewayauth/GatewayAuth.h) at the moment it is sent, so a
// retried request carries a fresh timestamp.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <ostream>

#include "agora/provider/v1/gateway.grpc.pb.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "wallet/SecretKey.h"

namespace agora::node::cli {

struct GatewayTarget {
    std::string address;  // host:port for gRPC
    bool tls = false;
    bool operator==(const GatewayTarget&) const = default;
};

// host_uri forms: "host:port", "grpc://host:port", "http://host:port"
// (plaintext), "https://host[:port]", "grpcs://host[:port]" (TLS with the
// system roots; port 443 by default). A trailing path is ignored.
Expected<GatewayTarget, std::string> parseHostUri(std::string_view uri);

class GatewayClient {
public:
    // `key` must outlive the client.
    GatewayClient(GatewayTarget target, std::string chainId, const wallet::SecretKey& key);

    const std::string& address() const { return target_.address; }

    grpc::Status sendManifest(std::uint64_t leaseId, std::span<const std::uint8_t> manifest,
                              agora::provider::v1::SendManifestResponse* out, int timeoutSeconds = 30) const;
    grpc::Status leaseStatus(std::uint64_t leaseId, agora::provider::v1::LeaseStatusResponse* out,
                             int timeoutSeconds = 15) const;
    // Calls onChunk for each chunk until the stream ends; returns its status.
    grpc::Status leaseLogs(std::uint64_t leaseId, const std::string& service, std::uint32_t tailLines, bool follow,
                           const std::function<void(const agora::provider::v1::LogChunk&)>& onChunk) const;

private:
    void sign(agora::provider::v1::ClientAuth* auth, std::string_view kind, std::uint64_t leaseId,
              const Hash256& bodyHash) const;

    GatewayTarget target_;
    std::string chainId_;
    const wallet::SecretKey& key_;
    std::unique_ptr<agora::provider::v1::ProviderGateway::Stub> stub_;
};

// SendManifest, retried with backoff (250 ms doubling to 4 s) while the
// gateway answers a retryable status and `wait` has not passed; `progress`
// hears about each retry. Returns the last status.
grpc::Status sendManifestRetrying(const GatewayClient& gateway, std::uint64_t leaseId,
                                  std::span<const std::uint8_t> manifest, std::chrono::seconds wait,
                                  const std::function<void(const std::string&)>& progress,
                                  agora::provider::v1::SendManifestResponse* out);

std::string_view grpcCodeName(grpc::StatusCode c);  // "PERMISSION_DENIED"
// The statuses an agent answers while it has not yet seen a fresh lease, or is restarting.
bool gatewayRetryable(const grpc::Status& s);
// A one-line CliError: "gateway 127.0.0.1:8443: <what>: PERMISSION_DENIED: not the lease's client (...hint)".
[[noreturn]] void gatewayFailed(const std::string& address, const std::string& what, const grpc::Status& s);

// A LeaseStatus answer as JSON ({lease_id, state, manifest_hash, services:
// [{name, state, exit_code|null, restarts, memory_bytes, cpu_usage_nanos}],
// endpoints: [{service, port, host, host_port, address}], message,
// close_reason}) and as text lines.
nlohmann::json leaseStatusJson(const agora::provider::v1::LeaseStatusResponse& s);
nlohmann::json endpointsJson(const agora::provider::v1::LeaseStatusResponse& s);
std::string endpointLine(const agora::provider::v1::Endpoint& e);  // "web 8080 -> 10.0.0.5:31000"
void printLeaseStatusText(std::ostream& out, const agora::provider::v1::LeaseStatusResponse& s);

}  // namespace agora::node::cli
