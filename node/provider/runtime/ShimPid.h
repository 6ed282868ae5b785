#pragma once
// `shim.pid` in a service dir: the shim's pid and its start time in clock
// ticks since boot (/proc/<pid>/stat field 22). The start time is what tells
// the shim from whatever process holds its pid later, and it is set at fork,
// so it is readable while the shim is still inside exec: its command line is
// not (the kernel fills /proc/<pid>/cmdline only once the new image is
// loaded), which made a shim just spawned look gone.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace agora::provider {

struct ShimPid {
    pid_t pid = 0;
    std::uint64_t startTicks = 0;  // 0 in files written before the start time was recorded

    // The pid's start time and whether it is a zombie; nullopt when no such process.
    struct ProcStat {
        char state = '?';
        std::uint64_t startTicks = 0;
    };
    static std::optional<ProcStat> procStat(pid_t pid);

    // The record for `pid` as running now; nullopt when it already ended.
    static std::optional<ShimPid> of(pid_t pid);
    static std::optional<ShimPid> read(const std::string& path);
    bool write(const std::string& path, const std::string& tmpSuffix) const;

    // This pid is still this shim: same start time and not a zombie. A file
    // without a start time falls back to the shim's command line, which
    // names its service dir.
    bool alive(const std::string& serviceDir) const;
};

}  // namespace agora::provider
