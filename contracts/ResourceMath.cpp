#include "contracts/ResourceMath.h"

#include <limits>
#include <map>

namespace agora::contracts {
namespace {

std::map<std::string, std::uint32_t> gpuMap(const Resources& r) {
    std::map<std::string, std::uint32_t> m;
    for (const auto& g : r.gpus) m[g.model] = g.count;
    return m;
}

std::vector<GpuCount> gpuList(const std::map<std::string, std::uint32_t>& m) {
    std::vector<GpuCount> out;
    for (const auto& [model, count] : m)
        if (count > 0) out.push_back(GpuCount{model, count});
    return out;
}

}  // namespace

std::optional<Resources> addResources(const Resources& a, const Resources& b) {
    Resources r;
    if (__builtin_add_overflow(a.cpuMillicores, b.cpuMillicores, &r.cpuMillicores) ||
        __builtin_add_overflow(a.memoryMib, b.memoryMib, &r.memoryMib) ||
        __builtin_add_overflow(a.storageGib, b.storageGib, &r.storageGib))
        return std::nullopt;
    auto m = gpuMap(a);
    for (const auto& g : b.gpus)
        if (__builtin_add_overflow(m[g.model], g.count, &m[g.model])) return std::nullopt;
    r.gpus = gpuList(m);
    return r;
}

Resources scaleResources(const Resources& r, std::uint32_t k) {
    const auto mul = [k](auto v) {
        decltype(v) out{};
        return __builtin_mul_overflow(v, k, &out) ? std::numeric_limits<decltype(v)>::max() : out;
    };
    Resources out;
    out.cpuMillicores = mul(r.cpuMillicores);
    out.memoryMib = mul(r.memoryMib);
    out.storageGib = mul(r.storageGib);
    for (const auto& g : r.gpus)
        if (g.count > 0) out.gpus.push_back(GpuCount{g.model, k == 0 ? 0 : mul(g.count)});
    if (k == 0) out.gpus.clear();
    return out;
}

std::optional<Resources> subResources(const Resources& a, const Resources& b) {
    if (!covers(a, b)) return std::nullopt;
    Resources r;
    r.cpuMillicores = a.cpuMillicores - b.cpuMillicores;
    r.memoryMib = a.memoryMib - b.memoryMib;
    r.storageGib = a.storageGib - b.storageGib;
    auto m = gpuMap(a);
    for (const auto& g : b.gpus) m[g.model] -= g.count;
    r.gpus = gpuList(m);
    return r;
}

bool covers(const Resources& have, const Resources& need) {
    if (need.cpuMillicores > have.cpuMillicores || need.memoryMib > have.memoryMib || need.storageGib > have.storageGib)
        return false;
    const auto m = gpuMap(have);
    for (const auto& g : need.gpus) {
        auto it = m.find(g.model);
        if (g.count > 0 && (it == m.end() || it->second < g.count)) return false;
    }
    return true;
}

bool isEmpty(const Resources& r) {
    return r.cpuMillicores == 0 && r.memoryMib == 0 && r.storageGib == 0 && r.gpus.empty();
}

bool wellFormed(const Resources& r) {
    for (std::size_t i = 0; i < r.gpus.size(); ++i) {
        if (r.gpus[i].count == 0 || r.gpus[i].model.empty()) return false;
        if (i > 0 && !(r.gpus[i - 1].model < r.gpus[i].model)) return false;
    }
    return true;
}

}  // namespace agora::contracts
