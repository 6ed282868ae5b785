#include "node/provider/runtime/SlurmRuntime.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "node/provider/runtime/ServiceLog.h"

namespace agora::provider {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";
// How often stop() looks at the queue while cancelled jobs end.
constexpr auto kStopPollInterval = std::chrono::milliseconds(200);

RuntimeError error(RuntimeErrorCode code, std::string message) {
    return RuntimeError{code, std::move(message)};
}

bool validEnvName(const std::string& name) {
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

bool writeFileAtomically(const std::string& path, const std::string& text, mode_t mode = 0644) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out) return false;
    }
    ::chmod(tmp.c_str(), mode);
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

std::optional<int> readExitFile(const std::string& path) {
    std::ifstream in(path);
    int code = 0;
    if (!(in >> code) || code < 0 || code > 255) return std::nullopt;
    return code;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
    return s;
}

std::string firstLine(const std::string& s) {
    return trim(s.substr(0, s.find('\n')));
}

// sbatch's refusals that mean "this cluster cannot run that", not "the agent broke".
bool capacityRefusal(const std::string& err) {
    return err.find("Requested node configuration is not available") != std::string::npos ||
           err.find("Node count specification invalid") != std::string::npos ||
           err.find("Invalid generic resource") != std::string::npos ||
           err.find("More processors requested than permitted") != std::string::npos ||
           err.find("Memory required by task is not available") != std::string::npos ||
           err.find("Requested time limit is invalid") != std::string::npos;
}

}  // namespace

SlurmRuntime::SlurmRuntime(SlurmRuntimeOptions options) : options_(std::move(options)) {
    std::error_code ec;
    fs::create_directories(options_.stateDir, ec);
}

std::string SlurmRuntime::leaseDir(std::uint64_t leaseId) const {
    return options_.stateDir + "/lease-" + std::to_string(leaseId);
}

std::string SlurmRuntime::removedMarker(std::uint64_t leaseId) const {
    return leaseDir(leaseId) + ".removed";
}

std::string SlurmRuntime::serviceDir(std::uint64_t leaseId, const std::string& service) const {
    return leaseDir(leaseId) + "/" + service;
}

