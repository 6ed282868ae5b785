#include "node/cli/GatewayClient.h"

#include <chrono>
#include <thread>

#include "consensus/core/Hash256.h"
#include "node/cli/CliError.h"
#include "node/gatewayauth/GatewayAuth.h"

namespace agora::node::cli {

namespace gw = agora::provider::v1;

Expected<GatewayTarget, std::string> parseHostUri(std::string_view uri) {
    GatewayTarget t;
    std::string_view rest = uri;
    std::string defaultPort;
    if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
        const std::string_view scheme = rest.substr(0, sep);
        rest.remove_prefix(sep + 3);
        if (scheme == "https" || scheme == "grpcs") {
            t.tls = true;
            defaultPort = "443";
        } else if (scheme == "http") {
            defaultPort = "80";
        } else if (scheme != "grpc") {
            return Unexpected("host_uri '" + std::string(uri) + "': scheme must be grpc, grpcs, http or https");
        }
    }
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
    if (rest.empty()) return Unexpected("host_uri '" + std::string(uri) + "' names no host");
    // A port is the part after the last ':' unless that ':' is inside an IPv6 literal.
    const auto colon = rest.rfind(':');
    const auto bracket = rest.rfind(']');
    const bool hasPort = colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
    if (hasPort) {
        const std::string_view port = rest.substr(colon + 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos)
            return Unexpected("host_uri '" + std::string(uri) + "': bad port");
        t.address = std::string(rest);
    } else {
        if (defaultPort.empty()) return Unexpected("host_uri '" + std::string(uri) + "' has no port");
        t.address = std::string(rest) + ":" + defaultPort;
    }
    return t;
}

GatewayClient::GatewayClient(GatewayTarget target, std::string chainId, const wallet::SecretKey& key)
    : target_(std::move(target)), chainId_(std::move(chainId)), key_(key) {
    auto creds = target_.tls ? grpc::SslCredentials(grpc::SslCredentialsOptions{}) : grpc::InsecureChannelCredentials();
    stub_ = gw::ProviderGateway::NewStub(grpc::CreateChannel(target_.address, creds));
}

void GatewayClient::sign(gw::ClientAuth* auth, std::string_view kind, std::uint64_t leaseId,
                         const Hash256& bodyHash) const {
    const auto nowMs = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    const auto a = provider::signGatewayRequest(key_, chainId_, kind, leaseId, bodyHash, nowMs);
    const auto pk = a.publicKey.span();
    const auto sig = a.signature.span();
    auth->set_public_key(std::string(pk.begin(), pk.end()));
    auth->set_timestamp_ms(a.timestampMs);
    auth->set_signature(std::string(sig.begin(), sig.end()));
}

grpc::Status GatewayClient::sendManifest(std::uint64_t leaseId, std::span<const std::uint8_t> manifest,
                                         gw::SendManifestResponse* out, int timeoutSeconds) const {
    gw::SendManifestRequest req;
    req.set_lease_id(leaseId);
    req.set_manifest(std::string(manifest.begin(), manifest.end()));
    sign(req.mutable_auth(), provider::gateway_kind::kSendManifest, leaseId, sha256(manifest));
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeoutSeconds));
    return stub_->SendManifest(&c, req, out);
}

grpc::Status GatewayClient::leaseStatus(std::uint64_t leaseId, gw::LeaseStatusResponse* out, int timeoutSeconds) const {
    gw::LeaseStatusRequest req;
    req.set_lease_id(leaseId);
    sign(req.mutable_auth(), provider::gateway_kind::kLeaseStatus, leaseId, provider::statusBodyHash());
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeoutSeconds));
    return stub_->LeaseStatus(&c, req, out);
}

grpc::Status GatewayClient::leaseLogs(std::uint64_t leaseId, const std::string& service, std::uint32_t tailLines,
                                      bool follow, const std::function<void(const gw::LogChunk&)>& onChunk) const {
    gw::LeaseLogsRequest req;
    req.set_lease_id(leaseId);
    req.set_service(service);
    req.set_tail_lines(tailLines);
    req.set_follow(follow);
    sign(req.mutable_auth(), provider::gateway_kind::kLeaseLogs, leaseId,
         provider::logsBodyHash(service, tailLines, follow));
    grpc::ClientContext c;
    // Without follow the agent sends what it kept and ends; with follow the
    // stream lasts as long as the workload, so no deadline.
    if (!follow) c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    auto reader = stub_->LeaseLogs(&c, req);
    gw::LogChunk chunk;
    while (reader->Read(&chunk)) onChunk(chunk);
    return reader->Finish();
}

grpc::Status sendManifestRetrying(const GatewayClient& gateway, std::uint64_t leaseId,
                                  std::span<const std::uint8_t> manifest, std::chrono::seconds wait,
                                  const std::function<void(const std::string&)>& progress,
                                  gw::SendManifestResponse* out) {
    using Clock = std::chrono::steady_clock;
    const auto until = Clock::now() + wait;
    std::chrono::milliseconds backoff(250);
    while (true) {
        const auto s = gateway.sendManifest(leaseId, manifest, out);
        if (s.ok() || !gatewayRetryable(s) || Clock::now() + backoff >= until) return s;
        const auto left = std::chrono::ceil<std::chrono::seconds>(until - Clock::now()).count();
        progress("gateway not ready (" + std::string(grpcCodeName(s.error_code())) +
                 (s.error_message().empty() ? "" : ": " + s.error_message()) + "), retrying (" + std::to_string(left) +
                 " s left)...");
        // Backoff against a remote: nothing local can signal that it is ready.
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
    }
}

