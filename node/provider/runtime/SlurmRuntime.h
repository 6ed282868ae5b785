#pragma once
// The `slurm` runtime: each service of a lease is one Slurm batch job,
// submitted, watched and cancelled through the standard client commands
// (sbatch, squeue, scontrol, scancel, sinfo; docs/design-decisions.md says
// why not slurmrestd). The operator's cluster schedules and limits the work;
// the agent sells its capacity (docs/provider.md "Slurm operators").
//
// A job is named `<prefix><lease id>-<service>` (prefix "agora-lease-"), so
// a restarted agent finds its jobs in the queue by name even without its
// state dir, and never submits a lease twice.
//
// Files under options.stateDir, which must be on a filesystem the compute
// nodes share at the same path (the jobs write their output and exit status
// there):
//   lease-<id>/workload.json       services, their job ids, final states seen, stop requested
//   lease-<id>/<service>/job.sh    the batch script (argv quoted, env exported)
//   lease-<id>/<service>/log       the job's stdout+stderr (sbatch --output)
//   lease-<id>/<service>/exit      the command's exit status, written by job.sh
//   lease-<id>.removed             remove() ran; the queue's ended jobs of the lease are ignored
// Slurm forgets an ended job after MinJobAge (300 s by default); the record
// and the exit file keep answering status() after that.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "node/provider/runtime/CommandRunner.h"
#include "node/provider/runtime/Runtime.h"
#include "node/provider/runtime/SlurmText.h"

namespace agora::provider {

struct SlurmRuntimeOptions {
    std::string stateDir;                      // shared by the compute nodes; created if missing
    std::string partition;                     // empty: the cluster's default partition
    std::string account;                       // empty: the Slurm user's default account
    std::string qos;                           // empty: the association's default QOS
    std::vector<std::string> extraSbatchArgs;  // appended to every sbatch, e.g. {"--constraint=ib"}
    std::string slurmConf;                     // SLURM_CONF for the commands; empty: Slurm's default
    std::string binDir;                        // where sbatch & co. are; empty: $PATH
    std::string jobNamePrefix = "agora-lease-";
    std::chrono::milliseconds commandTimeout{30'000};
    // How long stop() waits for cancelled jobs to leave RUNNING/COMPLETING
    // (Slurm's KillWait plus the time to reap the processes).
    std::chrono::milliseconds stopTimeout{60'000};
};

class SlurmRuntime final : public Runtime {
public:
    explicit SlurmRuntime(SlurmRuntimeOptions options);

    std::string name() const override { return "slurm"; }
    Expected<void, RuntimeError> deploy(const WorkloadSpec& spec) override;
    std::optional<WorkloadStatus> status(std::uint64_t leaseId) override;
    Expected<LogChunk, RuntimeError> readLogs(std::uint64_t leaseId, const std::string& service, std::uint64_t offset,
                                              std::size_t maxBytes) override;
    Expected<std::uint64_t, RuntimeError> tailOffset(std::uint64_t leaseId, const std::string& service,
                                                     std::size_t lines) override;
    void stop(std::uint64_t leaseId) override;
    void remove(std::uint64_t leaseId) override;
    std::vector<std::uint64_t> list() override;
    // Re-read from the cluster on every call (sinfo): the CPUs x 1000, the
    // memory and the GPUs of the partition's nodes that can run jobs.
    Resources capacity() override;

    // Whether the Slurm client commands are there and answer, and the
    // partition has a node that can run jobs (sinfo).
    Expected<void, std::string> probe();
    // The Slurm job ids of the lease's services, by service name.
    std::map<std::string, std::string> jobIds(std::uint64_t leaseId);

private:
    struct ServiceRecord {
        std::string name;
        std::string jobId;            // empty until submitted
        std::string finalState;       // Slurm's final state once seen, else empty
        std::optional<int> exitCode;  // with finalState
    };
    struct WorkloadRecord {
        std::uint64_t leaseId = 0;
        std::vector<ServiceRecord> services;
        bool stopRequested = false;
    };

    struct Node {
        std::uint64_t cpus = 0;
        std::uint64_t memoryMib = 0;
        std::vector<GpuCount> gpus;
    };

    std::string leaseDir(std::uint64_t leaseId) const;
    // The partition's nodes that can take jobs (sinfo), each once.
    Expected<std::vector<Node>, std::string> usableNodes() const;
    std::string serviceDir(std::uint64_t leaseId, const std::string& service) const;
    // lease-<id>.removed: remove() ran; kept while Slurm still lists the ended jobs.
    std::string removedMarker(std::uint64_t leaseId) const;
    std::optional<WorkloadRecord> readRecord(std::uint64_t leaseId) const;
    bool writeRecord(const WorkloadRecord& record) const;
    Expected<CommandResult, std::string> run(const std::string& command, std::vector<std::string> args) const;
    // The agent user's jobs that carry this runtime's name prefix (squeue).
    Expected<std::vector<slurm::JobInfo>, std::string> queuedJobs() const;
    // `scontrol show job -o <id>`; nullopt when Slurm no longer knows it.
    Expected<std::optional<slurm::JobInfo>, std::string> showJob(const std::string& id) const;
    void cancel(const std::vector<std::string>& jobIds) const;
    // The record, completed with services found only in the queue (the
    // state dir was lost), or nullopt when neither knows the lease.
    std::optional<WorkloadRecord> recordOrQueue(std::uint64_t leaseId, const std::vector<slurm::JobInfo>& queue) const;
    ServiceStatus serviceStatus(std::uint64_t leaseId, ServiceRecord& service, bool stopRequested,
                                const std::vector<slurm::JobInfo>& queue, bool& recordChanged) const;
    std::vector<std::string> sbatchArgs(const WorkloadSpec& spec, const std::string& service,
                                        const std::string& script) const;

    SlurmRuntimeOptions options_;
    std::mutex mutex_;  // records: deploy's decision, status's updates, stop, remove
};

}  // namespace agora::provider
