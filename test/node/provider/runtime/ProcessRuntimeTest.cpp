// The process runtime against real bubblewrap, real cgroups and real
// processes. Every test has its own state dir, lease ids, cgroup parent and
// host port range, so the suite runs in parallel (ctest -j2). Tests skip with
// a WARN where bwrap or writable cgroups are missing.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "node/provider/runtime/Cgroup.h"
#include "node/provider/runtime/ProcessRuntime.h"
#include "support/TempDir.h"

namespace {

using namespace agora;
using namespace agora::provider;
using Clock = std::chrono::steady_clock;

constexpr const char* kBwrap = "/usr/bin/bwrap";
constexpr auto kDeadline = std::chrono::seconds(30);

bool hostCanSandbox() {
    if (ProcessRuntime::hostSupported(kBwrap)) return true;
    WARN("skipped: needs " << kBwrap << " and writable cgroups (cpu, memory, pids) under /sys/fs/cgroup");
    return false;
}

// Polls `done` until it holds or the deadline passes; polling a status with a
// deadline, not a sleep standing in for synchronisation.
bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = kDeadline) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int uniqueCounter() {
    static std::atomic<int> n{0};
    return n++;
}

// One runtime on a fresh state dir with its own cgroup parent and ports.
struct RuntimeFixture {
    agora::test::TempDir tmp{"process-runtime"};
    int tag = uniqueCounter();
    ProcessRuntimeOptions options;
    std::unique_ptr<ProcessRuntime> runtime;

    explicit RuntimeFixture(std::uint64_t logCap = 8 * 1024 * 1024) {
        options.stateDir = tmp.path("workloads");
        options.shimCommand = {AGORA_SHIM_BINARY};
        options.cgroupParent = "agora-test-" + std::to_string(::getpid()) + "-" + std::to_string(tag);
        // A private slice of the range: two suites deploying at once must not
        // both find the same port free before either service listens.
        const auto first = static_cast<std::uint16_t>(20000 + (::getpid() * 7 + tag * 40) % 9000);
        options.hostPortFirst = first;
        options.hostPortLast = static_cast<std::uint16_t>(first + 39);
        options.logCapBytes = logCap;
        options.stopGraceMillis = 2000;
        options.capacity = Resources{4000, 8192, 100, {}};
        runtime = std::make_unique<ProcessRuntime>(options);
    }
    ~RuntimeFixture() {
        if (!runtime) runtime = std::make_unique<ProcessRuntime>(options);
        for (const std::uint64_t id : runtime->list()) runtime->remove(id);
        Cgroup(options.cgroupParent).remove();
    }

    std::uint64_t leaseId(int n) const {
        return (static_cast<std::uint64_t>(::getpid()) << 20) + static_cast<std::uint64_t>(tag) * 100 +
               static_cast<std::uint64_t>(n);
    }

    WorkloadStatus waitFinished(std::uint64_t id) {
        std::optional<WorkloadStatus> st;
        waitUntil([&] {
            st = runtime->status(id);
            return st && st->finished();
        });
        REQUIRE(st);
        return *st;
    }

    WorkloadStatus waitRunning(std::uint64_t id) {
        std::optional<WorkloadStatus> st;
        waitUntil([&] {
            st = runtime->status(id);
            return st && !st->services.empty() && st->services[0].state == ServiceState::Running;
        });
        REQUIRE(st);
        return *st;
    }

    std::string log(std::uint64_t id, const std::string& service = "main") {
        auto chunk = runtime->readLogs(id, service, 0, 1 << 20);
        REQUIRE(chunk);
        return chunk->data;
    }
};

WorkloadSpec shellWorkload(std::uint64_t leaseId, const std::string& script,
                           manifest::WorkloadKind kind = manifest::WorkloadKind::Batch) {
    WorkloadSpec spec;
    spec.leaseId = leaseId;
    spec.manifest.kind = kind;
    manifest::Service svc;
    svc.name = "main";
    svc.command = {"/bin/sh", "-c", script};
    spec.manifest.services.push_back(svc);
    spec.limits = Resources{500, 128, 1, {}};
    spec.manifest.resources = spec.limits;
    return spec;
}