std::optional<SlurmRuntime::WorkloadRecord> SlurmRuntime::readRecord(std::uint64_t leaseId) const {
    std::ifstream in(leaseDir(leaseId) + "/workload.json");
    if (!in) return std::nullopt;
    try {
        const nlohmann::json j = nlohmann::json::parse(in);
        WorkloadRecord r;
        r.leaseId = j.at("lease_id").get<std::uint64_t>();
        r.stopRequested = j.value("stop_requested", false);
        for (const auto& s : j.at("services")) {
            ServiceRecord sr;
            sr.name = s.at("name").get<std::string>();
            sr.jobId = s.value("job_id", "");
            sr.finalState = s.value("final_state", "");
            if (s.contains("exit_code") && s.at("exit_code").is_number_integer()) {
                sr.exitCode = s.at("exit_code").get<int>();
            }
            if (!validServiceName(sr.name)) return std::nullopt;
            r.services.push_back(std::move(sr));
        }
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

bool SlurmRuntime::writeRecord(const WorkloadRecord& record) const {
    nlohmann::json services = nlohmann::json::array();
    for (const ServiceRecord& s : record.services) {
        nlohmann::json j{{"name", s.name}, {"job_id", s.jobId}, {"final_state", s.finalState}};
        if (s.exitCode) j["exit_code"] = *s.exitCode;
        services.push_back(std::move(j));
    }
    const nlohmann::json j{
        {"lease_id", record.leaseId}, {"services", services}, {"stop_requested", record.stopRequested}};
    return writeFileAtomically(leaseDir(record.leaseId) + "/workload.json", j.dump(2));
}

Expected<CommandResult, std::string> SlurmRuntime::run(const std::string& command,
                                                       std::vector<std::string> args) const {
    // The commands wait up to a minute for a missing config file to appear.
    if (!options_.slurmConf.empty() && ::access(options_.slurmConf.c_str(), R_OK) != 0) {
        return Unexpected(command + ": cannot read slurm_conf " + options_.slurmConf);
    }
    args.insert(args.begin(), options_.binDir.empty() ? command : options_.binDir + "/" + command);
    CommandOptions o;
    if (!options_.slurmConf.empty()) o.env["SLURM_CONF"] = options_.slurmConf;
    // Input variables of the commands (SBATCH_PARTITION, SQUEUE_FORMAT, ...)
    // from the agent's own environment would change what they do and print.
    o.dropEnvPrefixes = {"SBATCH_", "SQUEUE_", "SINFO_", "SCANCEL_", "SCONTROL_", "SLURM_"};
    o.timeout = options_.commandTimeout;
    return runCommand(args, o);
}

Expected<std::vector<slurm::JobInfo>, std::string> SlurmRuntime::queuedJobs() const {
    // Every state: ended jobs stay listed until MinJobAge passes.
    auto r = run("squeue", {"--me", "--noheader", "--states=all", "--format=%i|%T|%j"});
    if (!r) return Unexpected(r.error());
    if (r->exitCode != 0) return Unexpected("squeue: " + firstLine(r->err));
    std::vector<slurm::JobInfo> jobs;
    std::istringstream in(r->out);
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t a = line.find('|');
        const std::size_t b = a == std::string::npos ? a : line.find('|', a + 1);
        if (b == std::string::npos) continue;
        slurm::JobInfo j;
        j.id = line.substr(0, a);
        j.state = line.substr(a + 1, b - a - 1);
        j.name = trim(line.substr(b + 1));
        if (!slurm::parseJobName(options_.jobNamePrefix, j.name)) continue;
        jobs.push_back(std::move(j));
    }
    return jobs;
}

Expected<std::optional<slurm::JobInfo>, std::string> SlurmRuntime::showJob(const std::string& id) const {
    auto r = run("scontrol", {"show", "job", "-o", id});
    if (!r) return Unexpected(r.error());
    if (r->exitCode != 0) {
        if (r->err.find("Invalid job id") != std::string::npos) return std::optional<slurm::JobInfo>{};
        return Unexpected("scontrol show job: " + firstLine(r->err));
    }
    auto jobs = slurm::parseJobs(r->out);
    for (auto& j : jobs) {
        if (j.id == id) return std::optional<slurm::JobInfo>(std::move(j));
    }
    return std::optional<slurm::JobInfo>{};
}

void SlurmRuntime::cancel(const std::vector<std::string>& jobIds) const {
    if (jobIds.empty()) return;
    // Errors are not fatal: a job that already ended is "invalid" to scancel.
    (void)run("scancel", jobIds);
}

std::vector<std::string> SlurmRuntime::sbatchArgs(const WorkloadSpec& spec, const std::string& service,
                                                  const std::string& script) const {
    const std::string dir = serviceDir(spec.leaseId, service);
    std::vector<std::string> a = {
        "--parsable",
        "--job-name=" + slurm::jobName(options_.jobNamePrefix, spec.leaseId, service),
        "--output=" + dir + "/log",
        "--open-mode=append",
        // A node failure ends the job NODE_FAIL (the lease closes) instead of
        // running the workload again from the start behind the client's back.
        "--no-requeue",
        // The job gets the Slurm user's login environment plus what job.sh
        // exports, nothing of the agent's.
        "--export=NONE",
        "--chdir=" + dir,
        "--nodes=1",
        "--ntasks=1",
        "--cpus-per-task=" + std::to_string(std::max<std::uint64_t>(1, (spec.limits.cpuMillicores + 999) / 1000)),
        "--mem=" + std::to_string(std::max<std::uint64_t>(1, spec.limits.memoryMib)),
    };
    if (!spec.limits.gpus.empty()) {
        std::string gres = "--gres=";
        for (std::size_t i = 0; i < spec.limits.gpus.size(); ++i) {
            gres += (i == 0 ? "gpu:" : ",gpu:") + spec.limits.gpus[i].model + ":" +
                    std::to_string(spec.limits.gpus[i].count);
        }
        a.push_back(gres);
    }
    if (spec.maxDurationSeconds) {
        // --time is in minutes; rounded up so the job never ends before the lease.
        a.push_back("--time=" + std::to_string(std::max<std::uint64_t>(1, (*spec.maxDurationSeconds + 59) / 60)));
    }
    if (!options_.partition.empty()) a.push_back("--partition=" + options_.partition);
    if (!options_.account.empty()) a.push_back("--account=" + options_.account);
    if (!options_.qos.empty()) a.push_back("--qos=" + options_.qos);
    a.insert(a.end(), options_.extraSbatchArgs.begin(), options_.extraSbatchArgs.end());
    a.push_back(script);
    return a;
}

Expected<void, RuntimeError> SlurmRuntime::deploy(const WorkloadSpec& spec) {
    if (auto ok = checkServices(spec, "slurm", RuntimeSupport{.images = false, .ports = false}); !ok)
        return Unexpected(ok.error());
    const auto& services = spec.manifest.services;
    for (const auto& svc : services) {
        for (const auto& [k, v] : svc.env) {
            if (!validEnvName(k) || v.find('\0') != std::string::npos) {
                return Unexpected(error(RuntimeErrorCode::Unsupported, "service " + svc.name + ": env " + k));
            }
        }
    }
    for (const auto& [k, v] : spec.extraEnv) {
        if (!validEnvName(k)) return Unexpected(error(RuntimeErrorCode::Unsupported, "extra env " + k));
    }

    // Slurm accepts a job no node can hold and leaves it pending for ever
    // (Reason=PartitionConfig): refuse it here instead, so the lease closes.
    const auto nodes = usableNodes();
    if (!nodes) return Unexpected(error(RuntimeErrorCode::SystemError, nodes.error()));
    const std::uint64_t cpus = std::max<std::uint64_t>(1, (spec.limits.cpuMillicores + 999) / 1000);
    const bool fits = std::any_of(nodes->begin(), nodes->end(), [&](const Node& n) {
        if (n.cpus < cpus || n.memoryMib < spec.limits.memoryMib) return false;
        return std::all_of(spec.limits.gpus.begin(), spec.limits.gpus.end(), [&](const GpuCount& want) {
            return std::any_of(n.gpus.begin(), n.gpus.end(),
                               [&](const GpuCount& g) { return g.model == want.model && g.count >= want.count; });
        });
    });
    if (!fits) {
        return Unexpected(error(RuntimeErrorCode::InsufficientCapacity,
                                "no node of the partition has " + std::to_string(cpus) + " CPUs, " +
                                    std::to_string(spec.limits.memoryMib) + " MiB and the GPUs the lease asks for"));
    }

    std::lock_guard lock(mutex_);
    const std::string dir = leaseDir(spec.leaseId);
    const std::string lease = std::to_string(spec.leaseId);
    if (fs::exists(dir + "/workload.json")) {
        return Unexpected(error(RuntimeErrorCode::AlreadyExists, "lease " + lease + " already has a workload"));
    }
    // The state dir may be gone while the jobs run (a new host for the agent):
    // the queue is the truth, a lease is never submitted twice.
    auto queue = queuedJobs();
    if (!queue) return Unexpected(error(RuntimeErrorCode::SystemError, queue.error()));
    for (const slurm::JobInfo& j : *queue) {
        const auto parts = slurm::parseJobName(options_.jobNamePrefix, j.name);
        // An ended job of a removed lease stays listed until MinJobAge passes.
        const bool removedEarlier = fs::exists(removedMarker(spec.leaseId)) && slurm::finalState(j.state);
        if (parts && parts->leaseId == spec.leaseId && !removedEarlier) {
            return Unexpected(error(RuntimeErrorCode::AlreadyExists,
                                    "lease " + lease + " already has Slurm job " + j.id + " (" + j.name + ")"));
        }
    }

    std::error_code ec;
    fs::create_directories(dir, ec);
    WorkloadRecord record;
    record.leaseId = spec.leaseId;
    for (const auto& svc : services) record.services.push_back(ServiceRecord{svc.name, "", "", std::nullopt});
    if (ec || !writeRecord(record)) {
        fs::remove_all(dir, ec);
        return Unexpected(error(RuntimeErrorCode::SystemError, dir + ": cannot write the workload record"));
    }

    std::optional<RuntimeError> failure;
    for (std::size_t i = 0; i < services.size() && !failure; ++i) {
        const auto& svc = services[i];
        const std::string sdir = serviceDir(spec.leaseId, svc.name);
        fs::create_directories(sdir, ec);
        std::map<std::string, std::string> env;
        env["PATH"] = kDefaultPath;
        for (const auto& [k, v] : svc.env) env[k] = v;
        for (const auto& [k, v] : spec.extraEnv) env[k] = v;
        const std::string workdir = svc.workdir.empty() ? sdir : svc.workdir;
        const std::string script = sdir + "/job.sh";
        if (ec ||
            !writeFileAtomically(
                script, slurm::batchScript(spec.leaseId, svc.name, svc.command, env, workdir, sdir + "/exit"), 0755)) {
            failure = error(RuntimeErrorCode::SystemError, sdir + ": cannot write the batch script");
            break;
        }
        auto r = run("sbatch", sbatchArgs(spec, svc.name, script));
        if (!r) {
            failure = error(RuntimeErrorCode::SystemError, "service " + svc.name + ": " + r.error());
        } else if (r->exitCode != 0) {
            const std::string why = "service " + svc.name + ": sbatch: " + firstLine(r->err);
            failure = error(
                capacityRefusal(r->err) ? RuntimeErrorCode::InsufficientCapacity : RuntimeErrorCode::SystemError, why);
        } else {
            // --parsable prints "<id>" or "<id>;<cluster>".
            const std::string id = firstLine(r->out).substr(0, firstLine(r->out).find(';'));
            if (id.empty() || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                failure = error(RuntimeErrorCode::SystemError,
                                "service " + svc.name + ": sbatch printed '" + firstLine(r->out) + "'");
            } else {
                record.services[i].jobId = id;
                writeRecord(record);
            }
        }
    }
    if (failure) {
        // Nothing half-submitted stays behind: the caller may deploy again.
        std::vector<std::string> ids;
        for (const ServiceRecord& s : record.services) {
            if (!s.jobId.empty()) ids.push_back(s.jobId);
        }
        cancel(ids);
        fs::remove_all(dir, ec);
        return Unexpected(*failure);
    }
    return {};
}

std::optional<SlurmRuntime::WorkloadRecord> SlurmRuntime::recordOrQueue(
    std::uint64_t leaseId, const std::vector<slurm::JobInfo>& queue) const {
    auto record = readRecord(leaseId);
    // remove() deleted it: the ended jobs Slurm still lists are not a workload any more.
    if (!record && fs::exists(removedMarker(leaseId))) return std::nullopt;
    for (const slurm::JobInfo& j : queue) {
        const auto parts = slurm::parseJobName(options_.jobNamePrefix, j.name);
        if (!parts || parts->leaseId != leaseId || !validServiceName(parts->service)) continue;
        if (!record) {
            record = WorkloadRecord{};
            record->leaseId = leaseId;
        }
        auto it = std::find_if(record->services.begin(), record->services.end(),
                               [&](const ServiceRecord& s) { return s.name == parts->service; });
        if (it == record->services.end()) {
            record->services.push_back(ServiceRecord{parts->service, j.id, "", std::nullopt});
        } else if (it->jobId.empty()) {
            it->jobId = j.id;  // submitted, but the agent died before it wrote the id down
        }
    }
    return record;
}

ServiceStatus SlurmRuntime::serviceStatus(std::uint64_t leaseId, ServiceRecord& service, bool stopRequested,
                                          const std::vector<slurm::JobInfo>& queue, bool& recordChanged) const {
    ServiceStatus s;
    s.name = service.name;
    const std::string exitFile = serviceDir(leaseId, service.name) + "/exit";
    if (service.finalState.empty()) {
        const auto queued = std::find_if(queue.begin(), queue.end(), [&](const slurm::JobInfo& j) {
            return !service.jobId.empty() && j.id == service.jobId;
        });
        if (queued != queue.end() && !slurm::finalState(queued->state)) {
            s.state = slurm::serviceState(queued->state, stopRequested);
            return s;
        }
        if (queued != queue.end()) {
            // Ended and still known: ExitCode= from scontrol, the exit file if that fails.
            auto shown = showJob(service.jobId);
            service.finalState = queued->state;
            if (queued->state == "OUT_OF_MEMORY" || !shown || !*shown) {
                // An OOM kill shows as ExitCode=0:125 (Slurm's code, not a signal): the command's status is truer.
                service.exitCode = readExitFile(exitFile);
            } else {
                service.exitCode = (**shown).exitCode;
            }
        } else if (const auto code = readExitFile(exitFile)) {
            // Slurm forgot the job (MinJobAge) before the agent looked: job.sh's own record.
            service.finalState = *code == 0 ? "COMPLETED" : "FAILED";
            service.exitCode = code;
        } else if (stopRequested && !service.jobId.empty()) {
            service.finalState = "CANCELLED";
        } else {
            // Gone without a trace: cancelled before it started, purged while
            // the agent was away, or the state dir is not shared with the node.
            s.state = ServiceState::Lost;
            return s;
        }
        recordChanged = true;
    }
    s.state = slurm::serviceState(service.finalState, stopRequested);
    if (s.state == ServiceState::Exited || s.state == ServiceState::OomKilled || s.state == ServiceState::Stopped) {
        s.exitCode = service.exitCode;
    }
    if (s.state == ServiceState::Exited && !s.exitCode) s.exitCode = service.finalState == "COMPLETED" ? 0 : 1;
    return s;
}

std::optional<WorkloadStatus> SlurmRuntime::status(std::uint64_t leaseId) {
    std::lock_guard lock(mutex_);
    auto queue = queuedJobs();
    std::optional<WorkloadRecord> record = recordOrQueue(leaseId, queue ? *queue : std::vector<slurm::JobInfo>{});
    if (!record) return std::nullopt;
    WorkloadStatus st;
    st.leaseId = leaseId;
    bool changed = false;
    for (ServiceRecord& service : record->services) {
        if (!queue && service.finalState.empty()) {
            // The controller does not answer: nothing is known to have ended.
            ServiceStatus s;
            s.name = service.name;
            s.state = ServiceState::Running;
            st.services.push_back(s);
            continue;
        }
        st.services.push_back(serviceStatus(leaseId, service, record->stopRequested, *queue, changed));
    }
    if (changed && fs::exists(leaseDir(leaseId))) writeRecord(*record);
    return st;
}

Expected<LogChunk, RuntimeError> SlurmRuntime::readLogs(std::uint64_t leaseId, const std::string& service,
                                                        std::uint64_t offset, std::size_t maxBytes) {
    return readServiceLog(serviceDir(leaseId, service), leaseId, service, offset, maxBytes);
}

Expected<std::uint64_t, RuntimeError> SlurmRuntime::tailOffset(std::uint64_t leaseId, const std::string& service,
                                                               std::size_t lines) {
    return serviceLogTailOffset(serviceDir(leaseId, service), leaseId, service, lines);
}

std::map<std::string, std::string> SlurmRuntime::jobIds(std::uint64_t leaseId) {
    std::lock_guard lock(mutex_);
    auto queue = queuedJobs();
    std::map<std::string, std::string> ids;
    const auto record = recordOrQueue(leaseId, queue ? *queue : std::vector<slurm::JobInfo>{});
    if (!record) return ids;
    for (const ServiceRecord& s : record->services) ids[s.name] = s.jobId;
    return ids;
}

void SlurmRuntime::stop(std::uint64_t leaseId) {
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mutex_);
        auto queue = queuedJobs();
        auto record = recordOrQueue(leaseId, queue ? *queue : std::vector<slurm::JobInfo>{});
        if (!record) return;
        if (!record->stopRequested) {
            record->stopRequested = true;
            std::error_code ec;
            fs::create_directories(leaseDir(leaseId), ec);
            writeRecord(*record);
        }
        for (const ServiceRecord& s : record->services) {
            if (!s.jobId.empty() && s.finalState.empty()) ids.push_back(s.jobId);
        }
    }
    cancel(ids);
    // Until the jobs have left RUNNING/COMPLETING their resources are not free.
    const auto deadline = Clock::now() + options_.stopTimeout;
    while (!ids.empty() && Clock::now() < deadline) {
        auto queue = queuedJobs();
        if (queue) {
            std::erase_if(ids, [&](const std::string& id) {
                const auto it =
                    std::find_if(queue->begin(), queue->end(), [&](const slurm::JobInfo& j) { return j.id == id; });
                return it == queue->end() || slurm::finalState(it->state);
            });
        }
        if (ids.empty()) break;
        std::this_thread::sleep_for(kStopPollInterval);  // polling the queue; Slurm has no completion callback here
    }
    (void)status(leaseId);  // records the final states while Slurm still knows them
}

