#include "node/provider/runtime/ShimSpec.h"

#include <nlohmann/json.hpp>

namespace agora::provider {

std::string ShimSpec::toJson() const {
    nlohmann::json j;
    j["lease_id"] = leaseId;
    j["service"] = service;
    j["command"] = command;
    j["env"] = env;
    j["workdir"] = workdir;
    j["bwrap"] = bwrapPath;
    j["lease_cgroup"] = leaseCgroup;
    j["service_cgroup"] = serviceCgroup;
    j["limits"] = {
        {"cpu_millicores", limits.cpuMillicores}, {"memory_mib", limits.memoryMib}, {"max_pids", limits.maxPids}};
    j["log_cap_bytes"] = logCapBytes;
    j["stop_grace_ms"] = stopGraceMillis;
    j["sandbox_uid"] = sandboxUid;
    return j.dump(2);
}

Expected<ShimSpec, std::string> ShimSpec::fromJson(const std::string& text) {
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        ShimSpec s;
        s.leaseId = j.at("lease_id").get<std::uint64_t>();
        s.service = j.at("service").get<std::string>();
        s.command = j.at("command").get<std::vector<std::string>>();
        s.env = j.at("env").get<std::map<std::string, std::string>>();
        s.workdir = j.at("workdir").get<std::string>();
        s.bwrapPath = j.at("bwrap").get<std::string>();
        s.leaseCgroup = j.at("lease_cgroup").get<std::string>();
        s.serviceCgroup = j.at("service_cgroup").get<std::string>();
        const auto& l = j.at("limits");
        s.limits.cpuMillicores = l.at("cpu_millicores").get<std::uint64_t>();
        s.limits.memoryMib = l.at("memory_mib").get<std::uint64_t>();
        s.limits.maxPids = l.at("max_pids").get<std::uint64_t>();
        s.logCapBytes = j.at("log_cap_bytes").get<std::uint64_t>();
        s.stopGraceMillis = j.at("stop_grace_ms").get<std::uint64_t>();
        s.sandboxUid = j.at("sandbox_uid").get<std::uint32_t>();
        if (s.command.empty()) return Unexpected(std::string("spec: empty command"));
        return s;
    } catch (const nlohmann::json::exception& e) {
        return Unexpected(std::string("spec: ") + e.what());
    }
}

}  // namespace agora::provider
