#pragma once
// The `process` runtime: each service of a lease runs on this host in a
// bubblewrap sandbox, limited by cgroups, owned by a detached shim process
// (Shim.h) so it survives the agent (docs/provider-runtime.md).
//
// State lives in files only, under options.stateDir:
//   lease-<id>/workload.json         limits, services, assigned host ports
//   lease-<id>/<service>/spec.json   what the shim runs (ShimSpec)
//   lease-<id>/<service>/shim.pid, sandbox.pid, log*, stop, exit, work/
// so a new ProcessRuntime over the same dir (the restarted agent) finds every
// workload again; constructing one never touches running workloads.
//
// Exposed ports: each gets a free host port from the range (bind-tested, and
// never one a workload that has not ended holds); the service must listen on
// $PORT (the first exposed port's host port) or $PORT_<port>; endpoints
// report advertisedHost:hostPort. The sandbox shares the host network.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "node/provider/runtime/Runtime.h"

namespace agora::provider {

struct ProcessRuntimeOptions {
    std::string stateDir;                  // e.g. <agent home>/workloads; created if missing
    std::vector<std::string> shimCommand;  // e.g. {"/usr/bin/agora-provider", "shim"}; `--dir D` is appended
    std::string cgroupParent = "agora";    // cgroups are <parent>/lease-<id>/<service>
    std::uint16_t hostPortFirst = 20000;
    std::uint16_t hostPortLast = 29999;
    std::string advertisedHost = "127.0.0.1";
    std::uint64_t logCapBytes = 8 * 1024 * 1024;  // per service
    std::optional<Resources> capacity;            // default: discoverHostCapacity(stateDir)
    std::string bwrapPath = "/usr/bin/bwrap";
    std::uint64_t stopGraceMillis = 5000;  // SIGTERM to SIGKILL
    std::uint64_t maxPidsPerLease = 512;
};

class ProcessRuntime final : public Runtime {
public:
    explicit ProcessRuntime(ProcessRuntimeOptions options);

    std::string name() const override { return "process"; }
    Expected<void, RuntimeError> deploy(const WorkloadSpec& spec) override;
    std::optional<WorkloadStatus> status(std::uint64_t leaseId) override;
    Expected<LogChunk, RuntimeError> readLogs(std::uint64_t leaseId, const std::string& service, std::uint64_t offset,
                                              std::size_t maxBytes) override;
    Expected<std::uint64_t, RuntimeError> tailOffset(std::uint64_t leaseId, const std::string& service,
                                                     std::size_t lines) override;
    void stop(std::uint64_t leaseId) override;
    void remove(std::uint64_t leaseId) override;
    std::vector<std::uint64_t> list() override;
    Resources capacity() override { return capacity_; }

    // The resources held by workloads that have not ended (deploy refuses
    // what would take the sum above capacity()).
    Resources reserved();
    // The lease's cgroup below the controllers' roots, "<parent>/lease-<id>".
    std::string leaseCgroup(std::uint64_t leaseId) const;
    // Whether this host can run the process runtime at all: bwrap exists and
    // the cgroup controllers are writable (the runtime refuses nothing
    // itself; a shim that cannot set limits ends its service with an error).
    static bool hostSupported(const std::string& bwrapPath);

private:
    std::string leaseDir(std::uint64_t leaseId) const;
    std::string serviceDir(std::uint64_t leaseId, const std::string& service) const;
    Resources reservedLocked();
    std::vector<std::uint16_t> portsHeldLocked();

    ProcessRuntimeOptions options_;
    Resources capacity_;
    std::mutex mutex_;  // deploy's capacity and port decisions, remove's deletion
};

}  // namespace agora::provider