void SlurmRuntime::remove(std::uint64_t leaseId) {
    stop(leaseId);
    std::lock_guard lock(mutex_);
    std::error_code ec;
    // Written before the record goes: there is never a moment where the
    // cancelled jobs still in the queue would look like a workload again.
    writeFileAtomically(removedMarker(leaseId), "removed\n");
    fs::remove_all(leaseDir(leaseId), ec);
}

std::vector<std::uint64_t> SlurmRuntime::list() {
    std::set<std::uint64_t> ids;
    std::set<std::uint64_t> removed;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options_.stateDir, ec)) {
        std::string name = entry.path().filename().string();
        const bool marker = name.size() > 8 && name.ends_with(".removed");
        if (marker) name.resize(name.size() - 8);
        if (name.rfind("lease-", 0) != 0 || name.size() == 6 || name.size() > 26) continue;
        const std::string digits = name.substr(6);
        if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        if (marker) {
            removed.insert(std::stoull(digits));
        } else if (fs::exists(entry.path() / "workload.json")) {
            ids.insert(std::stoull(digits));
        }
    }
    std::lock_guard lock(mutex_);
    if (auto queue = queuedJobs()) {
        std::set<std::uint64_t> queued;
        for (const slurm::JobInfo& j : *queue) {
            if (const auto parts = slurm::parseJobName(options_.jobNamePrefix, j.name)) queued.insert(parts->leaseId);
        }
        for (const std::uint64_t id : queued) {
            if (removed.count(id) == 0) ids.insert(id);
        }
        // Once Slurm forgot a removed lease's jobs its marker has done its work.
        for (const std::uint64_t id : removed) {
            if (queued.count(id) == 0) fs::remove(removedMarker(id), ec);
        }
    }
    return {ids.begin(), ids.end()};
}

