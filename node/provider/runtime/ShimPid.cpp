#include "node/provider/runtime/ShimPid.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

namespace agora::provider {

namespace {

std::string readWhole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

std::optional<ShimPid::ProcStat> ShimPid::procStat(pid_t pid) {
    const std::string stat = readWhole("/proc/" + std::to_string(pid) + "/stat");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
    // the fields start after the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(stat.substr(close + 1));
    std::vector<std::string> fields;
    for (std::string f; rest >> f && fields.size() < 20;) fields.push_back(f);
    if (fields.size() < 20 || fields[0].size() != 1) return std::nullopt;  // field 3 .. field 22
    ProcStat s;
    s.state = fields[0][0];
    try {
        s.startTicks = std::stoull(fields[19]);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return s;
}

std::optional<ShimPid> ShimPid::of(pid_t pid) {
    const auto st = procStat(pid);
    if (!st) return std::nullopt;
    return ShimPid{pid, st->startTicks};
}

std::optional<ShimPid> ShimPid::read(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    if (!(in >> pid) || pid <= 1 || pid > std::numeric_limits<pid_t>::max()) return std::nullopt;
    ShimPid p;
    p.pid = static_cast<pid_t>(pid);
    std::uint64_t ticks = 0;
    if (in >> ticks) p.startTicks = ticks;
    return p;
}

bool ShimPid::write(const std::string& path, const std::string& tmpSuffix) const {
    const std::string tmp = path + tmpSuffix;
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << pid << ' ' << startTicks << '\n';
        if (!out) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

bool ShimPid::alive(const std::string& serviceDir) const {
    const auto st = procStat(pid);
    if (!st || st->state == 'Z' || st->state == 'X') return false;
    if (startTicks != 0) return st->startTicks == startTicks;
    std::string cmdline = readWhole("/proc/" + std::to_string(pid) + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    return cmdline.find(" --dir " + serviceDir + " ") != std::string::npos;
}

}  // namespace agora::provider
