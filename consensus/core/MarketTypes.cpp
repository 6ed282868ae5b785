#include "consensus/core/MarketTypes.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"

namespace agora {

namespace {
// Fails the reader unless keys are strictly increasing (sorted and unique).
template <typename T, typename KeyFn>
void requireSorted(Reader& r, const std::vector<T>& items, KeyFn&& key) {
    for (std::size_t i = 1; i < items.size(); ++i)
        if (!(key(items[i - 1]) < key(items[i]))) r.fail(CodecError::NotSorted);
}
}  // namespace

void Attribute::encodeTo(Writer& w) const {
    w.string(key);
    w.string(value);
}

Attribute Attribute::decodeFrom(Reader& r) {
    Attribute a;
    a.key = r.string(limits::kAttributeKeyMax, 1);
    a.value = r.string(limits::kAttributeValueMax);
    return a;
}

std::vector<Attribute> getAttributes(Reader& r) {
    auto out = codec::getList<Attribute>(r, limits::kAttributesMax, Attribute::decodeFrom);
    requireSorted(r, out, [](const Attribute& a) -> const std::string& { return a.key; });
    return out;
}

void putAttributes(Writer& w, const std::vector<Attribute>& attrs) {
    codec::putList(w, attrs, [](Writer& ww, const Attribute& a) { a.encodeTo(ww); });
}

void GpuCount::encodeTo(Writer& w) const {
    w.string(model);
    w.u32(count);
}

GpuCount GpuCount::decodeFrom(Reader& r) {
    GpuCount g;
    g.model = r.string(limits::kGpuModelMax, 1);
    g.count = r.u32();
    return g;
}

void Resources::encodeTo(Writer& w) const {
    w.u64(cpuMillicores);
    w.u64(memoryMib);
    w.u64(storageGib);
    codec::putList(w, gpus, [](Writer& ww, const GpuCount& g) { g.encodeTo(ww); });
}

Resources Resources::decodeFrom(Reader& r) {
    Resources res;
    res.cpuMillicores = r.u64();
    res.memoryMib = r.u64();
    res.storageGib = r.u64();
    res.gpus = codec::getList<GpuCount>(r, limits::kGpuModelsMax, GpuCount::decodeFrom);
    requireSorted(r, res.gpus, [](const GpuCount& g) -> const std::string& { return g.model; });
    return res;
}

void GpuPrice::encodeTo(Writer& w) const {
    w.string(model);
    codec::put(w, perGpu);
}

GpuPrice GpuPrice::decodeFrom(Reader& r) {
    GpuPrice g;
    g.model = r.string(limits::kGpuModelMax, 1);
    g.perGpu = codec::getAmount(r);
    return g;
}

void PriceSchedule::encodeTo(Writer& w) const {
    codec::put(w, perCpuMillicore);
    codec::put(w, perMemoryMib);
    codec::put(w, perStorageGib);
    codec::putList(w, gpus, [](Writer& ww, const GpuPrice& g) { g.encodeTo(ww); });
}

PriceSchedule PriceSchedule::decodeFrom(Reader& r) {
    PriceSchedule p;
    p.perCpuMillicore = codec::getAmount(r);
    p.perMemoryMib = codec::getAmount(r);
    p.perStorageGib = codec::getAmount(r);
    p.gpus = codec::getList<GpuPrice>(r, limits::kGpuModelsMax, GpuPrice::decodeFrom);
    requireSorted(r, p.gpus, [](const GpuPrice& g) -> const std::string& { return g.model; });
    return p;
}

}  // namespace agora
