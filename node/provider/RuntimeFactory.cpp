#include "node/provider/RuntimeFactory.h"

#include "node/provider/runtime/HostCapacity.h"
#include "node/provider/runtime/ProcessRuntime.h"
#include "node/provider/runtime/SlurmRuntime.h"

namespace agora::provider {

Expected<std::unique_ptr<Runtime>, std::string> makeRuntime(const ProviderConfig& config,
                                                            const std::filesystem::path& home,
                                                            const std::vector<std::string>& shimCommand) {
    if (config.runtime == "slurm") {
        SlurmRuntimeOptions o;
        o.stateDir = config.slurmStateDir.empty() ? (home / "data" / "slurm").string() : config.slurmStateDir;
        o.partition = config.slurmPartition;
        o.account = config.slurmAccount;
        o.qos = config.slurmQos;
        o.extraSbatchArgs = config.slurmSbatchArgs;
        o.slurmConf = config.slurmConf;
        o.binDir = config.slurmBinDir;
        o.jobNamePrefix = config.slurmJobNamePrefix;
        auto runtime = std::make_unique<SlurmRuntime>(std::move(o));
        // Refuse to start against a cluster that does not answer: every lease would fail.
        if (auto ok = runtime->probe(); !ok)
            return Unexpected("the slurm runtime cannot reach the cluster: " + ok.error());
        return std::unique_ptr<Runtime>(std::move(runtime));
    }
    if (config.runtime != "process") return Unexpected("runtime.kind \"" + config.runtime + "\" is not supported");
    if (!ProcessRuntime::hostSupported(config.bwrapPath))
        return Unexpected("the process runtime needs " + config.bwrapPath +
                          " (bubblewrap) and writable cgroup controllers (run as root)");
    ProcessRuntimeOptions o;
    o.stateDir = (home / "data" / "workloads").string();
    o.shimCommand = shimCommand;
    o.cgroupParent = config.cgroupParent;
    o.hostPortFirst = config.portRangeFirst;
    o.hostPortLast = config.portRangeLast;
    o.advertisedHost = config.advertiseHost;
    o.logCapBytes = config.logCapBytes;
    o.bwrapPath = config.bwrapPath;
    return std::unique_ptr<Runtime>(std::make_unique<ProcessRuntime>(std::move(o)));
}

}  // namespace agora::provider
