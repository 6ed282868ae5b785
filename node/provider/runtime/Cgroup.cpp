#include "node/provider/runtime/Cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace agora::provider {

namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";
constexpr const char* kUnifiedMarker = "/sys/fs/cgroup/cgroup.controllers";  // only v2 has it at the root

// Cgroup files want one write() per value; an ofstream may split or buffer it.
Expected<void, std::string> writeValue(const std::string& path, const std::string& value) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Unexpected(path + ": " + std::strerror(errno));
    const ssize_t n = ::write(fd, value.data(), value.size());
    const int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(value.size())) return Unexpected(path + " <- " + value + ": " + std::strerror(err));
    return {};
}

std::string readText(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::uint64_t readNumber(const std::string& path) {
    std::istringstream in(readText(path));
    std::uint64_t v = 0;
    in >> v;
    return in ? v : 0;
}

// The value of `key` in a "key value" per line file (memory.events, cpu.stat, oom_control).
std::uint64_t readKeyed(const std::string& path, const std::string& key) {
    std::istringstream in(readText(path));
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string k;
        std::uint64_t v = 0;
        if (fields >> k >> v && k == key) return v;
    }
    return 0;
}

const char* v1ControllerDir(CgroupController c) {
    switch (c) {
        case CgroupController::Cpu:
            return "cpu";
        case CgroupController::CpuAccounting:
            return "cpuacct";
        case CgroupController::Memory:
            return "memory";
        case CgroupController::Pids:
            return "pids";
    }
    return "memory";
}

constexpr CgroupController kControllers[] = {CgroupController::Cpu, CgroupController::CpuAccounting,
                                             CgroupController::Memory, CgroupController::Pids};

}  // namespace

Cgroup::Cgroup(std::string relativePath) : relativePath_(std::move(relativePath)), version_(detectVersion()) {}

CgroupVersion Cgroup::detectVersion() {
    return ::access(kUnifiedMarker, F_OK) == 0 ? CgroupVersion::V2 : CgroupVersion::V1;
}

bool Cgroup::writable() {
    if (detectVersion() == CgroupVersion::V2) return ::access(kRoot, W_OK) == 0;
    for (const CgroupController c : kControllers) {
        if (::access((std::string(kRoot) + "/" + v1ControllerDir(c)).c_str(), W_OK) != 0) return false;
    }
    return true;
}

Expected<std::uint64_t, std::string> Cgroup::cpuQuotaMicros(std::uint64_t millicores) {
    if (millicores > std::numeric_limits<std::uint64_t>::max() / kCpuPeriodMicros) {
        return Unexpected(std::string("cpu millicores out of range"));
    }
    return std::max<std::uint64_t>(millicores * kCpuPeriodMicros / 1000, 1000);
}

std::string Cgroup::directory(CgroupController controller) const {
    switch (version_) {
        case CgroupVersion::V1:
            return std::string(kRoot) + "/" + v1ControllerDir(controller) + "/" + relativePath_;
        case CgroupVersion::V2:
            return std::string(kRoot) + "/" + relativePath_;
    }
    return std::string(kRoot) + "/" + relativePath_;
}

std::vector<std::string> Cgroup::directories() const {
    std::set<std::string> unique;
    for (const CgroupController c : kControllers) unique.insert(directory(c));
    return {unique.begin(), unique.end()};
}

std::string Cgroup::filePath(CgroupController controller, const std::string& name) const {
    return directory(controller) + "/" + name;
}

Expected<void, std::string> Cgroup::create() const {
    if (version_ == CgroupVersion::V2) {
        // Controllers reach a child only when every ancestor lists them in
        // cgroup.subtree_control; one write per controller so a missing one
        // (no cpu controller on some kernels) does not block the others.
        std::string dir = kRoot;
        std::istringstream parts(relativePath_);
        for (std::string part; std::getline(parts, part, '/');) {
            if (part.empty()) continue;
            for (const char* c : {"+cpu", "+memory", "+pids"}) (void)writeValue(dir + "/cgroup.subtree_control", c);
            dir += "/" + part;
            std::error_code ec;
            std::filesystem::create_directory(dir, ec);
            if (ec) return Unexpected(dir + ": " + ec.message());
        }
        return {};
    }
    for (const std::string& dir : directories()) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) return Unexpected(dir + ": " + ec.message());
    }
    return {};
}