std::string cgroupFile(const std::string& cgroup, CgroupController c, const std::string& v1Name,
                       const std::string& v2Name) {
    const Cgroup g(cgroup);
    return readFile(g.filePath(c, g.version() == CgroupVersion::V1 ? v1Name : v2Name));
}

}  // namespace

TEST_CASE("process runtime: a batch service runs to exit 0 and its output is in its log", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f;
    const auto id = f.leaseId(1);
    REQUIRE(f.runtime->deploy(shellWorkload(id, "echo hello; printf 'world\\n'; exit 0")));

    const auto st = f.waitFinished(id);
    REQUIRE(st.services.size() == 1);
    CHECK(st.services[0].state == ServiceState::Exited);
    CHECK(st.services[0].exitCode == 0);
    CHECK(st.succeeded());
    CHECK_FALSE(st.failed());

    const std::string all = "hello\nworld\n";
    auto chunk = f.runtime->readLogs(id, "main", 0, 1 << 20);
    REQUIRE(chunk);
    CHECK(chunk->data == all);
    CHECK(chunk->nextOffset == all.size());
    CHECK_FALSE(chunk->truncatedBefore);

    auto part = f.runtime->readLogs(id, "main", 3, 4);
    REQUIRE(part);
    CHECK(part->data == "lo\nw");
    CHECK(part->nextOffset == 7);

    CHECK(*f.runtime->tailOffset(id, "main", 1) == 6);
    CHECK(*f.runtime->tailOffset(id, "main", 2) == 0);
    CHECK(*f.runtime->tailOffset(id, "main", 50) == 0);
    CHECK(*f.runtime->tailOffset(id, "main", 0) == all.size());

    CHECK_FALSE(f.runtime->readLogs(id, "nope", 0, 10));
    CHECK(f.runtime->readLogs(id, "nope", 0, 10).error().code == RuntimeErrorCode::NotFound);
    CHECK(f.runtime->list() == std::vector<std::uint64_t>{id});
    // An ended workload holds nothing.
    CHECK(f.runtime->reserved() == Resources{});
}

TEST_CASE("process runtime: a non-zero exit is a failure with its code", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f;
    const auto id = f.leaseId(1);
    REQUIRE(f.runtime->deploy(shellWorkload(id, "echo failing >&2; exit 3")));
    const auto st = f.waitFinished(id);
    CHECK(st.services[0].state == ServiceState::Exited);
    CHECK(st.services[0].exitCode == 3);
    CHECK(st.failed());
    CHECK_FALSE(st.succeeded());
    CHECK(f.log(id) == "failing\n");  // stderr is captured too
}

TEST_CASE("process runtime: a service allocating past its memory limit is OOM-killed", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f;
    const auto id = f.leaseId(1);
    auto spec = shellWorkload(id, "exec python3 -c \"b=bytearray(512*1024*1024); print('survived')\"");
    spec.limits.memoryMib = 64;
    REQUIRE(f.runtime->deploy(spec));
    const auto st = f.waitFinished(id);
    CHECK(st.services[0].state == ServiceState::OomKilled);
    CHECK(st.failed());
    const std::string log = f.log(id);
    CHECK(log.find("survived") == std::string::npos);
    CHECK(log.find("out of memory") != std::string::npos);
}

