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

}  // namespace agora::provider
