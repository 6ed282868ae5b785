// The provider agent end to end on the slurm runtime: a real agorad, real
// agora-provider processes, the real agora CLI, and the workloads as jobs of
// a real one-node Slurm cluster the test starts (test/support/SlurmCluster.h).

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <functional>
#include <sstream>

#include "node/manifest/Manifest.h"
#include "support/ProviderNet.h"
#include "support/SlurmCluster.h"

using namespace agora;
using agora::test::ProviderNet;
using agora::test::SlurmCluster;
using nlohmann::json;

namespace {

const std::string kExamples = std::string(AGORA_SOURCE_DIR) + "/docs/examples/";

bool slurmInstalled() {
    if (SlurmCluster::available()) return true;
    WARN("skipped: needs root and the Debian packages slurmctld slurmd slurm-client munge (scripts/setup.sh)");
    return false;
}

// An agent home whose provider.toml selects the slurm runtime on `cluster`.
std::string initSlurmAgent(ProviderNet& net, const SlurmCluster& cluster,
                           const std::function<void(provider::ProviderConfig&)>& adjust = {}) {
    return net.initAgent("agent", "provider", [&](provider::ProviderConfig& c) {
        c.runtime = "slurm";
        c.slurmConf = cluster.conf();
        if (adjust) adjust(c);
    });
}

// A lease from the provider's standing offer 1 for the manifest's hash, and the manifest sent.
std::uint64_t leaseWithManifest(ProviderNet& net, const std::string& providerAddr, const std::string& file) {
    const std::uint64_t leaseId = net.leaseFromOffer(providerAddr, ProviderNet::manifestHashOf(file));
    auto send = net.agora({"lease", "send-manifest", std::to_string(leaseId), file, "--from", "client"});
    INFO(send.output);
    REQUIRE(send.exitCode == 0);
    return leaseId;
}

std::string batchManifest(ProviderNet& net, const std::string& name, const std::string& script) {
    const std::string path = net.path(name + ".yaml");
    std::ofstream(path) << "version: 1\nkind: batch\nresources: {cpu: 500m, memory: 256Mi, storage: 1Gi}\n"
                        << "services:\n  main:\n    command: [\"/bin/sh\", \"-c\", \"" << script << "\"]\n";
    return path;
}

// The job's state in the cluster's queue ("" once Slurm forgot it).
std::string jobState(const SlurmCluster& cluster, std::uint64_t leaseId) {
    auto out = cluster.client(
        {"/usr/bin/squeue", "-h", "-t", "all", "--name=agora-lease-" + std::to_string(leaseId) + "-main", "-o", "%T"});
    std::string s = out.value_or("?");
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

std::string recordedJobId(const std::string& home, std::uint64_t leaseId) {
    const auto j =
        json::parse(agora::test::readFile(home + "/data/slurm/lease-" + std::to_string(leaseId) + "/workload.json"),
                    nullptr, false);
    if (j.is_discarded() || j["services"].empty()) return "";
    return j["services"][0].value("job_id", "");
}

}  // namespace

TEST_CASE("slurm runtime: agora deploy runs a batch manifest as a Slurm job that closes completed with exact payment",
          "[provider][process][slurm]") {
    if (!slurmInstalled()) return;
    SlurmCluster cluster;
    REQUIRE(cluster.up());
    ProviderNet net("prov-slurm-batch");
    const std::string home = initSlurmAgent(net, cluster);
    net.startAgent(home);
    INFO(ProviderNet::agentLog(home));
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");

    auto deploy = net.deployFollow(kExamples + "hello-batch.yaml", "1");
    INFO(deploy.output);
    INFO(ProviderNet::agentLog(home));
    REQUIRE(deploy.exitCode == 0);
    const std::uint64_t leaseId = net.onlyLease(providerAddr);
    REQUIRE(net.waitLeaseClosed(leaseId, "completed"));
    CHECK(!recordedJobId(home, leaseId).empty());
    auto logs = net.agora({"lease", "logs", std::to_string(leaseId), "--from", "client"});
    INFO(logs.output);
    CHECK(logs.exitCode == 0);
    CHECK(logs.output.find("hello from " + std::to_string(leaseId)) != std::string::npos);

    net.checkPaidPerSecondOfBlockTime(leaseId);
}

TEST_CASE("slurm runtime: after kill -9 of the agent the running job is adopted by name, not submitted again",
          "[provider][process][slurm]") {
    if (!slurmInstalled()) return;
    SlurmCluster cluster;
    REQUIRE(cluster.up());
    ProviderNet net("prov-slurm-adopt");
    const std::string home = initSlurmAgent(net, cluster);
    auto* agent = &net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    const std::string marker = net.path("release");
    // Runs until the test releases it, then exits 0.
    const std::string file =
        batchManifest(net, "wait", "while [ ! -e " + marker + " ]; do sleep 0.2; done; echo released $AGORA_LEASE_ID");
    const std::uint64_t leaseId = leaseWithManifest(net, providerAddr, file);
    INFO(ProviderNet::agentLog(home));
    REQUIRE(agora::test::waitUntil([&] { return jobState(cluster, leaseId) == "RUNNING"; }, std::chrono::seconds(60)));
    const std::string jobId = recordedJobId(home, leaseId);
    REQUIRE(!jobId.empty());

    agent->signal(SIGKILL);
    agent->waitExit(std::chrono::seconds(10));
    const std::uint64_t h = net.height();
    REQUIRE(agora::test::waitUntil([&] { return net.height() >= h + 3; }, std::chrono::seconds(30)));
    CHECK(jobState(cluster, leaseId) == "RUNNING");
    CHECK(net.lease(leaseId).value("state", "") == "active");

    agent = &net.startAgent(home);
    REQUIRE(net.waitLeaseEvent(home, leaseId, "adopted"));
    std::ofstream(marker) << "go\n";
    REQUIRE(net.waitLeaseClosed(leaseId, "completed"));
    CHECK(recordedJobId(home, leaseId) == jobId);
    const std::string log = agora::test::readFile(home + "/data/slurm/lease-" + std::to_string(leaseId) + "/main/log");
    CHECK(log == "released " + std::to_string(leaseId) + "\n");
}

TEST_CASE("slurm runtime: a lease closed by the client cancels its job", "[provider][process][slurm]") {
    if (!slurmInstalled()) return;
    SlurmCluster cluster;
    REQUIRE(cluster.up());
    ProviderNet net("prov-slurm-close");
    const std::string home = initSlurmAgent(net, cluster);
    net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    const std::uint64_t leaseId = leaseWithManifest(net, providerAddr, batchManifest(net, "sleep", "sleep 300"));
    INFO(ProviderNet::agentLog(home));
    REQUIRE(agora::test::waitUntil([&] { return jobState(cluster, leaseId) == "RUNNING"; }, std::chrono::seconds(60)));

    auto close = net.agora({"tx", "--from", "client", "--wait", "lease", "close", std::to_string(leaseId), "--reason",
                            "client_cancelled"});
    INFO(close.output);
    REQUIRE(close.exitCode == 0);
    const auto closed = std::chrono::steady_clock::now();
    const std::uint64_t closeHeight = net.lease(leaseId).value("close_height", 0ull);
    // The agent stops a closed lease's workload on the next block it sees. This
    // test chain makes a block every ~150 ms, so the bound is in time: one
    // block of a production chain (seconds), with room for a loaded CI host.
    REQUIRE(agora::test::waitUntil(
        [&] {
            const std::string s = jobState(cluster, leaseId);
            return s != "RUNNING" && s != "PENDING" && s != "?";
        },
        std::chrono::seconds(30)));
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - closed);
    INFO("closed at height " << closeHeight << ", job cancelled by height " << net.height() << ", " << took.count()
                             << " ms");
    // How long it took is printed, not asserted (tests never assert on time);
    // the 30 s deadline above only bounds a hang.
    WARN("job cancelled " << took.count() << " ms after the close committed (close height " << closeHeight << ")");
    const std::string state = jobState(cluster, leaseId);
    CHECK((state == "CANCELLED" || state == "COMPLETING" || state.empty()));
}

