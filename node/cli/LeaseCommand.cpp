// `agora lease status|logs|send-manifest LEASE`: a lease's workload through
// its provider's gateway (node/cli/GatewayClient.h), every call signed with
// the lease client's key (--from). The chain side of a lease is `agora query
// lease`; its txs are `agora tx lease ...`.
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "agora/query/v1/query.grpc.pb.h"
#include "consensus/core/Hash256.h"
#include "node/cli/ChainCommands.h"
#include "node/cli/CliError.h"
#include "node/cli/ClientSession.h"
#include "node/cli/GatewayClient.h"
#include "node/cli/ManifestFile.h"
#include "node/cli/WorkloadCommands.h"

namespace agora::node::cli {

namespace gw = agora::provider::v1;
namespace q = agora::query::v1;
using nlohmann::json;

namespace {

struct GatewayFlags {
    std::string from;
    std::string gateway;  // overrides the provider's host_uri
};

std::uint64_t leaseIdOf(const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        throw CliError("lease id: '" + text + "' is not a non-negative integer");
    try {
        return std::stoull(text);
    } catch (const std::exception&) {
        throw CliError("lease id: '" + text + "' is out of range");
    }
}

LeaseView queryLease(const CliContext& ctx, std::uint64_t id) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 30);
    q::LeaseRequest req;
    req.set_lease_id(id);
    q::LeaseResponse resp;
    auto s = stub->Lease(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    auto lease = fromProto(resp.lease());
    if (!lease) throw CliError("node sent a lease record that does not parse");
    return std::move(*lease);
}

// The session and gateway of a lease's client; refuses a --from key that is
// not the lease's client before the gateway would.
struct LeaseGateway {
    LeaseGateway(CliContext& ctx, const GatewayFlags& f, std::uint64_t leaseId, LeaseView leaseRecord)
        : lease(std::move(leaseRecord)), session(ctx, f.from, Amount{}) {
        const std::string client = lease.client.toBech32();
        if (client != session.address().toBech32())
            throw CliError("key " + f.from + " (" + session.address().toBech32() + ") is not the client of lease " +
                           std::to_string(leaseId) + " (" + client + ")");
        std::string uri = f.gateway;
        if (uri.empty()) uri = session.provider(lease.provider.toBech32()).hostUri;
        auto target = parseHostUri(uri);
        if (!target) throw CliError(target.error());
        gateway = std::make_unique<GatewayClient>(*target, session.chainId(), session.key());
    }
    LeaseView lease;
    ClientSession session;
    std::unique_ptr<GatewayClient> gateway;
};

void addGatewayFlags(CLI::App* c, GatewayFlags& f) {
    c->add_option("--from", f.from, "the lease's client key (signs the gateway requests)")->envname("AGORA_FROM");
    c->add_option("--gateway", f.gateway, "gateway address to use instead of the provider's host_uri");
}

void runStatus(CliContext& ctx, const std::string& idText, const GatewayFlags& f) {
    const std::uint64_t id = leaseIdOf(idText);
    const LeaseView chain = queryLease(ctx, id);
    std::optional<gw::LeaseStatusResponse> status;
    std::unique_ptr<LeaseGateway> lg;
    if (!f.from.empty()) {
        lg = std::make_unique<LeaseGateway>(ctx, f, id, chain);
        gw::LeaseStatusResponse st;
        const auto s = lg->gateway->leaseStatus(id, &st);
        if (!s.ok()) gatewayFailed(lg->gateway->address(), "LeaseStatus", s);
        status = std::move(st);
    }
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << json{{"lease", json(leaseJson(chain))},
                        {"gateway", status ? json(leaseStatusJson(*status)) : json()}}
                       .dump()
                << "\n";
        return;
    }
    ctx.out << "lease " << id << ": " << chain.state;
    if (!chain.closeReason.empty()) ctx.out << " (" << chain.closeReason << ")";
    ctx.out << "\nprovider: " << chain.provider.toBech32() << "\nprice_per_second: " << chain.pricePerSecond.toString()
            << "\nend_time: " << chain.endTime << " (ms, block time)"
            << "\nmanifest_hash: " << chain.manifestHash.toHex() << "\n";
    if (status)
        printLeaseStatusText(ctx.out, *status);
    else
        ctx.out << "gateway: give --from KEY (the lease's client) to ask the provider's gateway\n";
}

struct LogsFlags {
    std::string service;
    std::uint32_t tail = 0;
    bool follow = false;
};

