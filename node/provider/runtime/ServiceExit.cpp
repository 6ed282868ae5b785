#include "node/provider/runtime/ServiceExit.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace agora::provider {

std::string ServiceExit::toJson() const {
    nlohmann::json j;
    j["code"] = code;
    j["oom_killed"] = oomKilled;
    j["stopped"] = stopped;
    j["error"] = error;
    return j.dump();
}

std::optional<ServiceExit> ServiceExit::fromJson(const std::string& text) {
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        ServiceExit e;
        e.code = j.at("code").get<int>();
        e.oomKilled = j.at("oom_killed").get<bool>();
        e.stopped = j.at("stopped").get<bool>();
        e.error = j.value("error", std::string());
        return e;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

bool ServiceExit::writeTo(const std::string& dir) const {
    const std::string tmp = dir + "/exit.tmp";
    const std::string text = toJson() + "\n";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    // The file is what survives a host crash to say the lease's work ended.
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return written && synced && std::rename(tmp.c_str(), (dir + "/exit").c_str()) == 0;
}

std::optional<ServiceExit> ServiceExit::readFrom(const std::string& dir) {
    std::ifstream in(dir + "/exit");
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return fromJson(ss.str());
}

}  // namespace agora::provider