TEST_CASE("process runtime: the lease cgroup carries the CPU, memory and pids limits while it runs", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f;
    const auto id = f.leaseId(1);
    auto spec = shellWorkload(id, "while true; do sleep 1; done", manifest::WorkloadKind::Service);
    spec.limits.cpuMillicores = 250;
    spec.limits.memoryMib = 96;
    REQUIRE(f.runtime->deploy(spec));
    const auto st = f.waitRunning(id);
    CHECK(st.services[0].state == ServiceState::Running);
    CHECK(f.runtime->reserved().cpuMillicores == 250);

    const std::string lease = f.runtime->leaseCgroup(id);
    const Cgroup g(lease);
    if (g.version() == CgroupVersion::V1) {
        CHECK(std::stoull(readFile(g.filePath(CgroupController::Cpu, "cpu.cfs_quota_us"))) == 25000);
        CHECK(std::stoull(readFile(g.filePath(CgroupController::Cpu, "cpu.cfs_period_us"))) == 100000);
        CHECK(std::stoull(readFile(g.filePath(CgroupController::Memory, "memory.limit_in_bytes"))) == 96ull << 20);
    } else {
        CHECK(readFile(g.filePath(CgroupController::Cpu, "cpu.max")) == "25000 100000\n");
        CHECK(std::stoull(readFile(g.filePath(CgroupController::Memory, "memory.max"))) == 96ull << 20);
    }
    CHECK(cgroupFile(lease, CgroupController::Pids, "pids.max", "pids.max") == "512\n");
    // The sandbox's processes are in the service cgroup below the lease's.
    CHECK_FALSE(Cgroup(lease + "/main").processes().empty());
    CHECK(waitUntil([&] { return f.runtime->status(id)->services[0].memoryBytes > 0; }));

    f.runtime->stop(id);
    const auto stopped = f.runtime->status(id);
    REQUIRE(stopped);
    CHECK(stopped->services[0].state == ServiceState::Stopped);
    CHECK_FALSE(std::filesystem::exists(g.filePath(CgroupController::Memory, "")));
    CHECK(f.runtime->reserved() == Resources{});
    f.runtime->stop(id);  // idempotent
    CHECK(f.runtime->status(id)->services[0].state == ServiceState::Stopped);
}

TEST_CASE("process runtime: the sandbox sees no provider files, no host pids, and runs as 65534", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f;
    const std::string home = f.tmp.path("provider-home");
    std::filesystem::create_directories(home);
    const std::string key = home + "/key.json";
    std::ofstream(key) << "{\"secret\":\"TOP-SECRET-KEY\"}\n";
    ::setenv("AGORA_TEST_HOST_ONLY", "host-value", 1);

    const auto id = f.leaseId(1);
    const std::string script =
        "echo uid=$(id -u) gid=$(id -g); "
        "cat " +
        key +
        " 2>/dev/null || echo key-hidden; "
        "ls " +
        home +
        " 2>/dev/null || echo home-hidden; "
        "ls " +
        f.options.stateDir +
        " 2>/dev/null || echo state-hidden; "
        "echo pids=$(ls /proc | grep -c '^[0-9][0-9]*$'); "
        "echo home=$HOME pwd=$(pwd); "
        "echo hostenv=${AGORA_TEST_HOST_ONLY:-none} lease=$AGORA_LEASE_ID; "
        "echo data > /work/out.txt && echo work-writable; "
        "echo x > /usr/forbidden 2>/dev/null || echo usr-readonly; "
        "cat /etc/hostname >/dev/null && echo hostname-ok";
    auto spec = shellWorkload(id, script);
    spec.extraEnv["AGORA_LEASE_ID"] = std::to_string(id);
    REQUIRE(f.runtime->deploy(spec));
    const auto st = f.waitFinished(id);
    ::unsetenv("AGORA_TEST_HOST_ONLY");
    const std::string log = f.log(id);
    INFO(log);
    CHECK(st.succeeded());
    CHECK(log.find("uid=65534 gid=65534") != std::string::npos);
    CHECK(log.find("TOP-SECRET-KEY") == std::string::npos);
    CHECK(log.find("key-hidden") != std::string::npos);
    CHECK(log.find("home-hidden") != std::string::npos);
    CHECK(log.find("state-hidden") != std::string::npos);
    CHECK(log.find("home=/work pwd=/work") != std::string::npos);
    CHECK(log.find("hostenv=none lease=" + std::to_string(id)) != std::string::npos);
    CHECK(log.find("work-writable") != std::string::npos);
    CHECK(log.find("usr-readonly") != std::string::npos);
    CHECK(log.find("hostname-ok") != std::string::npos);
    // The namespace holds its init, the shell and the pipeline: a handful,
    // where the host has dozens.
    const auto at = log.find("pids=");
    REQUIRE(at != std::string::npos);
    CHECK(std::stoi(log.substr(at + 5)) < 10);
}