void runLogs(CliContext& ctx, const std::string& idText, const GatewayFlags& f, const LogsFlags& l) {
    if (f.from.empty())
        throw CliError("--from KEY (the lease's client) is required: gateway requests are signed by the client");
    const std::uint64_t id = leaseIdOf(idText);
    LeaseGateway lg(ctx, f, id, queryLease(ctx, id));
    const auto s = lg.gateway->leaseLogs(id, l.service, l.tail, l.follow, [&](const gw::LogChunk& c) {
        ctx.out.write(c.data().data(), static_cast<std::streamsize>(c.data().size()));
        ctx.out.flush();
    });
    if (!s.ok()) gatewayFailed(lg.gateway->address(), "LeaseLogs", s);
}

void runSendManifest(CliContext& ctx, const std::string& idText, const std::string& path, const GatewayFlags& f,
                     std::uint32_t waitSeconds) {
    if (f.from.empty()) throw CliError("--from KEY (the lease's client) is required");
    const std::uint64_t id = leaseIdOf(idText);
    const ManifestFile file = readManifestFile(path);
    LeaseView chain = queryLease(ctx, id);
    const std::string onChain = chain.manifestHash.toHex();
    if (onChain == std::string(64, '0'))
        throw CliError("lease " + std::to_string(id) + " carries no manifest hash: its job was posted without one");
    if (onChain != file.hash.toHex())
        throw CliError("manifest " + path + " hashes to " + file.hash.toHex() + " but lease " + std::to_string(id) +
                       " was made for " + onChain + " (agora manifest hash FILE)");
    if (chain.state == "closed")
        throw CliError("lease " + std::to_string(id) + " is closed (" + chain.closeReason + ")");
    LeaseGateway lg(ctx, f, id, std::move(chain));
    ctx.err << "sending manifest to " << lg.gateway->address() << "\n";
    gw::SendManifestResponse resp;
    const auto s = sendManifestRetrying(
        *lg.gateway, id, file.bytes, std::chrono::seconds(waitSeconds),
        [&](const std::string& line) { ctx.err << line << "\n"; }, &resp);
    if (!s.ok()) gatewayFailed(lg.gateway->address(), "SendManifest", s);
    if (ctx.format() == OutputFormat::Json)
        ctx.out << json{{"lease_id", id}, {"manifest_hash", resp.manifest_hash()}, {"state", resp.state()}}.dump()
                << "\n";
    else
        ctx.out << "manifest " << resp.manifest_hash() << " accepted for lease " << id << " (" << resp.state() << ")\n";
}

}  // namespace

void registerLeaseCommand(CLI::App& root, CliContext& ctx) {
    CLI::App* lease = root.add_subcommand("lease", "A lease's workload through the provider's gateway");
    lease->fallthrough();
    lease->require_subcommand(1);
    {
        auto id = std::make_shared<std::string>();
        auto f = std::make_shared<GatewayFlags>();
        auto* c = lease->add_subcommand("status", "The lease on chain and, with --from, its workload at the gateway");
        c->fallthrough();
        c->add_option("lease_id", *id, "lease id")->required();
        addGatewayFlags(c, *f);
        c->callback([&ctx, id, f] { runStatus(ctx, *id, *f); });
    }
    {
        auto id = std::make_shared<std::string>();
        auto f = std::make_shared<GatewayFlags>();
        auto l = std::make_shared<LogsFlags>();
        auto* c = lease->add_subcommand("logs", "The workload's output, raw bytes on stdout");
        c->fallthrough();
        c->add_option("lease_id", *id, "lease id")->required();
        addGatewayFlags(c, *f);
        c->add_option("--service", l->service, "only this service (default: every service)");
        c->add_option("--tail", l->tail, "start this many lines before the end (0 = from the oldest kept byte)");
        c->add_flag("--follow", l->follow, "keep streaming until the workload ends");
        c->callback([&ctx, id, f, l] { runLogs(ctx, *id, *f, *l); });
    }
    {
        auto id = std::make_shared<std::string>();
        auto file = std::make_shared<std::string>();
        auto f = std::make_shared<GatewayFlags>();
        auto wait = std::make_shared<std::uint32_t>(30);
        auto* c = lease->add_subcommand("send-manifest",
                                        "Send the manifest file to the gateway (its hash must be the lease's)");
        c->fallthrough();
        c->add_option("lease_id", *id, "lease id")->required();
        c->add_option("file", *file, "manifest file")->required();
        addGatewayFlags(c, *f);
        c->add_option("--gateway-wait", *wait, "seconds to retry while the agent catches up")->capture_default_str();
        c->callback([&ctx, id, file, f, wait] { runSendManifest(ctx, *id, *file, *f, *wait); });
    }
}

}  // namespace agora::node::cli