Expected<std::vector<SlurmRuntime::Node>, std::string> SlurmRuntime::usableNodes() const {
    std::vector<std::string> args = {"--noheader", "--Node", "--format=%N|%c|%m|%G|%t"};
    if (!options_.partition.empty()) args.push_back("--partition=" + options_.partition);
    auto r = run("sinfo", args);
    if (!r) return Unexpected(r.error());
    if (r->exitCode != 0) return Unexpected("sinfo: " + firstLine(r->err));
    std::vector<Node> nodes;
    std::set<std::string> seen;  // a node in several partitions is listed once per partition
    std::istringstream in(r->out);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::size_t start = 0;
        for (std::size_t bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1) {
            f.push_back(line.substr(start, bar - start));
        }
        f.push_back(trim(line.substr(start)));
        if (f.size() != 5 || !seen.insert(f[0]).second) continue;
        // Nodes that can take jobs; '*' = not responding, drain/down/fail/maint/unk cannot.
        const std::string& state = f[4];
        const bool usable =
            state.find('*') == std::string::npos && (state.rfind("idle", 0) == 0 || state.rfind("mix", 0) == 0 ||
                                                     state.rfind("alloc", 0) == 0 || state.rfind("comp", 0) == 0);
        if (!usable) continue;
        Node n;
        try {
            n.cpus = std::stoull(f[1]);
            n.memoryMib = std::stoull(f[2]);
        } catch (const std::exception&) {
            continue;
        }
        n.gpus = slurm::parseGpus(f[3]);
        nodes.push_back(std::move(n));
    }
    return nodes;
}