TEST_CASE("slurm runtime: a job past its --mem ends OUT_OF_MEMORY and the lease closes workload_failed",
          "[provider][process][slurm]") {
    if (!slurmInstalled()) return;
    SlurmCluster cluster;
    REQUIRE(cluster.up());
    if (!cluster.enforcesMemory()) {
        WARN(
            "skipped: this host's test cluster runs task/none (no cgroup v1 memory controller): --mem is not enforced");
        return;
    }
    ProviderNet net("prov-slurm-oom");
    const std::string home = initSlurmAgent(net, cluster);
    net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    const std::uint64_t leaseId = leaseWithManifest(net, providerAddr, kExamples + "oom-batch.yaml");
    INFO(ProviderNet::agentLog(home));
    REQUIRE(net.waitLeaseClosed(leaseId, "workload_failed"));
    CHECK(ProviderNet::agentLog(home).find("out of memory") != std::string::npos);
}

TEST_CASE("slurm runtime: the provider record's capacity follows the cluster when a node drains and comes back",
          "[provider][process][slurm]") {
    if (!slurmInstalled()) return;
    SlurmCluster cluster;
    REQUIRE(cluster.up());
    ProviderNet net("prov-slurm-capacity");
    const std::string home = initSlurmAgent(net, cluster);
    net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    INFO(ProviderNet::agentLog(home));
    const auto cpu = [&] {
        return net.queryJson({"provider", providerAddr})["capacity"].value("cpu_millicores", std::uint64_t{0});
    };
    const std::uint64_t full = cpu();
    REQUIRE(full > 0);

    REQUIRE(cluster.client(
        {"/usr/bin/scontrol", "update", "NodeName=" + cluster.node(), "State=DRAIN", "Reason=agora-test"}));
    REQUIRE(agora::test::waitUntil([&] { return cpu() == 0; }, std::chrono::seconds(90)));
    REQUIRE(cluster.client({"/usr/bin/scontrol", "update", "NodeName=" + cluster.node(), "State=RESUME"}));
    REQUIRE(agora::test::waitUntil([&] { return cpu() == full; }, std::chrono::seconds(90)));
}

TEST_CASE("slurm runtime: a lease with no manifest closes manifest_timeout and submits no job",
          "[provider][process][slurm]") {
    if (!slurmInstalled()) return;
    SlurmCluster cluster;
    REQUIRE(cluster.up());
    ProviderNet net("prov-slurm-timeout");
    const std::string home =
        initSlurmAgent(net, cluster, [](provider::ProviderConfig& c) { c.manifestTimeoutBlocks = 8; });
    net.startAgent(home);
    REQUIRE(net.waitRegistered("provider"));
    const std::string providerAddr = net.address("provider");
    const std::uint64_t leaseId =
        net.leaseFromOffer(providerAddr, ProviderNet::manifestHashOf(kExamples + "hello-batch.yaml"));
    INFO(ProviderNet::agentLog(home));
    REQUIRE(net.waitLeaseClosed(leaseId, "manifest_timeout"));
    const json l = net.lease(leaseId);
    CHECK(l.value("close_height", 0ull) >= l.value("start_height", 0ull) + 8);
    CHECK(cluster.client({"/usr/bin/squeue", "-h", "-t", "all", "-o", "%i"}).value_or("?") == "");
}
