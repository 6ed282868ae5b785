#pragma once
// The runtime interface of the provider agent: where a lease's workload runs
// (docs/provider.md "Runtimes"). The `process` runtime sandboxes children on
// this host; a cluster runtime (Slurm) implements the same contract.
//
// Contract:
// - A workload is named by its lease id; the runtime can find it again after
//   the agent restarted (list() / status()) without the agent's own state:
//   deploying never depends on the agent process staying alive, and nothing
//   the runtime does on start tears a workload down.
// - Calls are thread-safe.
// - stop() is idempotent; after it, status() reports the services ended and
//   the reserved resources are free.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "consensus/core/MarketTypes.h"
#include "node/manifest/Manifest.h"

namespace agora::provider {

// What to run for one lease: the manifest plus the lease's limits.
struct WorkloadSpec {
    std::uint64_t leaseId = 0;
    manifest::Manifest manifest;
    Resources limits;                             // the lease's resources: enforced as limits
    std::map<std::string, std::string> extraEnv;  // e.g. AGORA_LEASE_ID, AGORA_CHAIN_ID
    // Wall time left until the lease's end height, when known: a scheduler's
    // time limit (slurm --time). Runtimes on this host ignore it; the lease's
    // close stops the workload anyway.
    std::optional<std::uint64_t> maxDurationSeconds;
};

enum class ServiceState : std::uint8_t {
    Starting = 0,
    Running = 1,
    Exited = 2,     // ended by itself; see exitCode
    OomKilled = 3,  // killed for exceeding its memory limit
    Stopped = 4,    // stopped through stop()
    Lost = 5,       // the runtime cannot find it any more (host rebooted, killed from outside)
};
std::string_view serviceStateName(ServiceState s);

struct Endpoint {
    std::string service;
    std::uint16_t port = 0;      // the manifest's port
    std::string host;            // address clients connect to
    std::uint16_t hostPort = 0;  // the host port assigned
};

struct ServiceStatus {
    std::string name;
    ServiceState state = ServiceState::Starting;
    std::optional<int> exitCode;  // set when Exited (signal n -> 128 + n)
    std::uint32_t restarts = 0;
    std::uint64_t memoryBytes = 0;    // current use, 0 when unknown
    std::uint64_t cpuUsageNanos = 0;  // cumulative, 0 when unknown
};

struct WorkloadStatus {
    std::uint64_t leaseId = 0;
    std::vector<ServiceStatus> services;
    std::vector<Endpoint> endpoints;
    // Every service has ended (Exited, OomKilled, Stopped or Lost).
    bool finished() const;
    // Finished, and every service Exited with code 0.
    bool succeeded() const;
    // Some service was OOM-killed or exited non-zero.
    bool failed() const;
};

struct LogChunk {
    std::string data;  // raw bytes of the captured stdout+stderr
    std::uint64_t nextOffset = 0;
    bool truncatedBefore = false;  // bytes before `offset` were dropped by the size cap
};

enum class RuntimeErrorCode : std::uint16_t {
    NotFound = 1,
    AlreadyExists = 2,
    InsufficientCapacity = 3,
    Unsupported = 4,  // e.g. an image on the process runtime, a GPU it does not have
    SystemError = 5,  // spawning, cgroups, ports
};

struct RuntimeError {
    RuntimeErrorCode code = RuntimeErrorCode::SystemError;
    std::string message;
};

// What a runtime can run beyond a plain command.
struct RuntimeSupport {
    bool images = false;  // services with `image`
    bool ports = false;   // services with `expose`
};

// The checks every runtime makes before it deploys: services exist, each has
// a name usable in paths and job names, a command, an absolute work dir
// without "..", and asks for nothing the runtime lacks. `runtimeName` names
// the runtime in the messages. Unsupported on the first failure.
Expected<void, RuntimeError> checkServices(const WorkloadSpec& spec, std::string_view runtimeName,
                                           RuntimeSupport support);
// Lower-case letters, digits and '-', not first; at most 63 characters.
bool validServiceName(const std::string& name);

class Runtime {
public:
    virtual ~Runtime() = default;
    virtual std::string name() const = 0;
    // Starts every service of the workload. AlreadyExists if the lease has one.
    virtual Expected<void, RuntimeError> deploy(const WorkloadSpec& spec) = 0;
    virtual std::optional<WorkloadStatus> status(std::uint64_t leaseId) = 0;
    // Up to maxBytes of a service's log from offset (0 = the oldest kept byte).
    virtual Expected<LogChunk, RuntimeError> readLogs(std::uint64_t leaseId, const std::string& service,
                                                      std::uint64_t offset, std::size_t maxBytes) = 0;
    // The offset from which the last `lines` lines start (for `--tail N`).
    virtual Expected<std::uint64_t, RuntimeError> tailOffset(std::uint64_t leaseId, const std::string& service,
                                                             std::size_t lines) = 0;
    // Kills every service and releases the lease's resources; keeps logs until remove().
    virtual void stop(std::uint64_t leaseId) = 0;
    // Deletes what is left (logs, work dir). Implies stop().
    virtual void remove(std::uint64_t leaseId) = 0;
    // Lease ids of every workload the runtime holds (running or ended, not removed).
    virtual std::vector<std::uint64_t> list() = 0;
    // What this runtime can sell (for the provider record and screening).
    virtual Resources capacity() = 0;
};

}  // namespace agora::provider