TEST_CASE("process runtime: a workload outlives the agent and a restarted runtime adopts and stops it", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f;
    f.runtime.reset();
    const auto id = f.leaseId(1);
    const auto spec = shellWorkload(id, "echo started; while true; do sleep 1; done", manifest::WorkloadKind::Service);

    // The "agent" is a forked child that deploys and dies without cleanup.
    const pid_t agent = ::fork();
    if (agent == 0) {
        ProcessRuntime runtime(f.options);
        const bool ok = static_cast<bool>(runtime.deploy(spec));
        ::_exit(ok ? 0 : 1);
    }
    REQUIRE(agent > 0);
    int status = 0;
    REQUIRE(::waitpid(agent, &status, 0) == agent);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);

    f.runtime = std::make_unique<ProcessRuntime>(f.options);
    CHECK(f.runtime->list() == std::vector<std::uint64_t>{id});
    const auto st = f.waitRunning(id);
    CHECK(st.services[0].state == ServiceState::Running);
    CHECK(waitUntil([&] { return f.log(id) == "started\n"; }));
    CHECK(f.runtime->reserved().memoryMib == spec.limits.memoryMib);
    // A second runtime over the same dir (another restart) changes nothing.
    { ProcessRuntime again(f.options); }
    CHECK(f.runtime->status(id)->services[0].state == ServiceState::Running);
    CHECK(f.runtime->deploy(spec).error().code == RuntimeErrorCode::AlreadyExists);

    f.runtime->stop(id);
    const auto stopped = f.runtime->status(id);
    REQUIRE(stopped);
    CHECK(stopped->services[0].state == ServiceState::Stopped);
    CHECK(stopped->finished());
    CHECK(f.runtime->reserved() == Resources{});
    // remove() deletes what is left.
    f.runtime->remove(id);
    CHECK(f.runtime->list().empty());
    CHECK_FALSE(f.runtime->status(id));
}

TEST_CASE("process runtime: a shim killed from outside leaves a Lost service that stop() cleans up", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f;
    const auto id = f.leaseId(1);
    REQUIRE(f.runtime->deploy(shellWorkload(id, "while true; do sleep 1; done", manifest::WorkloadKind::Service)));
    f.waitRunning(id);
    const std::string dir = f.options.stateDir + "/lease-" + std::to_string(id) + "/main";
    const pid_t shim = std::stoi(readFile(dir + "/shim.pid"));
    REQUIRE(::kill(shim, SIGKILL) == 0);
    CHECK(waitUntil([&] { return f.runtime->status(id)->services[0].state == ServiceState::Lost; }));
    CHECK(f.runtime->status(id)->finished());
    f.runtime->stop(id);
    CHECK(f.runtime->status(id)->services[0].state == ServiceState::Stopped);
    CHECK(Cgroup(f.runtime->leaseCgroup(id) + "/main").processes().empty());
}

