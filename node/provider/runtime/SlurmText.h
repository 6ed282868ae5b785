#pragma once
// What the Slurm runtime reads from and writes for the Slurm commands, as pure
// functions: job names, job states, `scontrol show -o` records, GRES strings,
// batch scripts. No I/O here, so all of it is tested without a cluster.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/MarketTypes.h"
#include "node/provider/runtime/Runtime.h"

namespace agora::provider::slurm {

// "agora-lease-<id>-<service>": the name that lets the agent find its jobs in
// the queue after a restart, without local state.
std::string jobName(const std::string& prefix, std::uint64_t leaseId, const std::string& service);
struct JobNameParts {
    std::uint64_t leaseId = 0;
    std::string service;
};
std::optional<JobNameParts> parseJobName(const std::string& prefix, const std::string& name);

// A job as the runtime needs it.
struct JobInfo {
    std::string id;     // Slurm's job id (decimal)
    std::string name;   // JobName
    std::string state;  // JobState: PENDING, RUNNING, COMPLETED, ...
    int exitCode = 0;   // ExitCode=<code>:<signal>, as one number: signal n -> 128 + n
    std::string reason;
};

// The state of a service whose job is in `state` (docs/provider.md "Slurm").
// `stopRequested`: stop() cancelled it, so CANCELLED is Stopped rather than
// Lost (a job cancelled from outside the agent).
ServiceState serviceState(const std::string& state, bool stopRequested);
// States after which the job never runs again.
bool finalState(const std::string& state);

// One line of `scontrol show job -o` / `scontrol show node -o` as key -> value.
// Values may contain spaces (Command=, WorkDir=): a token without '=' belongs
// to the value before it.
std::map<std::string, std::string> parseRecord(const std::string& line);
// `scontrol show job -o` output, one JobInfo per line.
std::vector<JobInfo> parseJobs(const std::string& text);
// "2:0" -> 2, "0:15" -> 143 (128 + signal).
int parseExitCode(const std::string& value);

// GPUs of a node's Gres= ("gpu:a100:4(S:0-1),gpu:v100:2,shard:8"). Untyped
// "gpu:4" counts under the model "gpu".
std::vector<GpuCount> parseGpus(const std::string& gres);

// The text inside single quotes for /bin/sh: ' becomes '\''.
std::string shellQuote(const std::string& s);

// The batch script of one service: exports the environment, changes to the
// work dir, runs the argv (each word quoted: no manifest text is ever
// interpreted by the shell) and writes its exit status to exitFile (through
// exitFile.tmp) so the runtime knows it after Slurm forgot the job.
std::string batchScript(std::uint64_t leaseId, const std::string& service, const std::vector<std::string>& command,
                        const std::map<std::string, std::string>& env, const std::string& workdir,
                        const std::string& exitFile);

}  // namespace agora::provider::slurm
