#include "node/provider/runtime/HostCapacity.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <thread>

namespace agora::provider {

namespace {

std::uint64_t discoverCores() {
    const unsigned n = std::thread::hardware_concurrency();
    if (n > 0) return n;
    std::ifstream in("/proc/cpuinfo");
    std::uint64_t count = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("processor", 0) == 0) ++count;
    }
    return count;
}

std::uint64_t discoverMemoryMib() {
    std::ifstream in("/proc/meminfo");
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string key;
        std::uint64_t kib = 0;
        if (fields >> key >> kib && key == "MemTotal:") return kib / 1024;
    }
    return 0;
}

std::uint64_t discoverDiskGib(const std::string& stateDir) {
    struct statvfs fs {};
    if (::statvfs(stateDir.c_str(), &fs) != 0) return 0;
    const std::uint64_t blocks = fs.f_blocks;
    const std::uint64_t blockSize = fs.f_frsize;
    if (blockSize == 0) return 0;
    // Whole GiB, computed without overflow for any block count.
    if (blocks > std::numeric_limits<std::uint64_t>::max() / blockSize) return (blocks >> 30) * blockSize;
    return blocks * blockSize >> 30;
}

std::vector<std::string> nvidiaGpuNames() {
    std::vector<std::string> names;
    // Looked up by fixed paths: PATH is the operator's, and a missing tool is normal.
    const char* candidates[] = {"/usr/bin/nvidia-smi", "/usr/local/bin/nvidia-smi"};
    for (const char* path : candidates) {
        if (::access(path, X_OK) != 0) continue;
        const std::string command = std::string(path) + " --query-gpu=name --format=csv,noheader 2>/dev/null";
        FILE* pipe = ::popen(command.c_str(), "r");
        if (pipe == nullptr) return names;
        char buf[512];
        while (std::fgets(buf, sizeof buf, pipe) != nullptr) {
            std::string line(buf);
            while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
            if (!line.empty()) names.push_back(line);
        }
        ::pclose(pipe);
        return names;
    }
    return names;
}

}  // namespace

std::vector<GpuCount> countGpuModels(const std::vector<std::string>& names) {
    std::map<std::string, std::uint32_t> counts;
    for (const std::string& name : names) {
        std::string model;
        for (const char c : name) {
            const auto u = static_cast<unsigned char>(c);
            if (std::isalnum(u)) {
                model.push_back(static_cast<char>(std::tolower(u)));
            } else if (!model.empty() && model.back() != '-') {
                model.push_back('-');
            }
        }
        while (!model.empty() && model.back() == '-') model.pop_back();
        if (model.size() > 64) model.resize(64);
        if (!model.empty()) ++counts[model];
    }
    std::vector<GpuCount> gpus;
    for (const auto& [model, count] : counts) gpus.push_back(GpuCount{model, count});
    return gpus;
}

Resources discoverHostCapacity(const std::string& stateDir) {
    Resources r;
    r.cpuMillicores = discoverCores() * 1000;
    r.memoryMib = discoverMemoryMib();
    r.storageGib = discoverDiskGib(stateDir);
    r.gpus = countGpuModels(nvidiaGpuNames());
    return r;
}

}  // namespace agora::provider
