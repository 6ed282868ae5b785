#pragma once
// How a service ended: the `exit` file its shim writes last (after the
// cgroups are gone), atomically (tmp + rename), so its presence alone means
// "this service holds nothing any more".

#include <optional>
#include <string>

namespace agora::provider {

struct ServiceExit {
    int code = 0;            // exit status; killed by signal n -> 128 + n
    bool oomKilled = false;  // the cgroup recorded an OOM kill
    bool stopped = false;    // ended because stop() asked
    std::string error;       // the shim could not run it (spec, cgroups, spawn); code is then 125

    std::string toJson() const;
    static std::optional<ServiceExit> fromJson(const std::string& text);
    // Writes <dir>/exit through <dir>/exit.tmp; false when the disk refused.
    bool writeTo(const std::string& dir) const;
    static std::optional<ServiceExit> readFrom(const std::string& dir);
};

}  // namespace agora::provider