TEST_CASE("process runtime: an exposed service answers HTTP on the endpoint status reports", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f;
    const auto id = f.leaseId(1);
    auto spec =
        shellWorkload(id, "echo port=$PORT_8080; exec python3 -m http.server $PORT", manifest::WorkloadKind::Service);
    spec.manifest.services[0].expose = {manifest::Port{8080, "tcp"}};
    REQUIRE(f.runtime->deploy(spec));
    const auto st = f.waitRunning(id);
    REQUIRE(st.endpoints.size() == 1);
    const Endpoint ep = st.endpoints[0];
    CHECK(ep.service == "main");
    CHECK(ep.port == 8080);
    CHECK(ep.host == "127.0.0.1");
    CHECK(ep.hostPort >= f.options.hostPortFirst);
    CHECK(ep.hostPort <= f.options.hostPortLast);

    std::string reply;
    const bool answered = waitUntil([&] {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(ep.hostPort);
        ::inet_pton(AF_INET, ep.host.c_str(), &addr.sin_addr);
        timeval timeout{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        bool ok = false;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
            const std::string get = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";
            if (::send(fd, get.data(), get.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(get.size())) {
                char buf[256];
                const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n > 0) {
                    reply.assign(buf, static_cast<std::size_t>(n));
                    ok = true;
                }
            }
        }
        ::close(fd);
        return ok;
    });
    REQUIRE(answered);
    CHECK(reply.rfind("HTTP/1.0 200", 0) == 0);
    CHECK(f.log(id).find("port=" + std::to_string(ep.hostPort)) != std::string::npos);

    // A second lease never gets the port a running one holds.
    const auto id2 = f.leaseId(2);
    auto spec2 = spec;
    spec2.leaseId = id2;
    spec2.manifest.services[0].command = {"/bin/sh", "-c", "exit 0"};
    REQUIRE(f.runtime->deploy(spec2));
    const auto st2 = f.runtime->status(id2);
    REQUIRE(st2);
    REQUIRE(st2->endpoints.size() == 1);
    CHECK(st2->endpoints[0].hostPort != ep.hostPort);

    f.runtime->stop(id);
    CHECK(f.runtime->status(id)->services[0].state == ServiceState::Stopped);
}

TEST_CASE("process runtime: output above the log cap keeps the newest bytes and says so", "[runtime]") {
    if (!hostCanSandbox()) return;
    RuntimeFixture f(4096);
    const auto id = f.leaseId(1);
    REQUIRE(
        f.runtime->deploy(shellWorkload(id, "i=0; while [ $i -lt 1000 ]; do printf '%019d\\n' $i; i=$((i+1)); done")));
    const auto st = f.waitFinished(id);
    CHECK(st.succeeded());

    std::string all;
    for (int i = 0; i < 1000; ++i) {
        char line[32];
        std::snprintf(line, sizeof line, "%019d\n", i);
        all += line;
    }
    REQUIRE(all.size() == 20000);
    auto chunk = f.runtime->readLogs(id, "main", 0, 1 << 20);
    REQUIRE(chunk);
    CHECK(chunk->truncatedBefore);
    CHECK(chunk->nextOffset == all.size());
    CHECK(chunk->data.size() >= 2048);
    CHECK(chunk->data.size() <= 4096);
    CHECK(chunk->data == all.substr(all.size() - chunk->data.size()));

    auto last = f.runtime->readLogs(id, "main", all.size() - 20, 100);
    REQUIRE(last);
    CHECK_FALSE(last->truncatedBefore);
    CHECK(last->data == "0000000000000000999\n");
    CHECK(*f.runtime->tailOffset(id, "main", 2) == all.size() - 40);
}

TEST_CASE("process runtime: deploy refuses images, GPUs the host lacks, capacity beyond, a taken lease", "[runtime]") {
    RuntimeFixture f;
    const auto id = f.leaseId(1);

    auto image = shellWorkload(id, "true");
    image.manifest.services[0].image = "docker.io/library/alpine";
    CHECK(f.runtime->deploy(image).error().code == RuntimeErrorCode::Unsupported);

    auto gpu = shellWorkload(id, "true");
    gpu.limits.gpus = {GpuCount{"nvidia-a100", 1}};
    CHECK(f.runtime->deploy(gpu).error().code == RuntimeErrorCode::Unsupported);

    auto big = shellWorkload(id, "true");
    big.limits.memoryMib = 1 << 20;
    CHECK(f.runtime->deploy(big).error().code == RuntimeErrorCode::InsufficientCapacity);
    CHECK(f.runtime->list().empty());  // refusals leave nothing behind

    if (!hostCanSandbox()) return;
    REQUIRE(f.runtime->deploy(shellWorkload(id, "true")));
    CHECK(f.runtime->deploy(shellWorkload(id, "true")).error().code == RuntimeErrorCode::AlreadyExists);
    f.waitFinished(id);
    CHECK(f.runtime->deploy(shellWorkload(id, "true")).error().code == RuntimeErrorCode::AlreadyExists);
    f.runtime->remove(id);
    CHECK(f.runtime->deploy(shellWorkload(id, "true")));
}
