#pragma once
// What a shim runs: one service of one lease, written by ProcessRuntime as
// `spec.json` in the service dir and read by the shim (`shim --dir D`). The
// file is the whole contract between the two, so a shim started by one agent
// binary keeps working after the agent is replaced.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "node/provider/runtime/Cgroup.h"

namespace agora::provider {

struct ShimSpec {
    std::uint64_t leaseId = 0;
    std::string service;
    std::vector<std::string> command;        // argv inside the sandbox
    std::map<std::string, std::string> env;  // the whole environment inside the sandbox
    std::string workdir = "/work";           // cwd inside the sandbox
    std::string bwrapPath = "/usr/bin/bwrap";
    std::string leaseCgroup;    // holds the lease's limits, e.g. "agora/lease-7"
    std::string serviceCgroup;  // holds this service's processes, e.g. "agora/lease-7/web"
    CgroupLimits limits;        // applied to leaseCgroup
    std::uint64_t logCapBytes = 8 * 1024 * 1024;
    std::uint64_t stopGraceMillis = 5000;  // SIGTERM to SIGKILL
    std::uint32_t sandboxUid = 65534;      // uid and gid inside and, when the shim is root, outside

    std::string toJson() const;
    static Expected<ShimSpec, std::string> fromJson(const std::string& text);
};

}  // namespace agora::provider
