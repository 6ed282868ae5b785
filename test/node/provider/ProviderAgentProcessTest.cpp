// The provider agent end to end: a real agorad, real agora-provider
// processes, the real agora CLI, workloads in real bubblewrap sandboxes.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agora/provider/v1/gateway.grpc.pb.h"
#include "node/gatewayauth/GatewayAuth.h"
#include "node/manifest/Manifest.h"
#include "support/ProviderNet.h"
#include "wallet/Keyring.h"

using namespace agora;
using agora::test::ProviderNet;
using nlohmann::json;

namespace {

const std::string kExamples = std::string(AGORA_SOURCE_DIR) + "/docs/examples/";

bool haveSandbox() {
    return ::access("/usr/bin/bwrap", X_OK) == 0 && ::access("/sys/fs/cgroup/memory", W_OK) == 0;
}

std::string writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    return path;
}

// HTTP GET / on host:port, true when a response line comes back.
bool httpAnswers(const std::string& hostPort) {
    const auto colon = hostPort.rfind(':');
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(hostPort.substr(colon + 1))));
    ::inet_pton(AF_INET, hostPort.substr(0, colon).c_str(), &addr.sin_addr);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const std::string req = "GET / HTTP/1.0\r\n\r\n";
        if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
            char buf[64] = {};
            ok = ::read(fd, buf, sizeof buf - 1) > 0 && std::string(buf).rfind("HTTP/", 0) == 0;
        }
    }
    ::close(fd);
    return ok;
}

}  // namespace

TEST_CASE(
    "agora deploy runs a batch manifest on an agent, streams its logs, closes completed and pays per second of block "
    "time",
    "[provider][process]") {
    if (!haveSandbox()) {
        WARN("bubblewrap or writable cgroups missing: skipped");
        return;
    }
    ProviderNet net("prov-batch");
    const std::string home = net.initAgent("agent", "provider");
    net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");

    auto deploy = net.deployFollow(kExamples + "hello-batch.yaml", "3");
    INFO(deploy.output);
    INFO(ProviderNet::agentLog(home));
    REQUIRE(deploy.exitCode == 0);
    const std::uint64_t leaseId = net.onlyLease(providerAddr);
    CHECK(deploy.output.find("hello from " + std::to_string(leaseId)) != std::string::npos);

    REQUIRE(net.waitLeaseClosed(leaseId, "completed"));
    // The logs stay readable after the end.
    auto logs = net.agora({"lease", "logs", std::to_string(leaseId), "--from", "client"});
    INFO(logs.output);
    CHECK(logs.exitCode == 0);
    CHECK(logs.output.find("hello from " + std::to_string(leaseId)) != std::string::npos);

    // Settled by deploy: the provider got price x whole seconds of block time served, to the uagr.
    net.checkPaidPerSecondOfBlockTime(leaseId);
}

