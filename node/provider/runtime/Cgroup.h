#pragma once
// One control group of a workload, across the controllers the process runtime
// uses (cpu, cpuacct, memory, pids), on cgroup v1 (one hierarchy per
// controller under /sys/fs/cgroup/<controller>) or v2 (the unified hierarchy,
// detected by /sys/fs/cgroup/cgroup.controllers).
//
// A lease gets `<parent>/lease-<id>` holding the lease's limits, and each
// service a child `<parent>/lease-<id>/<service>` holding its processes, so
// the services of one lease share the lease's resources
// (docs/provider-runtime.md "Cgroups").

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"

namespace agora::provider {

enum class CgroupVersion : std::uint8_t {
    V1 = 1,
    V2 = 2,
};

enum class CgroupController : std::uint8_t {
    Cpu = 0,
    CpuAccounting = 1,
    Memory = 2,
    Pids = 3,
};

struct CgroupLimits {
    std::uint64_t cpuMillicores = 0;  // 0: no quota
    std::uint64_t memoryMib = 0;      // 0: no limit
    std::uint64_t maxPids = 0;        // 0: no limit
};

// The CFS period every quota is expressed in, in microseconds.
inline constexpr std::uint64_t kCpuPeriodMicros = 100000;

class Cgroup {
public:
    // relativePath: below the controllers' roots, e.g. "agora/lease-7/web".
    explicit Cgroup(std::string relativePath);

    // v2 when the unified hierarchy is mounted at /sys/fs/cgroup, else v1.
    static CgroupVersion detectVersion();
    // Whether this process can create cgroups for every controller it needs.
    static bool writable();
    // quota = millicores * period / 1000, at least the kernel's 1 ms.
    static Expected<std::uint64_t, std::string> cpuQuotaMicros(std::uint64_t millicores);

    const std::string& relativePath() const { return relativePath_; }
    CgroupVersion version() const { return version_; }
    // The file `name` of this cgroup in the hierarchy holding `controller`.
    std::string filePath(CgroupController controller, const std::string& name) const;

    // Creates the cgroup (and missing ancestors) in every controller; on v2
    // also enables cpu, memory and pids for the children of each ancestor.
    Expected<void, std::string> create() const;
    Expected<void, std::string> applyLimits(const CgroupLimits& limits) const;
    // Moves pid into this cgroup in every controller.
    Expected<void, std::string> addProcess(pid_t pid) const;

    std::vector<pid_t> processes() const;
    void signalAll(int sig) const;
    // The kernel recorded an OOM kill of a process of this cgroup or below.
    bool oomKilled() const;
    // How often a charge hit the memory limit (v1 failcnt, v2 memory.events max).
    std::uint64_t memoryLimitHits() const;
    std::uint64_t memoryBytes() const;
    std::uint64_t cpuUsageNanos() const;

    // Removes the cgroup directories; a cgroup that still has processes or
    // children stays (rmdir refuses), which callers rely on for the lease cgroup.
    void remove() const;

private:
    std::string directory(CgroupController controller) const;
    std::vector<std::string> directories() const;

    std::string relativePath_;
    CgroupVersion version_;
};

}  // namespace agora::provider