Expected<void, std::string> Cgroup::applyLimits(const CgroupLimits& limits) const {
    std::string quota = "-1";
    if (limits.cpuMillicores > 0) {
        auto q = cpuQuotaMicros(limits.cpuMillicores);
        if (!q) return Unexpected(q.error());
        quota = std::to_string(*q);
    }
    std::string memory = "-1";
    if (limits.memoryMib > 0) {
        if (limits.memoryMib > (std::numeric_limits<std::uint64_t>::max() >> 20)) {
            return Unexpected(std::string("memory limit out of range"));
        }
        memory = std::to_string(limits.memoryMib << 20);
    }
    const std::string pids = limits.maxPids > 0 ? std::to_string(limits.maxPids) : "max";
    switch (version_) {
        case CgroupVersion::V1: {
            if (auto r =
                    writeValue(filePath(CgroupController::Cpu, "cpu.cfs_period_us"), std::to_string(kCpuPeriodMicros));
                !r)
                return r;
            if (auto r = writeValue(filePath(CgroupController::Cpu, "cpu.cfs_quota_us"), quota); !r) return r;
            if (auto r = writeValue(filePath(CgroupController::Memory, "memory.limit_in_bytes"), memory); !r) return r;
            // Without these the kernel swaps the workload out instead of
            // OOM-killing it, and a lease could use memory it did not pay for.
            (void)writeValue(filePath(CgroupController::Memory, "memory.swappiness"), "0");
            const std::string memsw = filePath(CgroupController::Memory, "memory.memsw.limit_in_bytes");
            if (::access(memsw.c_str(), F_OK) == 0) {
                if (auto r = writeValue(memsw, memory); !r) return r;
            }
            if (auto r = writeValue(filePath(CgroupController::Pids, "pids.max"), pids); !r) return r;
            return {};
        }
        case CgroupVersion::V2: {
            const std::string cpuMax =
                (quota == "-1" ? std::string("max") : quota) + " " + std::to_string(kCpuPeriodMicros);
            if (auto r = writeValue(filePath(CgroupController::Cpu, "cpu.max"), cpuMax); !r) return r;
            if (auto r = writeValue(filePath(CgroupController::Memory, "memory.max"),
                                    memory == "-1" ? std::string("max") : memory);
                !r)
                return r;
            (void)writeValue(filePath(CgroupController::Memory, "memory.swap.max"), "0");
            if (auto r = writeValue(filePath(CgroupController::Pids, "pids.max"), pids); !r) return r;
            return {};
        }
    }
    return {};
}

Expected<void, std::string> Cgroup::addProcess(pid_t pid) const {
    for (const std::string& dir : directories()) {
        if (auto r = writeValue(dir + "/cgroup.procs", std::to_string(pid)); !r) return r;
    }
    return {};
}

std::vector<pid_t> Cgroup::processes() const {
    std::set<pid_t> pids;
    for (const std::string& dir : directories()) {
        std::istringstream in(readText(dir + "/cgroup.procs"));
        for (pid_t p = 0; in >> p;) pids.insert(p);
    }
    return {pids.begin(), pids.end()};
}

void Cgroup::signalAll(int sig) const {
    if (version_ == CgroupVersion::V2 && sig == SIGKILL) {
        const std::string kill = filePath(CgroupController::Pids, "cgroup.kill");
        if (::access(kill.c_str(), F_OK) == 0 && writeValue(kill, "1")) return;
    }
    for (const pid_t p : processes()) {
        if (p > 1) ::kill(p, sig);
    }
}

bool Cgroup::oomKilled() const {
    switch (version_) {
        case CgroupVersion::V1:
            return readKeyed(filePath(CgroupController::Memory, "memory.oom_control"), "oom_kill") > 0;
        case CgroupVersion::V2:
            return readKeyed(filePath(CgroupController::Memory, "memory.events"), "oom_kill") > 0;
    }
    return false;
}

std::uint64_t Cgroup::memoryLimitHits() const {
    switch (version_) {
        case CgroupVersion::V1:
            return readNumber(filePath(CgroupController::Memory, "memory.failcnt"));
        case CgroupVersion::V2:
            return readKeyed(filePath(CgroupController::Memory, "memory.events"), "max");
    }
    return 0;
}

std::uint64_t Cgroup::memoryBytes() const {
    switch (version_) {
        case CgroupVersion::V1:
            return readNumber(filePath(CgroupController::Memory, "memory.usage_in_bytes"));
        case CgroupVersion::V2:
            return readNumber(filePath(CgroupController::Memory, "memory.current"));
    }
    return 0;
}

std::uint64_t Cgroup::cpuUsageNanos() const {
    switch (version_) {
        case CgroupVersion::V1:
            return readNumber(filePath(CgroupController::CpuAccounting, "cpuacct.usage"));
        case CgroupVersion::V2: {
            const std::uint64_t micros = readKeyed(filePath(CgroupController::Cpu, "cpu.stat"), "usage_usec");
            return micros > std::numeric_limits<std::uint64_t>::max() / 1000 ? 0 : micros * 1000;
        }
    }
    return 0;
}

void Cgroup::remove() const {
    for (const std::string& dir : directories()) ::rmdir(dir.c_str());
}

}  // namespace agora::provider