namespace {

namespace gw = agora::provider::v1;

grpc::Status sendManifestAs(ProviderNet& net, const std::string& gatewayAddr, const std::string& key,
                            std::uint64_t leaseId, const std::string& bytes) {
    auto sk = net.secretKey(key);
    auto stub = gw::ProviderGateway::NewStub(grpc::CreateChannel(gatewayAddr, grpc::InsecureChannelCredentials()));
    gw::SendManifestRequest req;
    req.set_lease_id(leaseId);
    req.set_manifest(bytes);
    const Hash256 body = sha256(ByteSpan(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    ProviderNet::fillAuth(req.mutable_auth(), agora::provider::signGatewayRequest(
                                                  sk, net.chainId(), agora::provider::gateway_kind::kSendManifest,
                                                  leaseId, body, ProviderNet::nowMs()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    gw::SendManifestResponse resp;
    return stub->SendManifest(&ctx, req, &resp);
}

gw::LeaseStatusResponse statusAs(ProviderNet& net, const std::string& gatewayAddr, const std::string& key,
                                 std::uint64_t leaseId, grpc::Status* status = nullptr) {
    auto sk = net.secretKey(key);
    auto stub = gw::ProviderGateway::NewStub(grpc::CreateChannel(gatewayAddr, grpc::InsecureChannelCredentials()));
    gw::LeaseStatusRequest req;
    req.set_lease_id(leaseId);
    ProviderNet::fillAuth(req.mutable_auth(), agora::provider::signGatewayRequest(
                                                  sk, net.chainId(), agora::provider::gateway_kind::kLeaseStatus,
                                                  leaseId, agora::provider::statusBodyHash(), ProviderNet::nowMs()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    gw::LeaseStatusResponse resp;
    auto s = stub->LeaseStatus(&ctx, req, &resp);
    if (status) *status = s;
    return resp;
}

}  // namespace

TEST_CASE(
    "the gateway refuses another key, a hash mismatch, malformed YAML and an oversized file; the lease is untouched",
    "[provider][process]") {
    if (!haveSandbox()) {
        WARN("bubblewrap or writable cgroups missing: skipped");
        return;
    }
    ProviderNet net("prov-refuse");
    const std::string home = net.initAgent("agent", "provider");
    net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    const std::string gateway = ProviderNet::gatewayOf(home);
    const std::string good = kExamples + "hello-batch.yaml";
    const std::uint64_t leaseId = net.leaseFromOffer(providerAddr, ProviderNet::manifestHashOf(good));

    // Another key: PERMISSION_DENIED.
    auto s = sendManifestAs(net, gateway, "demo2", leaseId, agora::test::readFile(good));
    CHECK(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(s.error_message().rfind("not_lease_client", 0) == 0);
    // A valid manifest whose hash is not the lease's.
    const std::string other = writeFile(net.path("other.yaml"),
                                        "version: 1\nkind: batch\nresources: {cpu: 500m, memory: 256Mi}\nservices:\n"
                                        "  main:\n    command: [\"/bin/true\"]\n");
    s = sendManifestAs(net, gateway, "client", leaseId, agora::test::readFile(other));
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(s.error_message().rfind("manifest_hash_mismatch", 0) == 0);
    // Malformed YAML names the line.
    s = sendManifestAs(net, gateway, "client", leaseId, "version: 1\nkind: batch\nservices: [unclosed\n");
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(s.error_message().rfind("manifest_invalid: syntax", 0) == 0);
    CHECK(s.error_message().find("line") != std::string::npos);
    // Oversized.
    s = sendManifestAs(net, gateway, "client", leaseId, std::string(300 * 1024, '#'));
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(s.error_message().find("too_large") != std::string::npos);
    // The CLI refuses a file whose hash is not the lease's before sending.
    auto cli = net.agora({"lease", "send-manifest", std::to_string(leaseId), other, "--from", "client"});
    CHECK(cli.exitCode != 0);

    // Nothing deployed, the lease untouched.
    grpc::Status st;
    auto status = statusAs(net, gateway, "client", leaseId, &st);
    REQUIRE(st.ok());
    CHECK(status.state() == "awaiting_manifest");
    CHECK(status.services().empty());
    CHECK(net.lease(leaseId).value("state", "") == "active");
    // Status for another key is refused too.
    statusAs(net, gateway, "demo2", leaseId, &st);
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);

    // The right manifest from the right key is accepted and runs to completion.
    s = sendManifestAs(net, gateway, "client", leaseId, agora::test::readFile(good));
    INFO(s.error_message());
    REQUIRE(s.ok());
    REQUIRE(net.waitLeaseClosed(leaseId, "completed"));
}

TEST_CASE("no manifest within manifest_timeout_blocks closes the lease manifest_timeout and refunds the client",
          "[provider][process]") {
    if (!haveSandbox()) {
        WARN("bubblewrap or writable cgroups missing: skipped");
        return;
    }
    ProviderNet net("prov-timeout");
    const std::string home =
        net.initAgent("agent", "provider", [](agora::provider::ProviderConfig& c) { c.manifestTimeoutBlocks = 8; });
    net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    const std::uint64_t leaseId =
        net.leaseFromOffer(providerAddr, ProviderNet::manifestHashOf(kExamples + "hello-batch.yaml"));
    REQUIRE(net.waitLeaseClosed(leaseId, "manifest_timeout"));
    const json l = net.lease(leaseId);
    CHECK(l.value("close_height", 0ull) >= l.value("start_height", 0ull) + 8);
    // No provider penalty.
    auto rep = net.queryJson({"reputation", providerAddr});
    CHECK(rep.value("early_closes", 0ull) == 0);
    // The client settles and gets the rest back.
    auto settle =
        net.agora({"tx", "--from", "client", "--wait", "lease", "settle", std::to_string(leaseId), "--rating", "3"});
    INFO(settle.output);
    REQUIRE(settle.exitCode == 0);
    const json s = net.lease(leaseId);
    const std::uint64_t accrued = std::stoull(s.value("paid_out", "0"));
    CHECK(std::stoull(s.value("refunded", "0")) == 2'000'000 - accrued);
}

TEST_CASE("a workload past its memory limit is killed and the lease closes workload_failed", "[provider][process]") {
    if (!haveSandbox()) {
        WARN("bubblewrap or writable cgroups missing: skipped");
        return;
    }
    ProviderNet net("prov-oom");
    const std::string home = net.initAgent("agent", "provider");
    net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    const std::string file = kExamples + "oom-batch.yaml";
    auto m = manifest::loadManifestFile(file);
    REQUIRE(m.hasValue());
    const std::string res = "cpu=" + std::to_string(m->resources.cpuMillicores) +
                            ",mem=" + std::to_string(m->resources.memoryMib) + ",storage=1";
    const std::uint64_t leaseId = net.leaseFromOffer(providerAddr, ProviderNet::manifestHashOf(file), res);
    auto send = net.agora({"lease", "send-manifest", std::to_string(leaseId), file, "--from", "client"});
    INFO(send.output);
    REQUIRE(send.exitCode == 0);
    INFO(ProviderNet::agentLog(home));
    REQUIRE(net.waitLeaseClosed(leaseId, "workload_failed"));
    grpc::Status st;
    auto status = statusAs(net, ProviderNet::gatewayOf(home), "client", leaseId, &st);
    REQUIRE(st.ok());
    REQUIRE(status.services_size() == 1);
    CHECK(status.services(0).state() == "oom_killed");
}

TEST_CASE(
    "a service answers HTTP at its endpoint and survives kill -9 of the agent, which adopts it and resumes reports and "
    "withdrawals",
    "[provider][process]") {
    if (!haveSandbox()) {
        WARN("bubblewrap or writable cgroups missing: skipped");
        return;
    }
    ProviderNet net("prov-service");
    const std::string home = net.initAgent("agent", "provider");
    auto* agent = &net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    const std::string file = kExamples + "http-service.yaml";
    auto m = manifest::loadManifestFile(file);
    REQUIRE(m.hasValue());
    const std::string res = "cpu=" + std::to_string(m->resources.cpuMillicores) +
                            ",mem=" + std::to_string(m->resources.memoryMib) +
                            ",storage=" + std::to_string(std::max<std::uint64_t>(1, m->resources.storageGib));
    const std::uint64_t leaseId = net.leaseFromOffer(providerAddr, ProviderNet::manifestHashOf(file), res);
    auto send = net.agora({"lease", "send-manifest", std::to_string(leaseId), file, "--from", "client"});
    INFO(send.output);
    REQUIRE(send.exitCode == 0);

    const std::string gateway = ProviderNet::gatewayOf(home);
    std::string endpoint;
    REQUIRE(agora::test::waitUntil(
        [&] {
            auto s = statusAs(net, gateway, "client", leaseId);
            if (s.endpoints_size() == 0) return false;
            endpoint = s.endpoints(0).address();
            return httpAnswers(endpoint);
        },
        std::chrono::seconds(60)));

    // kill -9: the workload keeps running, the lease stays open.
    agent->signal(SIGKILL);
    agent->waitExit(std::chrono::seconds(10));
    const std::uint64_t h = net.height();
    REQUIRE(agora::test::waitUntil([&] { return net.height() >= h + 3; }, std::chrono::seconds(30)));
    CHECK(httpAnswers(endpoint));
    CHECK(net.lease(leaseId).value("state", "") == "active");

    // The restarted agent adopts it and resumes its reports.
    agent = &net.startAgent(home);
    REQUIRE(net.waitLeaseEvent(home, leaseId, "adopted"));
    CHECK(httpAnswers(endpoint));
    const std::uint64_t reportFloor = net.height();
    const std::uint64_t paidBefore = std::stoull(net.lease(leaseId).value("paid_out", "0"));
    REQUIRE(agora::test::waitUntil(
        [&] {
            auto l = net.lease(leaseId);
            return !l["usage"].is_null() && l["usage"].value("up_to_height", 0ull) > reportFloor;
        },
        std::chrono::seconds(60)));
    // ... and its withdrawals: the provider is paid more after the restart.
    REQUIRE(agora::test::waitUntil([&] { return std::stoull(net.lease(leaseId).value("paid_out", "0")) > paidBefore; },
                                   std::chrono::seconds(60)));

    // The client closes it: the agent stops the workload.
    auto close = net.agora({"tx", "--from", "client", "--wait", "lease", "close", std::to_string(leaseId), "--reason",
                            "client_cancelled"});
    INFO(close.output);
    REQUIRE(close.exitCode == 0);
    REQUIRE(agora::test::waitUntil([&] { return !httpAnswers(endpoint); }, std::chrono::seconds(60)));
    auto s = statusAs(net, gateway, "client", leaseId);
    CHECK(s.state() == "closed");
}

TEST_CASE("two agents compete: the cheaper price script wins, a full agent does not bid, a restart does not bid twice",
          "[provider][process]") {
    if (!haveSandbox()) {
        WARN("bubblewrap or writable cgroups missing: skipped");
        return;
    }
    ProviderNet net("prov-compete");
    const std::string cheap = writeFile(net.path("cheap.sh"), "#!/bin/sh\ncat >/dev/null\necho 300\n");
    const std::string dear = writeFile(net.path("dear.sh"), "#!/bin/sh\ncat >/dev/null\necho 700\n");
    std::filesystem::permissions(cheap, std::filesystem::perms::owner_all);
    std::filesystem::permissions(dear, std::filesystem::perms::owner_all);
    const std::string homeA = net.initAgent("agentA", "provider", [&](agora::provider::ProviderConfig& c) {
        c.priceScript = cheap;
        c.capacity.memoryMib = std::min<std::uint64_t>(c.capacity.memoryMib, 2048);
    });
    const std::string homeB =
        net.initAgent("agentB", "demo2", [&](agora::provider::ProviderConfig& c) { c.priceScript = dear; });
    auto* agentA = &net.startAgent(homeA);
    net.startAgent(homeB);
    REQUIRE(net.waitRegistered("provider"));
    REQUIRE(net.waitRegistered("demo2"));

    // A job both can serve gets two bids; the client takes the cheapest.
    auto deploy = net.agora({"deploy", kExamples + "hello-batch.yaml", "--from", "client", "--duration", "400",
                             "--max-price", "1000", "--deposit", "2000000", "--bid-wait", "4", "-o", "json"},
                            std::chrono::seconds(180));
    INFO(deploy.output);
    INFO(ProviderNet::agentLog(homeA));
    INFO(ProviderNet::agentLog(homeB));
    REQUIRE(deploy.exitCode == 0);
    const json d = json::parse(deploy.output.substr(deploy.output.rfind("\n{") + 1));
    const std::uint64_t jobId = d.value("job_id", 0ull);
    auto bids = net.queryJson({"bids", std::to_string(jobId), "--include-closed"});
    CHECK(bids["bids"].size() == 2);
    CHECK(d.value("provider", "") == net.address("provider"));
    CHECK(net.lease(d.value("lease_id", 0ull)).value("price_per_second", "") == "300");

    // A job bigger than agent A's capacity (and within B's): only B bids.
    auto cap = net.queryJson({"provider", net.address("provider")});
    const std::uint64_t tooMuch = cap["capacity"].value("memory_mib", 0ull) + 1;
    REQUIRE(net.queryJson({"provider", net.address("demo2")})["capacity"].value("memory_mib", 0ull) >= tooMuch);
    auto job = net.agora({"tx", "--from", "client", "--wait", "job", "create", "--resources",
                          "cpu=100,mem=" + std::to_string(tooMuch) + ",storage=0", "--max-price", "1000", "--duration",
                          "50", "--bidding-window", "30", "--deposit", "50000"});
    REQUIRE(job.exitCode == 0);
    // A second agent restart in the middle must not bid twice on a job it already bid on.
    agentA->signal(SIGKILL);
    agentA->waitExit(std::chrono::seconds(10));
    agentA = &net.startAgent(homeA);
    auto job2 =
        net.agora({"tx", "--from", "client", "--wait", "job", "create", "--resources", "cpu=100,mem=64,storage=0",
                   "--max-price", "1000", "--duration", "50", "--bidding-window", "40", "--deposit", "50000"});
    REQUIRE(job2.exitCode == 0);
    const std::uint64_t bigJob = jobId + 1;
    const std::uint64_t smallJob = jobId + 2;
    REQUIRE(agora::test::waitUntil(
        [&] {
            return net.queryJson({"bids", std::to_string(smallJob)})["bids"].size() == 2;
        },
        std::chrono::seconds(60)));
    // Restart A again: it must not place a second bid on smallJob.
    agentA->signal(SIGTERM);
    agentA->waitExit(std::chrono::seconds(20));
    net.startAgent(homeA);
    const std::uint64_t h = net.height();
    REQUIRE(agora::test::waitUntil([&] { return net.height() >= h + 10; }, std::chrono::seconds(60)));
    auto smallBids = net.queryJson({"bids", std::to_string(smallJob), "--include-closed"});
    CHECK(smallBids["bids"].size() == 2);
    auto bigBids = net.queryJson({"bids", std::to_string(bigJob), "--include-closed"})["bids"];
    REQUIRE(bigBids.size() == 1);
    CHECK(bigBids[0].value("provider", "") == net.address("demo2"));
    CHECK(ProviderNet::agentLog(homeA).find("DuplicateBid") == std::string::npos);
}
