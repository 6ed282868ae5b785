#include "node/provider/runtime/ProcessRuntime.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "node/provider/runtime/Cgroup.h"
#include "node/provider/runtime/HostCapacity.h"
#include "node/provider/runtime/ServiceExit.h"
#include "node/provider/runtime/ServiceLog.h"
#include "node/provider/runtime/ShimPid.h"
#include "node/provider/runtime/ShimSpec.h"

namespace agora::provider {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";
// After the grace, how long stop() waits for shims to finish their cleanup.
constexpr auto kStopCleanupWait = std::chrono::seconds(5);
// Status polls while stop() waits; the shims write their exit files at their own pace.
constexpr auto kStopPollInterval = std::chrono::milliseconds(20);

RuntimeError error(RuntimeErrorCode code, std::string message) {
    return RuntimeError{code, std::move(message)};
}

// The part of a workload the runtime itself needs again after a restart.
struct WorkloadRecord {
    std::uint64_t leaseId = 0;
    Resources limits;
    std::vector<std::string> services;
    std::vector<Endpoint> endpoints;  // host is filled in from the options when reported

    std::string toJson() const {
        nlohmann::json j;
        j["lease_id"] = leaseId;
        nlohmann::json gpus = nlohmann::json::array();
        for (const GpuCount& g : limits.gpus) gpus.push_back({{"model", g.model}, {"count", g.count}});
        j["limits"] = {{"cpu_millicores", limits.cpuMillicores},
                       {"memory_mib", limits.memoryMib},
                       {"storage_gib", limits.storageGib},
                       {"gpus", gpus}};
        j["services"] = services;
        nlohmann::json eps = nlohmann::json::array();
        for (const Endpoint& e : endpoints) {
            eps.push_back({{"service", e.service}, {"port", e.port}, {"host_port", e.hostPort}});
        }
        j["endpoints"] = eps;
        return j.dump(2);
    }

