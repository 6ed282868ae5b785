#include "node/provider/GatewayServer.h"

#include <chrono>
#include <thread>

#include "agora/provider/v1/gateway.grpc.pb.h"
#include "node/base/Logging.h"
#include "node/gatewayauth/GatewayAuth.h"

namespace agora::provider {

namespace pb = agora::provider::v1;

namespace {

constexpr int kMaxMessageBytes = 512 * 1024;
constexpr std::size_t kLogChunkBytes = 64 * 1024;

std::uint64_t nowMs() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

ByteSpan spanOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

grpc::Status toStatus(const LeaseCallFailure& f) {
    grpc::StatusCode code = grpc::StatusCode::INTERNAL;
    switch (f.error) {
        case LeaseCallError::NotFound:
            code = grpc::StatusCode::NOT_FOUND;
            break;
        case LeaseCallError::NotClient:
            code = grpc::StatusCode::PERMISSION_DENIED;
            break;
        case LeaseCallError::LeaseClosed:
        case LeaseCallError::ManifestConflict:
            code = grpc::StatusCode::FAILED_PRECONDITION;
            break;
        case LeaseCallError::ManifestInvalid:
        case LeaseCallError::ManifestHashMismatch:
        case LeaseCallError::ManifestExceedsLease:
            code = grpc::StatusCode::INVALID_ARGUMENT;
            break;
        case LeaseCallError::ChainUnavailable:
            code = grpc::StatusCode::UNAVAILABLE;
            break;
        case LeaseCallError::DeployFailed:
            code = grpc::StatusCode::INTERNAL;
            break;
    }
    // The stable name leads the message so scripts can match on it.
    return {code, std::string(leaseCallErrorName(f.error)) + ": " + f.message};
}

void fillStatus(const LeaseStatusView& v, pb::LeaseStatusResponse* out) {
    out->set_lease_id(v.leaseId);
    out->set_state(std::string(agentLeaseStateName(v.state)));
    out->set_manifest_hash(v.manifestHash);
    out->set_message(v.message);
    out->set_close_reason(v.closeReason);
    if (!v.workload) return;
    for (const auto& s : v.workload->services) {
        auto* ps = out->add_services();
        ps->set_name(s.name);
        ps->set_state(std::string(serviceStateName(s.state)));
        ps->set_has_exit_code(s.exitCode.has_value());
        ps->set_exit_code(s.exitCode.value_or(0));
        ps->set_restarts(s.restarts);
        ps->set_memory_bytes(s.memoryBytes);
        ps->set_cpu_usage_nanos(s.cpuUsageNanos);
    }
    for (const auto& e : v.workload->endpoints) {
        auto* pe = out->add_endpoints();
        pe->set_service(e.service);
        pe->set_port(e.port);
        pe->set_host(e.host);
        pe->set_host_port(e.hostPort);
        pe->set_address(e.host + ":" + std::to_string(e.hostPort));
    }
}

// Fixed one-minute windows per client address: enough to stop a flood, no
// state beyond one counter per client.
class RateLimiter {
public:
    explicit RateLimiter(std::uint32_t perMinute) : perMinute_(perMinute) {}
    bool allow(const std::string& who) {
        std::lock_guard lock(mutex_);
        const std::uint64_t window = nowMs() / 60'000;
        if (window != window_) {
            window_ = window;
            counts_.clear();
        }
        return ++counts_[who] <= perMinute_;
    }

private:
    std::uint32_t perMinute_;
    std::mutex mutex_;
    std::uint64_t window_ = 0;
    std::map<std::string, std::uint32_t> counts_;
};

}  // namespace

class GatewayServer::Service final : public pb::ProviderGateway::Service {
public:
    Service(const ProviderConfig& config, std::string chainId, LeaseManager& leases, Runtime& runtime)
        : config_(config),
          chainId_(std::move(chainId)),
          leases_(leases),
          runtime_(runtime),
          limiter_(config.maxRequestsPerMinute) {}

    std::atomic<bool> stopping{false};

    grpc::Status SendManifest(grpc::ServerContext*, const pb::SendManifestRequest* req,
                              pb::SendManifestResponse* resp) override {
        if (req->manifest().size() > manifest::kMaxManifestBytes)
            return {grpc::StatusCode::INVALID_ARGUMENT,
                    "manifest_invalid: too_large: the manifest is " + std::to_string(req->manifest().size()) +
                        " bytes, at most " + std::to_string(manifest::kMaxManifestBytes)};
        auto who =
            authenticate(req->auth(), gateway_kind::kSendManifest, req->lease_id(), sha256(spanOf(req->manifest())));
        if (!who) return who.error();
        auto r = leases_.acceptManifest(req->lease_id(), *who, req->manifest());
        if (!r) return toStatus(r.error());
        resp->set_manifest_hash(r->manifestHash);
        resp->set_state(std::string(agentLeaseStateName(r->state)));
        return grpc::Status::OK;
    }

    grpc::Status LeaseStatus(grpc::ServerContext*, const pb::LeaseStatusRequest* req,
                             pb::LeaseStatusResponse* resp) override {
        auto who = authenticate(req->auth(), gateway_kind::kLeaseStatus, req->lease_id(), statusBodyHash());
        if (!who) return who.error();
        auto r = leases_.status(req->lease_id(), *who);
        if (!r) return toStatus(r.error());
        fillStatus(*r, resp);
        return grpc::Status::OK;
    }

