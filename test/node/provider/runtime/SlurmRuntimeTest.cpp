// The slurm runtime against a real one-node Slurm cluster (munged, slurmctld,
// slurmd) that each test starts in its own temp dir (test/support/SlurmCluster.h).
// Tests skip with a WARN where the Slurm packages are missing; CI installs
// them (scripts/setup.sh), so there they run.

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "node/provider/runtime/SlurmRuntime.h"
#include "support/SlurmCluster.h"
#include "support/TempDir.h"

namespace {

using namespace agora;
using namespace agora::provider;
using Clock = std::chrono::steady_clock;

// Scheduling, starting and reaping a job each take Slurm a few seconds.
constexpr auto kDeadline = std::chrono::seconds(60);

bool slurmInstalled() {
    if (test::SlurmCluster::available()) return true;
    WARN("skipped: needs root and the Debian packages slurmctld slurmd slurm-client munge (scripts/setup.sh)");
    return false;
}

// A cluster and a runtime over it, with a state dir of their own.
struct Fixture {
    test::SlurmCluster cluster;
    test::TempDir state{"slurm-runtime"};
    std::unique_ptr<SlurmRuntime> runtime;

    Fixture() {
        if (!cluster.up()) FAIL("Slurm cluster did not start: " << cluster.error());
        runtime = std::make_unique<SlurmRuntime>(options());
    }
    SlurmRuntimeOptions options(const std::string& stateDir = "") const {
        SlurmRuntimeOptions o;
        o.stateDir = stateDir.empty() ? state.path("workloads") : stateDir;
        o.slurmConf = cluster.conf();
        return o;
    }
    // The runtime's status once `done` holds for it, or the last one seen at the deadline.
    std::optional<WorkloadStatus> waitStatus(SlurmRuntime& rt, std::uint64_t leaseId,
                                             const std::function<bool(const WorkloadStatus&)>& done) {
        const auto deadline = Clock::now() + kDeadline;
        std::optional<WorkloadStatus> st;
        while (Clock::now() < deadline) {
            st = rt.status(leaseId);
            if (st && done(*st)) return st;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling the queue
        }
        return st;
    }
    std::optional<WorkloadStatus> waitFinished(std::uint64_t leaseId) {
        return waitStatus(*runtime, leaseId, [](const WorkloadStatus& s) { return s.finished(); });
    }
    std::optional<WorkloadStatus> waitRunning(SlurmRuntime& rt, std::uint64_t leaseId) {
        return waitStatus(rt, leaseId, [](const WorkloadStatus& s) {
            return !s.services.empty() && s.services[0].state == ServiceState::Running;
        });
    }
    std::string allLogs(std::uint64_t leaseId, const std::string& service) {
        auto chunk = runtime->readLogs(leaseId, service, 0, 1 << 20);
        return chunk ? chunk->data : "<" + chunk.error().message + ">";
    }
    // The names of every job in the cluster's queue (any state).
    std::string queueNames() const {
        return cluster.client({"/usr/bin/squeue", "-h", "-t", "all", "-o", "%j"}).value_or("<squeue failed>");
    }
};

WorkloadSpec workload(std::uint64_t leaseId, std::vector<std::string> command, std::uint64_t memoryMib = 128) {
    WorkloadSpec spec;
    spec.leaseId = leaseId;
    spec.manifest.kind = manifest::WorkloadKind::Batch;
    manifest::Service svc;
    svc.name = "main";
    svc.command = std::move(command);
    spec.manifest.services.push_back(svc);
    spec.limits = Resources{500, memoryMib, 1, {}};
    spec.manifest.resources = spec.limits;
    spec.extraEnv["AGORA_LEASE_ID"] = std::to_string(leaseId);
    return spec;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("slurm runtime: a batch job runs to exit 0 and its output is read through readLogs",
          "[provider][runtime][slurm]") {
    if (!slurmInstalled()) return;
    Fixture f;
    auto spec =
        workload(11, {"/bin/sh", "-c", "echo \"hello from lease $AGORA_LEASE_ID in $GREETING\"; echo to-stderr >&2"});
    spec.manifest.services[0].env["GREETING"] = "it's $(not run) `nor this`";
    spec.limits.cpuMillicores = 1500;  // rounds up to 2 CPUs
    spec.maxDurationSeconds = 90;      // rounds up to 2 minutes
    REQUIRE(f.runtime->deploy(spec).hasValue());

    // The job carries the lease's name and limits.
    const auto ids = f.runtime->jobIds(11);
    REQUIRE(ids.count("main") == 1);
    const auto shown = f.cluster.client({"/usr/bin/scontrol", "show", "job", "-o", ids.at("main")});
    REQUIRE(shown.has_value());
    CHECK(shown->find("JobName=agora-lease-11-main ") != std::string::npos);
    CHECK(shown->find("CPUs/Task=2 ") != std::string::npos);
    CHECK(shown->find("MinMemoryNode=128M ") != std::string::npos);
    CHECK(shown->find("TimeLimit=00:02:00 ") != std::string::npos);

    const auto st = f.waitFinished(11);
    REQUIRE(st.has_value());
    REQUIRE(st->finished());
    CHECK(st->succeeded());
    REQUIRE(st->services.size() == 1);
    CHECK(st->services[0].state == ServiceState::Exited);
    CHECK(st->services[0].exitCode == 0);
    const std::string log = f.allLogs(11, "main");
    CHECK(log.find("hello from lease 11 in it's $(not run) `nor this`\n") != std::string::npos);
    CHECK(log.find("to-stderr\n") != std::string::npos);
    // Offsets: reading on from the middle, and the tail.
    auto rest = f.runtime->readLogs(11, "main", 6, 1 << 20);
    REQUIRE(rest.hasValue());
    CHECK(rest->data == log.substr(6));
    CHECK(rest->nextOffset == log.size());
    auto tail = f.runtime->tailOffset(11, "main", 1);
    REQUIRE(tail.hasValue());
    CHECK(log.substr(*tail) == "to-stderr\n");
    CHECK(f.runtime->readLogs(11, "nope", 0, 10).error().code == RuntimeErrorCode::NotFound);
    CHECK(f.runtime->list() == std::vector<std::uint64_t>{11});
}

TEST_CASE("slurm runtime: a failing job ends Exited with its exit code", "[provider][runtime][slurm]") {
    if (!slurmInstalled()) return;
    Fixture f;
    REQUIRE(f.runtime->deploy(workload(12, {"/bin/sh", "-c", "echo failing; exit 3"})).hasValue());
    const auto st = f.waitFinished(12);
    REQUIRE(st.has_value());
    REQUIRE(st->finished());
    CHECK(st->failed());
    CHECK(!st->succeeded());
    CHECK(st->services[0].state == ServiceState::Exited);
    CHECK(st->services[0].exitCode == 3);
    CHECK(f.allLogs(12, "main") == "failing\n");
}

TEST_CASE("slurm runtime: a job allocating past --mem ends OomKilled", "[provider][runtime][slurm]") {
    if (!slurmInstalled()) return;
    Fixture f;
    if (!f.cluster.enforcesMemory()) {
        WARN(
            "skipped: this host's test cluster runs task/none (no cgroup v1 memory controller), which does not "
            "enforce --mem");
        return;
    }
    // Touches every page of 512 MiB in a 64 MiB job.
    REQUIRE(f.runtime->deploy(workload(13, {"/usr/bin/python3", "-c", "b = bytearray(512 << 20); print(len(b))"}, 64))
                .hasValue());
    const auto st = f.waitFinished(13);
    REQUIRE(st.has_value());
    REQUIRE(st->finished());
    CHECK(st->failed());
    CHECK(st->services[0].state == ServiceState::OomKilled);
}

TEST_CASE("slurm runtime: stop() cancels a running job", "[provider][runtime][slurm]") {
    if (!slurmInstalled()) return;
    Fixture f;
    REQUIRE(f.runtime->deploy(workload(14, {"/bin/sleep", "300"})).hasValue());
    const auto running = f.waitRunning(*f.runtime, 14);
    REQUIRE(running.has_value());
    REQUIRE(running->services[0].state == ServiceState::Running);
    CHECK(!running->finished());

    f.runtime->stop(14);  // returns once scancel took (bounded by the runtime's command deadline)
    const auto st = f.runtime->status(14);
    REQUIRE(st.has_value());
    CHECK(st->finished());
    CHECK(st->services[0].state == ServiceState::Stopped);
    // Nothing of the lease holds the node any more.
    CHECK(f.cluster.client({"/usr/bin/squeue", "-h", "-t", "running,completing", "-o", "%i"}).value_or("?") == "");
    f.runtime->stop(14);  // idempotent
    CHECK(f.runtime->status(14)->services[0].state == ServiceState::Stopped);
    f.runtime->remove(14);
    CHECK(!f.runtime->status(14).has_value());
    CHECK(f.runtime->list().empty());
}

TEST_CASE("slurm runtime: a new runtime instance finds a running job by name and does not submit it again",
          "[provider][runtime][slurm]") {
    if (!slurmInstalled()) return;
    Fixture f;
    REQUIRE(f.runtime->deploy(workload(15, {"/bin/sleep", "300"})).hasValue());
    REQUIRE(f.waitRunning(*f.runtime, 15).has_value());
    const std::string jobId = f.runtime->jobIds(15).at("main");

    // The restarted agent: a new instance over the same state dir.
    SlurmRuntime restarted(f.options());
    CHECK(restarted.list() == std::vector<std::uint64_t>{15});
    auto st = restarted.status(15);
    REQUIRE(st.has_value());
    CHECK(st->services[0].state == ServiceState::Running);
    CHECK(restarted.deploy(workload(15, {"/bin/sleep", "300"})).error().code == RuntimeErrorCode::AlreadyExists);

    // An agent that lost its state dir altogether finds the job by its name alone.
    test::TempDir empty("slurm-runtime-empty");
    SlurmRuntime stateless(f.options(empty.path("workloads")));
    CHECK(stateless.list() == std::vector<std::uint64_t>{15});
    st = stateless.status(15);
    REQUIRE(st.has_value());
    REQUIRE(st->services.size() == 1);
    CHECK(st->services[0].name == "main");
    CHECK(st->services[0].state == ServiceState::Running);
    CHECK(stateless.jobIds(15).at("main") == jobId);
    CHECK(stateless.deploy(workload(15, {"/bin/sleep", "300"})).error().code == RuntimeErrorCode::AlreadyExists);

    CHECK(count(f.queueNames(), "agora-lease-15-main") == 1);
    restarted.stop(15);
    CHECK(f.runtime->status(15)->services[0].state == ServiceState::Stopped);
}

TEST_CASE("slurm runtime: the exit status is known after Slurm forgot the job", "[provider][runtime][slurm]") {
    if (!slurmInstalled()) return;
    Fixture f;
    REQUIRE(f.runtime->deploy(workload(16, {"/bin/sh", "-c", "exit 7"})).hasValue());
    // The test cluster forgets ended jobs after MinJobAge=5 s; status() is not
    // asked until then, as when the agent was down while the job ended.
    REQUIRE(test::waitUntil([&] { return count(f.queueNames(), "agora-lease-16-main") == 0; }, kDeadline));
    const auto st = f.runtime->status(16);
    REQUIRE(st.has_value());
    CHECK(st->finished());
    CHECK(st->services[0].state == ServiceState::Exited);
    CHECK(st->services[0].exitCode == 7);
}

TEST_CASE("slurm runtime: capacity is the partition's nodes as sinfo reports them", "[provider][runtime][slurm]") {
    if (!slurmInstalled()) return;
    Fixture f;
    const auto sinfo = f.cluster.client({"/usr/bin/sinfo", "-h", "-N", "-o", "%c %m"});
    REQUIRE(sinfo.has_value());
    std::istringstream in(*sinfo);
    std::uint64_t cpus = 0;
    std::uint64_t memory = 0;
    in >> cpus >> memory;
    REQUIRE(cpus > 0);
    const Resources c = f.runtime->capacity();
    CHECK(c.cpuMillicores == cpus * 1000);
    CHECK(c.memoryMib == memory);
    CHECK(c.gpus.empty());
    CHECK(c.storageGib > 0);
    CHECK(f.runtime->probe().hasValue());

    // A runtime whose commands reach no cluster says so.
    SlurmRuntimeOptions o = f.options();
    o.slurmConf = f.state.path("no-such-slurm.conf");
    SlurmRuntime nowhere(o);
    const auto started = Clock::now();
    const auto probed = nowhere.probe();
    REQUIRE(!probed.hasValue());
    CHECK(probed.error().find("no-such-slurm.conf") != std::string::npos);
    // Fails at once, not after Slurm's minute of retries (a wide bound, not a speed target).
    CHECK(Clock::now() - started < std::chrono::seconds(30));
    CHECK(nowhere.capacity().cpuMillicores == 0);
}

TEST_CASE("slurm runtime: a request the cluster cannot hold is refused as insufficient capacity",
          "[provider][runtime][slurm]") {
    if (!slurmInstalled()) return;
    Fixture f;
    auto spec = workload(17, {"/bin/true"});
    spec.limits.cpuMillicores = 1000 * 1000;
    const auto r = f.runtime->deploy(spec);
    REQUIRE(!r.hasValue());
    CHECK(r.error().code == RuntimeErrorCode::InsufficientCapacity);
    CHECK(!f.runtime->status(17).has_value());  // nothing half-submitted stays
    auto image = workload(18, {"/bin/true"});
    image.manifest.services[0].image = "docker.io/library/alpine";
    CHECK(f.runtime->deploy(image).error().code == RuntimeErrorCode::Unsupported);
}