std::string_view grpcCodeName(grpc::StatusCode c) {
    switch (c) {
        case grpc::StatusCode::OK:
            return "OK";
        case grpc::StatusCode::CANCELLED:
            return "CANCELLED";
        case grpc::StatusCode::UNKNOWN:
            return "UNKNOWN";
        case grpc::StatusCode::INVALID_ARGUMENT:
            return "INVALID_ARGUMENT";
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND:
            return "NOT_FOUND";
        case grpc::StatusCode::ALREADY_EXISTS:
            return "ALREADY_EXISTS";
        case grpc::StatusCode::PERMISSION_DENIED:
            return "PERMISSION_DENIED";
        case grpc::StatusCode::UNAUTHENTICATED:
            return "UNAUTHENTICATED";
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
            return "RESOURCE_EXHAUSTED";
        case grpc::StatusCode::FAILED_PRECONDITION:
            return "FAILED_PRECONDITION";
        case grpc::StatusCode::ABORTED:
            return "ABORTED";
        case grpc::StatusCode::OUT_OF_RANGE:
            return "OUT_OF_RANGE";
        case grpc::StatusCode::UNIMPLEMENTED:
            return "UNIMPLEMENTED";
        case grpc::StatusCode::INTERNAL:
            return "INTERNAL";
        case grpc::StatusCode::UNAVAILABLE:
            return "UNAVAILABLE";
        case grpc::StatusCode::DATA_LOSS:
            return "DATA_LOSS";
        case grpc::StatusCode::DO_NOT_USE:
            return "DO_NOT_USE";
    }
    return "UNKNOWN";
}

bool gatewayRetryable(const grpc::Status& s) {
    switch (s.error_code()) {
        case grpc::StatusCode::FAILED_PRECONDITION:  // the agent has not seen the lease yet
        case grpc::StatusCode::NOT_FOUND:
        case grpc::StatusCode::UNAVAILABLE:  // not listening yet, restarting
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return true;
        default:
            return false;
    }
}

[[noreturn]] void gatewayFailed(const std::string& address, const std::string& what, const grpc::Status& s) {
    std::string hint;
    switch (s.error_code()) {
        case grpc::StatusCode::UNAVAILABLE:
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            hint = " (is agora-provider running and reachable at the provider's host_uri?)";
            break;
        case grpc::StatusCode::PERMISSION_DENIED:
            hint = " (sign with the lease's client key: --from)";
            break;
        case grpc::StatusCode::UNAUTHENTICATED:
            hint = " (check the client's clock and --chain-id)";
            break;
        case grpc::StatusCode::UNIMPLEMENTED:
            hint = " (the host_uri does not serve agora.provider.v1.ProviderGateway)";
            break;
        default:
            break;
    }
    throw CliError("gateway " + address + ": " + what + ": " + std::string(grpcCodeName(s.error_code())) +
                   (s.error_message().empty() ? "" : ": " + s.error_message()) + hint);
}

nlohmann::json endpointsJson(const gw::LeaseStatusResponse& s) {
    auto out = nlohmann::json::array();
    for (const auto& e : s.endpoints())
        out.push_back({{"service", e.service()},
                       {"port", e.port()},
                       {"host", e.host()},
                       {"host_port", e.host_port()},
                       {"address", e.address()}});
    return out;
}

nlohmann::json leaseStatusJson(const gw::LeaseStatusResponse& s) {
    auto services = nlohmann::json::array();
    for (const auto& v : s.services())
        services.push_back({{"name", v.name()},
                            {"state", v.state()},
                            {"exit_code", v.has_exit_code() ? nlohmann::json(v.exit_code()) : nlohmann::json()},
                            {"restarts", v.restarts()},
                            {"memory_bytes", v.memory_bytes()},
                            {"cpu_usage_nanos", v.cpu_usage_nanos()}});
    return {{"lease_id", s.lease_id()},           {"state", s.state()},
            {"manifest_hash", s.manifest_hash()}, {"services", services},
            {"endpoints", endpointsJson(s)},      {"message", s.message()},
            {"close_reason", s.close_reason()}};
}

std::string endpointLine(const gw::Endpoint& e) {
    const std::string target = e.address().empty() ? e.host() + ":" + std::to_string(e.host_port()) : e.address();
    return e.service() + " " + std::to_string(e.port()) + " -> " + target;
}

namespace {

std::string mib(std::uint64_t bytes) {
    const std::uint64_t tenths = (bytes * 10 + (1 << 19)) >> 20;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MiB";
}

}  // namespace

void printLeaseStatusText(std::ostream& out, const gw::LeaseStatusResponse& s) {
    out << "gateway state: " << s.state();
    if (!s.close_reason().empty()) out << " (" << s.close_reason() << ")";
    out << "\n";
    if (!s.message().empty()) out << "message: " << s.message() << "\n";
    for (const auto& v : s.services()) {
        out << "service " << v.name() << ": " << v.state() << ", exit code "
            << (v.has_exit_code() ? std::to_string(v.exit_code()) : std::string("-")) << ", restarts " << v.restarts()
            << ", memory " << mib(v.memory_bytes()) << "\n";
    }
    for (const auto& e : s.endpoints()) out << "endpoint " << endpointLine(e) << "\n";
}

}  // namespace agora::node::cli