Resources SlurmRuntime::capacity() {
    Resources total;
    const auto nodes = usableNodes();
    if (!nodes) return total;
    for (const Node& n : *nodes) {
        total.cpuMillicores += n.cpus * 1000;
        total.memoryMib += n.memoryMib;
        for (const GpuCount& g : n.gpus) {
            auto it = std::find_if(total.gpus.begin(), total.gpus.end(),
                                   [&](const GpuCount& x) { return x.model == g.model; });
            if (it == total.gpus.end()) {
                total.gpus.push_back(g);
            } else {
                it->count += g.count;
            }
        }
    }
    std::sort(total.gpus.begin(), total.gpus.end(),
              [](const GpuCount& a, const GpuCount& b) { return a.model < b.model; });
    // Storage is not a Slurm resource: what the shared state dir's filesystem holds.
    struct statvfs fsStat {};
    if (::statvfs(options_.stateDir.c_str(), &fsStat) == 0) {
        total.storageGib = static_cast<std::uint64_t>(fsStat.f_blocks) * fsStat.f_frsize >> 30;
    }
    return total;
}

Expected<void, std::string> SlurmRuntime::probe() {
    const auto nodes = usableNodes();
    if (!nodes) return Unexpected(nodes.error());
    if (nodes->empty()) {
        return Unexpected("no node that can run jobs in partition " +
                          (options_.partition.empty() ? std::string("(default)") : options_.partition));
    }
    return {};
}

}  // namespace agora::provider
