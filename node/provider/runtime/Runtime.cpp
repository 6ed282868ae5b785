#include "node/provider/runtime/Runtime.h"

#include <algorithm>

namespace agora::provider {

std::string_view serviceStateName(ServiceState s) {
    switch (s) {
        case ServiceState::Starting:
            return "starting";
        case ServiceState::Running:
            return "running";
        case ServiceState::Exited:
            return "exited";
        case ServiceState::OomKilled:
            return "oom_killed";
        case ServiceState::Stopped:
            return "stopped";
        case ServiceState::Lost:
            return "lost";
    }
    return "unknown";
}

namespace {

bool ended(ServiceState s) {
    switch (s) {
        case ServiceState::Starting:
        case ServiceState::Running:
            return false;
        case ServiceState::Exited:
        case ServiceState::OomKilled:
        case ServiceState::Stopped:
        case ServiceState::Lost:
            return true;
    }
    return false;
}

}  // namespace

bool WorkloadStatus::finished() const {
    return std::all_of(services.begin(), services.end(), [](const ServiceStatus& s) { return ended(s.state); });
}

bool WorkloadStatus::succeeded() const {
    return finished() && std::all_of(services.begin(), services.end(), [](const ServiceStatus& s) {
               return s.state == ServiceState::Exited && s.exitCode == 0;
           });
}

bool WorkloadStatus::failed() const {
    return std::any_of(services.begin(), services.end(), [](const ServiceStatus& s) {
        return s.state == ServiceState::OomKilled ||
               (s.state == ServiceState::Exited && s.exitCode.has_value() && *s.exitCode != 0);
    });
}

bool validServiceName(const std::string& name) {
    if (name.empty() || name.size() > 63) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }) &&
           name.front() != '-';
}

Expected<void, RuntimeError> checkServices(const WorkloadSpec& spec, std::string_view runtimeName,
                                           RuntimeSupport support) {
    const auto fail = [](std::string message) {
        return Unexpected(RuntimeError{RuntimeErrorCode::Unsupported, std::move(message)});
    };
    const std::string runtime(runtimeName);
    if (spec.manifest.services.empty()) return fail("manifest has no services");
    for (const auto& svc : spec.manifest.services) {
        if (!support.images && !svc.image.empty())
            return fail("service " + svc.name + ": images are not supported by the " + runtime + " runtime");
        if (!support.ports && !svc.expose.empty())
            return fail("service " + svc.name + ": the " + runtime + " runtime exposes no ports (batch jobs only)");
        if (!validServiceName(svc.name)) return fail("service name '" + svc.name + "' is not valid");
        if (svc.command.empty()) return fail("service " + svc.name + ": empty command");
        if (!svc.workdir.empty() && (svc.workdir.front() != '/' || svc.workdir.find("..") != std::string::npos))
            return fail("service " + svc.name + ": workdir must be an absolute path without '..'");
    }
    return {};
}

}  // namespace agora::provider
