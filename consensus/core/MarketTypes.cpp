#include "consensus/core/MarketTypes.h"

#include "consensus/core/Fields.h"
#include "consensus/core/Limits.h"

namespace agora {

using codec::limited;
using codec::sortedList;

namespace {
struct GpuModel {
    template <typename G>
    const std::string& operator()(const G& g) const {
        return g.model;
    }
};
}  // namespace

AGORA_CODEC_FIELDS(Attribute)
template <typename IO, typename Self>
void Attribute::fields(IO& io, Self& m) {
    io(limited(m.key, limits::kAttributeKeyMax, 1), limited(m.value, limits::kAttributeValueMax));
}

std::vector<Attribute> getAttributes(Reader& r) {
    std::vector<Attribute> out;
    codec::Decoder io(r);
    io(sortedList(out, limits::kAttributesMax, AttributeKey{}));
    return out;
}

void putAttributes(Writer& w, const std::vector<Attribute>& attrs) {
    codec::Encoder io(w);
    io(sortedList(attrs, limits::kAttributesMax, AttributeKey{}));
}

AGORA_CODEC_FIELDS(GpuCount)
template <typename IO, typename Self>
void GpuCount::fields(IO& io, Self& m) {
    io(limited(m.model, limits::kGpuModelMax, 1), m.count);
}

AGORA_CODEC_FIELDS(Resources)
template <typename IO, typename Self>
void Resources::fields(IO& io, Self& m) {
    io(m.cpuMillicores, m.memoryMib, m.storageGib, sortedList(m.gpus, limits::kGpuModelsMax, GpuModel{}));
}

AGORA_CODEC_FIELDS(GpuPrice)
template <typename IO, typename Self>
void GpuPrice::fields(IO& io, Self& m) {
    io(limited(m.model, limits::kGpuModelMax, 1), m.perGpu);
}

AGORA_CODEC_FIELDS(PriceSchedule)
template <typename IO, typename Self>
void PriceSchedule::fields(IO& io, Self& m) {
    io(m.perCpuMillicore, m.perMemoryMib, m.perStorageGib, sortedList(m.gpus, limits::kGpuModelsMax, GpuModel{}));
}

}  // namespace agora