    static std::optional<WorkloadRecord> read(const std::string& path) {
        std::ifstream in(path);
        if (!in) return std::nullopt;
        try {
            const nlohmann::json j = nlohmann::json::parse(in);
            WorkloadRecord r;
            r.leaseId = j.at("lease_id").get<std::uint64_t>();
            const auto& l = j.at("limits");
            r.limits.cpuMillicores = l.at("cpu_millicores").get<std::uint64_t>();
            r.limits.memoryMib = l.at("memory_mib").get<std::uint64_t>();
            r.limits.storageGib = l.at("storage_gib").get<std::uint64_t>();
            for (const auto& g : l.at("gpus")) {
                r.limits.gpus.push_back(GpuCount{g.at("model").get<std::string>(), g.at("count").get<std::uint32_t>()});
            }
            r.services = j.at("services").get<std::vector<std::string>>();
            for (const auto& e : j.at("endpoints")) {
                Endpoint ep;
                ep.service = e.at("service").get<std::string>();
                ep.port = e.at("port").get<std::uint16_t>();
                ep.hostPort = e.at("host_port").get<std::uint16_t>();
                r.endpoints.push_back(ep);
            }
            return r;
        } catch (const nlohmann::json::exception&) {
            return std::nullopt;
        }
    }
};

bool writeFileAtomically(const std::string& path, const std::string& text, const std::string& tmpSuffix) {
    const std::string tmp = path + tmpSuffix;
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// The shim of `dir` is alive: its pid exists and is still that shim (pids are
// reused after it died, and after a reboot every pid is somebody else's).
std::optional<pid_t> liveShim(const std::string& dir) {
    const auto shim = ShimPid::read(dir + "/shim.pid");
    if (!shim || !shim->alive(dir)) return std::nullopt;
    return shim->pid;
}

bool shimAlive(const std::string& dir) {
    return liveShim(dir).has_value();
}

bool portFree(std::uint16_t port, const std::string& proto) {
    const int fd = ::socket(AF_INET, (proto == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(port);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// Starts `args` as a daemon: its own session, reparented to init (double
// fork), stdin /dev/null, stdout+stderr to logPath, no inherited fds, default
// signal handling. Returns its pid once it has exec'd.
Expected<pid_t, std::string> spawnDetached(std::vector<std::string> args, const std::string& logPath) {
    // Built before fork: the agent is multi-threaded, so between fork and
    // exec only async-signal-safe calls (no malloc) are allowed.
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int logFd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int report[2];
    if (devNull < 0 || logFd < 0 || ::pipe2(report, O_CLOEXEC) != 0) {
        const std::string why = std::strerror(errno);
        if (devNull >= 0) ::close(devNull);
        if (logFd >= 0) ::close(logFd);
        return Unexpected("spawn: " + why);
    }
    sigset_t empty;
    sigemptyset(&empty);
    const long maxFd = ::sysconf(_SC_OPEN_MAX);

    const pid_t middle = ::fork();
    if (middle == 0) {
        ::setsid();
        const pid_t shim = ::fork();
        if (shim != 0) {
            if (shim > 0) (void)!::write(report[1], &shim, sizeof shim);
            ::_exit(shim > 0 ? 0 : 1);
        }
        ::dup2(devNull, 0);
        ::dup2(logFd, 1);
        ::dup2(logFd, 2);
        ::dup2(report[1], 3);
        ::fcntl(3, F_SETFD, FD_CLOEXEC);
        if (::syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
            for (long fd = 4; fd < maxFd; ++fd) ::close(static_cast<int>(fd));
        }
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
        ::sigprocmask(SIG_SETMASK, &empty, nullptr);
        ::execv(argv[0], argv.data());
        const int err = errno;
        (void)!::write(3, &err, sizeof err);
        ::_exit(127);
    }
    ::close(report[1]);
    ::close(devNull);
    ::close(logFd);
    if (middle < 0) {
        ::close(report[0]);
        return Unexpected(std::string("fork: ") + std::strerror(errno));
    }
    int status = 0;
    while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
    }
    pid_t shim = -1;
    int execErrno = 0;
    const ssize_t got = ::read(report[0], &shim, sizeof shim);
    const ssize_t gotErr = got == sizeof shim ? ::read(report[0], &execErrno, sizeof execErrno) : 0;
    ::close(report[0]);
    if (got != sizeof shim) return Unexpected(std::string("spawn: second fork failed"));
    if (gotErr == sizeof execErrno) return Unexpected("exec " + args[0] + ": " + std::strerror(execErrno));
    return shim;
}

// Adds b to a, refusing overflow.
bool addResources(Resources& a, const Resources& b) {
    const auto add = [](std::uint64_t& x, std::uint64_t y) {
        if (x > std::numeric_limits<std::uint64_t>::max() - y) return false;
        x += y;
        return true;
    };
    if (!add(a.cpuMillicores, b.cpuMillicores) || !add(a.memoryMib, b.memoryMib) || !add(a.storageGib, b.storageGib)) {
        return false;
    }
    for (const GpuCount& g : b.gpus) {
        auto it = std::find_if(a.gpus.begin(), a.gpus.end(), [&](const GpuCount& x) { return x.model == g.model; });
        if (it == a.gpus.end()) {
            a.gpus.push_back(g);
        } else {
            if (it->count > std::numeric_limits<std::uint32_t>::max() - g.count) return false;
            it->count += g.count;
        }
    }
    return true;
}

std::uint32_t gpuCount(const Resources& r, const std::string& model) {
    for (const GpuCount& g : r.gpus) {
        if (g.model == model) return g.count;
    }
    return 0;
}

ServiceStatus serviceStatus(const std::string& name, const std::string& dir, const Cgroup& cgroup) {
    ServiceStatus s;
    s.name = name;
    auto exit = ServiceExit::readFrom(dir);
    if (!exit) {
        if (shimAlive(dir)) {
            s.state =
                ::access((dir + "/sandbox.pid").c_str(), F_OK) == 0 ? ServiceState::Running : ServiceState::Starting;
            s.memoryBytes = cgroup.memoryBytes();
            s.cpuUsageNanos = cgroup.cpuUsageNanos();
            return s;
        }
        exit = ServiceExit::readFrom(dir);  // the shim may have finished between the two looks
    }
    if (!exit) {
        s.state = ::access((dir + "/stop").c_str(), F_OK) == 0 ? ServiceState::Stopped : ServiceState::Lost;
        return s;
    }
    s.exitCode = exit->code;
    s.state = exit->stopped ? ServiceState::Stopped : exit->oomKilled ? ServiceState::OomKilled : ServiceState::Exited;
    return s;
}

}  // namespace

ProcessRuntime::ProcessRuntime(ProcessRuntimeOptions options) : options_(std::move(options)) {
    std::error_code ec;
    fs::create_directories(options_.stateDir, ec);
    capacity_ = options_.capacity ? *options_.capacity : discoverHostCapacity(options_.stateDir);
}

bool ProcessRuntime::hostSupported(const std::string& bwrapPath) {
    return ::access(bwrapPath.c_str(), X_OK) == 0 && Cgroup::writable();
}

std::string ProcessRuntime::leaseDir(std::uint64_t leaseId) const {
    return options_.stateDir + "/lease-" + std::to_string(leaseId);
}

std::string ProcessRuntime::serviceDir(std::uint64_t leaseId, const std::string& service) const {
    return leaseDir(leaseId) + "/" + service;
}

std::string ProcessRuntime::leaseCgroup(std::uint64_t leaseId) const {
    return options_.cgroupParent + "/lease-" + std::to_string(leaseId);
}

Expected<void, RuntimeError> ProcessRuntime::deploy(const WorkloadSpec& spec) {
    if (auto ok = checkServices(spec, "process", RuntimeSupport{.images = false, .ports = true}); !ok)
        return Unexpected(ok.error());
    const auto& services = spec.manifest.services;
    for (const GpuCount& g : spec.limits.gpus) {
        if (g.count > gpuCount(capacity_, g.model)) {
            return Unexpected(error(RuntimeErrorCode::Unsupported,
                                    "this host has no " + std::to_string(g.count) + " GPU(s) of model " + g.model));
        }
    }

    std::lock_guard lock(mutex_);
    const std::string dir = leaseDir(spec.leaseId);
    if (fs::exists(dir)) {
        return Unexpected(error(RuntimeErrorCode::AlreadyExists,
                                "lease " + std::to_string(spec.leaseId) + " already has a workload"));
    }
    Resources wanted = reservedLocked();
    if (!addResources(wanted, spec.limits) || wanted.cpuMillicores > capacity_.cpuMillicores ||
        wanted.memoryMib > capacity_.memoryMib || wanted.storageGib > capacity_.storageGib ||
        std::any_of(wanted.gpus.begin(), wanted.gpus.end(),
                    [&](const GpuCount& g) { return g.count > gpuCount(capacity_, g.model); })) {
        return Unexpected(error(RuntimeErrorCode::InsufficientCapacity,
                                "lease " + std::to_string(spec.leaseId) + " does not fit the free capacity"));
    }

    WorkloadRecord record;
    record.leaseId = spec.leaseId;
    record.limits = spec.limits;
    std::set<std::uint16_t> held;
    for (const std::uint16_t p : portsHeldLocked()) held.insert(p);
    std::uint32_t next = options_.hostPortFirst;
    for (const auto& svc : services) {
        record.services.push_back(svc.name);
        for (const auto& port : svc.expose) {
            while (next <= options_.hostPortLast && (held.count(static_cast<std::uint16_t>(next)) > 0 ||
                                                     !portFree(static_cast<std::uint16_t>(next), port.proto))) {
                ++next;
            }
            if (next > options_.hostPortLast) {
                return Unexpected(error(RuntimeErrorCode::InsufficientCapacity, "no free host port in the range"));
            }
            Endpoint ep;
            ep.service = svc.name;
            ep.port = port.port;
            ep.hostPort = static_cast<std::uint16_t>(next++);
            record.endpoints.push_back(ep);
        }
    }

    std::error_code ec;
    if (!fs::create_directory(dir, ec) || ec) {
        return Unexpected(error(ec ? RuntimeErrorCode::SystemError : RuntimeErrorCode::AlreadyExists,
                                dir + ": " + (ec ? ec.message() : std::string("exists"))));
    }
    if (!writeFileAtomically(dir + "/workload.json", record.toJson(), ".tmp")) {
        fs::remove_all(dir, ec);
        return Unexpected(error(RuntimeErrorCode::SystemError, dir + "/workload.json: cannot write"));
    }

    std::optional<RuntimeError> failure;
    for (const auto& svc : services) {
        const std::string sdir = serviceDir(spec.leaseId, svc.name);
        fs::create_directories(sdir + "/work", ec);
        ShimSpec shim;
        shim.leaseId = spec.leaseId;
        shim.service = svc.name;
        shim.command = svc.command;
        shim.env["PATH"] = kDefaultPath;
        for (const auto& [k, v] : svc.env) shim.env[k] = v;
        for (const auto& [k, v] : spec.extraEnv) shim.env[k] = v;
        shim.env["HOME"] = "/work";
        bool first = true;
        for (const Endpoint& ep : record.endpoints) {
            if (ep.service != svc.name) continue;
            if (first) shim.env["PORT"] = std::to_string(ep.hostPort);
            first = false;
            shim.env["PORT_" + std::to_string(ep.port)] = std::to_string(ep.hostPort);
        }
        shim.workdir = svc.workdir.empty() ? std::string("/work") : svc.workdir;
        shim.bwrapPath = options_.bwrapPath;
        shim.leaseCgroup = leaseCgroup(spec.leaseId);
        shim.serviceCgroup = shim.leaseCgroup + "/" + svc.name;
        shim.limits = CgroupLimits{spec.limits.cpuMillicores, spec.limits.memoryMib, options_.maxPidsPerLease};
        shim.logCapBytes = options_.logCapBytes;
        shim.stopGraceMillis = options_.stopGraceMillis;
        if (ec || !writeFileAtomically(sdir + "/spec.json", shim.toJson(), ".tmp")) {
            failure = error(RuntimeErrorCode::SystemError, sdir + ": cannot write the spec");
            break;
        }
        std::vector<std::string> args = options_.shimCommand;
        args.insert(args.end(), {"--dir", sdir});
        auto pid = spawnDetached(std::move(args), sdir + "/shim.log");
        if (!pid) {
            failure = error(RuntimeErrorCode::SystemError, "service " + svc.name + ": " + pid.error());
            break;
        }
        // Written here too, not only by the shim: a stop() right after deploy
        // must find it. The start time is readable though exec may still run.
        ShimPid::of(*pid).value_or(ShimPid{*pid, 0}).write(sdir + "/shim.pid", ".spawn.tmp");
    }
    if (failure) {
        // Nothing half-started stays behind: the caller may deploy again.
        mutex_.unlock();
        stop(spec.leaseId);
        mutex_.lock();
        fs::remove_all(dir, ec);
        return Unexpected(*failure);
    }
    return {};
}

std::optional<WorkloadStatus> ProcessRuntime::status(std::uint64_t leaseId) {
    const auto record = WorkloadRecord::read(leaseDir(leaseId) + "/workload.json");
    if (!record) return std::nullopt;
    WorkloadStatus st;
    st.leaseId = leaseId;
    const std::string cgroupBase = leaseCgroup(leaseId) + "/";
    for (const std::string& name : record->services) {
        st.services.push_back(serviceStatus(name, serviceDir(leaseId, name), Cgroup(cgroupBase + name)));
    }
    for (Endpoint ep : record->endpoints) {
        ep.host = options_.advertisedHost;
        st.endpoints.push_back(ep);
    }
    return st;
}

Expected<LogChunk, RuntimeError> ProcessRuntime::readLogs(std::uint64_t leaseId, const std::string& service,
                                                          std::uint64_t offset, std::size_t maxBytes) {
    return readServiceLog(serviceDir(leaseId, service), leaseId, service, offset, maxBytes);
}

Expected<std::uint64_t, RuntimeError> ProcessRuntime::tailOffset(std::uint64_t leaseId, const std::string& service,
                                                                 std::size_t lines) {
    return serviceLogTailOffset(serviceDir(leaseId, service), leaseId, service, lines);
}

void ProcessRuntime::stop(std::uint64_t leaseId) {
    const auto record = WorkloadRecord::read(leaseDir(leaseId) + "/workload.json");
    if (!record) return;
    std::vector<std::string> pending;
    for (const std::string& name : record->services) {
        const std::string dir = serviceDir(leaseId, name);
        if (fs::exists(dir + "/exit")) continue;
        writeFileAtomically(dir + "/stop", "stop\n", ".tmp");
        if (const auto pid = liveShim(dir)) ::kill(*pid, SIGTERM);
        pending.push_back(name);
    }
    const auto graceEnd = Clock::now() + std::chrono::milliseconds(options_.stopGraceMillis);
    bool killed = false;
    while (!pending.empty()) {
        std::erase_if(pending, [&](const std::string& name) {
            const std::string dir = serviceDir(leaseId, name);
            return fs::exists(dir + "/exit") || !shimAlive(dir);
        });
        if (pending.empty()) break;
        const auto now = Clock::now();
        if (now >= graceEnd && !killed) {
            // The shim kills its sandbox at the same deadline; this covers a
            // shim that is stuck or was stopped (SIGSTOP) from outside.
            for (const std::string& name : pending) Cgroup(leaseCgroup(leaseId) + "/" + name).signalAll(SIGKILL);
            killed = true;
        }
        if (now >= graceEnd + kStopCleanupWait) {
            for (const std::string& name : pending) {
                if (const auto pid = liveShim(serviceDir(leaseId, name))) ::kill(*pid, SIGKILL);
            }
            break;
        }
        std::this_thread::sleep_for(kStopPollInterval);  // polling files the shims write; not synchronisation
    }
    // A shim that died without its exit file (killed from outside) leaves its
    // cgroups and no record: clean up for it, so the resources are free.
    for (const std::string& name : record->services) {
        const std::string dir = serviceDir(leaseId, name);
        if (fs::exists(dir + "/exit")) continue;
        const Cgroup cgroup(leaseCgroup(leaseId) + "/" + name);
        cgroup.signalAll(SIGKILL);
        const auto deadline = Clock::now() + kStopCleanupWait;
        while (!cgroup.processes().empty() && Clock::now() < deadline) std::this_thread::sleep_for(kStopPollInterval);
        cgroup.remove();
        ServiceExit e;
        e.code = 128 + SIGKILL;
        e.stopped = true;
        e.error = "the shim was gone; stopped by the runtime";
        e.writeTo(dir);
    }
    Cgroup(leaseCgroup(leaseId)).remove();
}

void ProcessRuntime::remove(std::uint64_t leaseId) {
    stop(leaseId);
    std::lock_guard lock(mutex_);
    std::error_code ec;
    fs::remove_all(leaseDir(leaseId), ec);
}

std::vector<std::uint64_t> ProcessRuntime::list() {
    std::vector<std::uint64_t> ids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options_.stateDir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("lease-", 0) != 0 || name.size() == 6 || name.size() > 26) continue;
        const std::string digits = name.substr(6);
        if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        if (!fs::exists(entry.path() / "workload.json")) continue;  // a deploy in progress or a half-removed one
        try {
            ids.push_back(std::stoull(digits));
        } catch (const std::exception&) {
        }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

Resources ProcessRuntime::reserved() {
    std::lock_guard lock(mutex_);
    return reservedLocked();
}

Resources ProcessRuntime::reservedLocked() {
    Resources sum;
    for (const std::uint64_t id : list()) {
        const auto st = status(id);
        if (!st || st->finished()) continue;
        const auto record = WorkloadRecord::read(leaseDir(id) + "/workload.json");
        if (record) (void)addResources(sum, record->limits);
    }
    return sum;
}

std::vector<std::uint16_t> ProcessRuntime::portsHeldLocked() {
    std::vector<std::uint16_t> ports;
    for (const std::uint64_t id : list()) {
        const auto st = status(id);
        if (!st || st->finished()) continue;
        for (const Endpoint& ep : st->endpoints) ports.push_back(ep.hostPort);
    }
    return ports;
}

}  // namespace agora::provider