    grpc::Status LeaseLogs(grpc::ServerContext* ctx, const pb::LeaseLogsRequest* req,
                           grpc::ServerWriter<pb::LogChunk>* writer) override {
        auto who = authenticate(req->auth(), gateway_kind::kLeaseLogs, req->lease_id(),
                                logsBodyHash(req->service(), req->tail_lines(), req->follow()));
        if (!who) return who.error();
        auto ok = leases_.authorize(req->lease_id(), *who);
        if (!ok) return toStatus(ok.error());
        auto st = runtime_.status(req->lease_id());
        if (!st) return {grpc::StatusCode::FAILED_PRECONDITION, "no_workload: the lease has no workload yet"};
        std::vector<std::string> services;
        for (const auto& s : st->services)
            if (req->service().empty() || s.name == req->service()) services.push_back(s.name);
        if (services.empty())
            return {grpc::StatusCode::NOT_FOUND, "service_not_found: no service \"" + req->service() + "\""};
        std::map<std::string, std::uint64_t> offsets;
        for (const auto& s : services) {
            std::uint64_t from = 0;
            if (req->tail_lines() > 0) {
                auto t = runtime_.tailOffset(req->lease_id(), s, req->tail_lines());
                if (t) from = *t;
            }
            offsets[s] = from;
        }
        for (;;) {
            bool wrote = false;
            for (const auto& s : services) {
                auto chunk = runtime_.readLogs(req->lease_id(), s, offsets[s], kLogChunkBytes);
                if (!chunk || chunk->data.empty()) continue;
                pb::LogChunk out;
                out.set_service(s);
                out.set_data(chunk->data);
                out.set_truncated_before(chunk->truncatedBefore);
                offsets[s] = chunk->nextOffset;
                if (!writer->Write(out)) return grpc::Status::OK;
                wrote = true;
            }
            if (wrote) continue;
            if (!req->follow() || stopping || ctx->IsCancelled()) break;
            // The workload ended and everything it wrote has been sent: the stream ends.
            if (!leases_.workloadActive(req->lease_id())) {
                bool more = false;
                for (const auto& s : services) {
                    auto chunk = runtime_.readLogs(req->lease_id(), s, offsets[s], kLogChunkBytes);
                    if (chunk && !chunk->data.empty()) more = true;
                }
                if (!more) break;
                continue;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // log files have no change notification here
        }
        return grpc::Status::OK;
    }

    grpc::Status LeaseEvents(grpc::ServerContext* ctx, const pb::LeaseEventsRequest* req,
                             grpc::ServerWriter<pb::LeaseEvent>* writer) override {
        auto who =
            authenticate(req->auth(), gateway_kind::kLeaseEvents, req->lease_id(), eventsBodyHash(req->follow()));
        if (!who) return who.error();
        std::uint64_t after = 0;
        for (;;) {
            auto evs = leases_.events(req->lease_id(), *who, after);
            if (!evs) return toStatus(evs.error());
            bool closed = false;
            for (const auto& e : *evs) {
                pb::LeaseEvent out;
                out.set_seq(e.seq);
                out.set_height(e.height);
                out.set_kind(e.kind);
                out.set_message(e.message);
                if (!writer->Write(out)) return grpc::Status::OK;
                after = e.seq;
                if (e.kind == "closed") closed = true;
            }
            if (!req->follow() || closed || stopping || ctx->IsCancelled()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        return grpc::Status::OK;
    }

private:
    Expected<Address, grpc::Status> authenticate(const pb::ClientAuth& auth, std::string_view kind,
                                                 std::uint64_t leaseId, const Hash256& bodyHash) {
        auto key = PublicKey::fromSpan(spanOf(auth.public_key()));
        auto sig = Signature::fromSpan(spanOf(auth.signature()));
        if (!key || !sig)
            return Unexpected(
                grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                             "unauthenticated: a 32-byte public key and a 64-byte signature are required"));
        auto who = verifyGatewayRequest(GatewayAuth{*key, auth.timestamp_ms(), *sig}, chainId_, kind, leaseId, bodyHash,
                                        nowMs(), config_.authWindowMs);
        if (!who)
            return Unexpected(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                           "unauthenticated: " + std::string(gatewayAuthErrorName(who.error()))));
        if (!limiter_.allow(who->toBech32()))
            return Unexpected(grpc::Status(
                grpc::StatusCode::RESOURCE_EXHAUSTED,
                "rate_limited: more than " + std::to_string(config_.maxRequestsPerMinute) + " requests a minute"));
        return *who;
    }

    const ProviderConfig& config_;
    std::string chainId_;
    LeaseManager& leases_;
    Runtime& runtime_;
    RateLimiter limiter_;
};

GatewayServer::GatewayServer(const ProviderConfig& config, std::string chainId, LeaseManager& leases, Runtime& runtime)
    : config_(config), chainId_(std::move(chainId)), leases_(leases), runtime_(runtime) {}

GatewayServer::~GatewayServer() {
    stop();
}

Expected<void, std::string> GatewayServer::start() {
    service_ = std::make_unique<Service>(config_, chainId_, leases_, runtime_);
    grpc::ServerBuilder b;
    b.AddListeningPort(config_.gatewayListen, grpc::InsecureServerCredentials(), &port_);
    b.SetMaxReceiveMessageSize(kMaxMessageBytes);
    b.RegisterService(service_.get());
    server_ = b.BuildAndStart();
    if (!server_ || port_ == 0) return Unexpected("cannot listen on " + config_.gatewayListen);
    return {};
}

void GatewayServer::stop() {
    if (!server_) return;
    service_->stopping = true;
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
    server_.reset();
}

}  // namespace agora::provider
