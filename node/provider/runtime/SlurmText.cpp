#include "node/provider/runtime/SlurmText.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace agora::provider::slurm {

namespace {

bool allDigits(const std::string& s) {
    return !s.empty() && s.size() <= 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::uint64_t toNumber(const std::string& s, std::uint64_t fallback) {
    if (!allDigits(s)) return fallback;
    return std::stoull(s);
}

}  // namespace

std::string jobName(const std::string& prefix, std::uint64_t leaseId, const std::string& service) {
    return prefix + std::to_string(leaseId) + "-" + service;
}

std::optional<JobNameParts> parseJobName(const std::string& prefix, const std::string& name) {
    if (name.rfind(prefix, 0) != 0) return std::nullopt;
    const std::string rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == std::string::npos || dash + 1 >= rest.size()) return std::nullopt;
    const std::string digits = rest.substr(0, dash);
    if (!allDigits(digits) || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
    JobNameParts parts;
    parts.leaseId = std::stoull(digits);
    parts.service = rest.substr(dash + 1);
    return parts;
}

ServiceState serviceState(const std::string& state, bool stopRequested) {
    // Waiting for resources or a node to boot, or requeued to wait again.
    if (state == "PENDING" || state == "CONFIGURING" || state == "REQUEUED" || state == "REQUEUE_HOLD" ||
        state == "REQUEUE_FED" || state == "RESV_DEL_HOLD") {
        return ServiceState::Starting;
    }
    if (state == "COMPLETED" || state == "FAILED") return ServiceState::Exited;
    if (state == "OUT_OF_MEMORY") return ServiceState::OomKilled;
    // The time limit is the lease's duration: reaching it is the lease ending.
    if (state == "TIMEOUT" || state == "DEADLINE") return ServiceState::Stopped;
    if (state == "CANCELLED") return stopRequested ? ServiceState::Stopped : ServiceState::Lost;
    // The cluster failed the job (a node died, did not boot) or gave its
    // resources to someone else: the provider's side, not the workload's.
    if (state == "NODE_FAIL" || state == "BOOT_FAIL" || state == "PREEMPTED" || state == "REVOKED" ||
        state == "SPECIAL_EXIT") {
        return ServiceState::Lost;
    }
    // RUNNING, COMPLETING (processes being reaped), SUSPENDED, STOPPED,
    // SIGNALING, STAGE_OUT, RESIZING: the job holds its resources.
    return ServiceState::Running;
}

bool finalState(const std::string& state) {
    return state == "COMPLETED" || state == "FAILED" || state == "OUT_OF_MEMORY" || state == "TIMEOUT" ||
           state == "DEADLINE" || state == "CANCELLED" || state == "NODE_FAIL" || state == "BOOT_FAIL" ||
           state == "PREEMPTED" || state == "REVOKED" || state == "SPECIAL_EXIT";
}

std::map<std::string, std::string> parseRecord(const std::string& line) {
    std::map<std::string, std::string> out;
    std::istringstream in(line);
    std::string token;
    std::string lastKey;
    while (in >> token) {
        const std::size_t eq = token.find('=');
        // A key is a word of letters, digits, '/', ':' and '_' before '='.
        const bool isKey = eq != std::string::npos && eq > 0 &&
                           std::all_of(token.begin(), token.begin() + static_cast<std::ptrdiff_t>(eq), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == ':' || c == '_';
                           });
        if (isKey) {
            lastKey = token.substr(0, eq);
            out[lastKey] = token.substr(eq + 1);
        } else if (!lastKey.empty()) {
            out[lastKey] += " " + token;
        }
    }
    return out;
}

int parseExitCode(const std::string& value) {
    const std::size_t colon = value.find(':');
    const std::uint64_t code = toNumber(value.substr(0, colon), 0);
    const std::uint64_t signal = colon == std::string::npos ? 0 : toNumber(value.substr(colon + 1), 0);
    if (signal > 0 && signal < 128) return 128 + static_cast<int>(signal);
    return static_cast<int>(std::min<std::uint64_t>(code, 255));
}

std::vector<JobInfo> parseJobs(const std::string& text) {
    std::vector<JobInfo> jobs;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto r = parseRecord(line);
        const auto id = r.find("JobId");
        if (id == r.end() || !allDigits(id->second)) continue;
        JobInfo j;
        j.id = id->second;
        if (auto it = r.find("JobName"); it != r.end()) j.name = it->second;
        if (auto it = r.find("JobState"); it != r.end()) j.state = it->second;
        if (auto it = r.find("ExitCode"); it != r.end()) j.exitCode = parseExitCode(it->second);
        if (auto it = r.find("Reason"); it != r.end()) j.reason = it->second;
        jobs.push_back(std::move(j));
    }
    return jobs;
}

std::vector<GpuCount> parseGpus(const std::string& gres) {
    std::vector<GpuCount> out;
    std::size_t start = 0;
    while (start < gres.size()) {
        // Entries are comma separated, but a socket list "(S:0,1)" has commas too.
        std::size_t end = start;
        int depth = 0;
        while (end < gres.size() && (gres[end] != ',' || depth > 0)) {
            if (gres[end] == '(') ++depth;
            if (gres[end] == ')') --depth;
            ++end;
        }
        std::string entry = gres.substr(start, end - start);
        start = end + 1;
        entry = entry.substr(0, entry.find('('));
        if (entry.rfind("gpu:", 0) != 0) continue;
        const std::string rest = entry.substr(4);
        const std::size_t colon = rest.rfind(':');
        std::string model = "gpu";
        std::string count = rest;
        if (colon != std::string::npos) {
            model = rest.substr(0, colon);
            count = rest.substr(colon + 1);
        }
        const std::uint64_t n = toNumber(count, 0);
        if (n == 0 || model.empty()) continue;
        auto it = std::find_if(out.begin(), out.end(), [&](const GpuCount& g) { return g.model == model; });
        if (it == out.end()) {
            out.push_back(GpuCount{model, static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX))});
        } else {
            it->count += static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX - it->count));
        }
    }
    std::sort(out.begin(), out.end(), [](const GpuCount& a, const GpuCount& b) { return a.model < b.model; });
    return out;
}

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out.push_back(c);
        }
    }
    return out + "'";
}

std::string batchScript(std::uint64_t leaseId, const std::string& service, const std::vector<std::string>& command,
                        const std::map<std::string, std::string>& env, const std::string& workdir,
                        const std::string& exitFile) {
    std::ostringstream s;
    s << "#!/bin/sh\n"
      << "# Written by agora-provider for lease " << leaseId << ", service " << service << ".\n"
      << "# Every word below is single-quoted: nothing from the manifest is interpreted by the shell.\n";
    for (const auto& [name, value] : env) s << "export " << name << "=" << shellQuote(value) << "\n";
    s << "cd " << shellQuote(workdir) << " || exit 126\n";
    for (std::size_t i = 0; i < command.size(); ++i) s << (i == 0 ? "" : " ") << shellQuote(command[i]);
    s << "\n"
      << "code=$?\n"
      << "printf '%s\\n' \"$code\" > " << shellQuote(exitFile + ".tmp") << " && mv -f " << shellQuote(exitFile + ".tmp")
      << " " << shellQuote(exitFile) << "\n"
      << "exit \"$code\"\n";
    return s.str();
}

}  // namespace agora::provider::slurm
