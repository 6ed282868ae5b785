#pragma once
// Value types of the compute marketplace shared by messages and state:
// attributes, resources, price schedules and lease close reasons.

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/Amount.h"
#include "consensus/core/Codec.h"

namespace agora {

// A key/value attribute of a provider ("region" = "eu-west") or a job
// constraint. Lists of attributes are strictly sorted by key (unique keys).
struct Attribute {
    std::string key;    // 1..64 bytes
    std::string value;  // 0..128 bytes
    AGORA_CODEC_FIELDS_DECL(Attribute);
    bool operator==(const Attribute&) const = default;
};

// GPUs of one model. Lists are strictly sorted by model.
struct GpuCount {
    std::string model;  // 1..64 bytes, e.g. "nvidia-a100"
    std::uint32_t count = 0;
    AGORA_CODEC_FIELDS_DECL(GpuCount);
    bool operator==(const GpuCount&) const = default;
};

// An amount of compute: capacity of a provider or the request of a job.
struct Resources {
    std::uint64_t cpuMillicores = 0;
    std::uint64_t memoryMib = 0;
    std::uint64_t storageGib = 0;
    std::vector<GpuCount> gpus;
    AGORA_CODEC_FIELDS_DECL(Resources);
    bool operator==(const Resources&) const = default;
};

// Price of one GPU of a model per second of block time.
struct GpuPrice {
    std::string model;
    Amount perGpu;
    AGORA_CODEC_FIELDS_DECL(GpuPrice);
    bool operator==(const GpuPrice&) const = default;
};

// A standing offer's prices, in uagr per unit per second of block time.
struct PriceSchedule {
    Amount perCpuMillicore;
    Amount perMemoryMib;
    Amount perStorageGib;
    std::vector<GpuPrice> gpus;  // strictly sorted by model
    AGORA_CODEC_FIELDS_DECL(PriceSchedule);
    bool operator==(const PriceSchedule&) const = default;
};

// Why a lease was closed. Stable numeric values; never renumber.
enum class CloseReason : std::uint8_t {
    Completed = 0,           // client: work done
    ClientCancelled = 1,     // client: no longer needed
    ProviderTerminated = 2,  // provider closes early (reputation penalty)
    ProviderFailed = 3,      // client reports the provider failed (reputation penalty)
    InsufficientFunds = 4,   // ledger only: escrow ran dry past the grace period
    ManifestTimeout = 5,     // provider: the client never sent the workload manifest (no penalty)
    WorkloadFailed = 6,      // provider: the client's workload failed (non-zero exit, OOM; no penalty)
};
inline constexpr std::uint8_t kCloseReasonMax = 6;

// The order of attribute lists (codec::sortedList's key).
struct AttributeKey {
    const std::string& operator()(const Attribute& a) const { return a.key; }
};

// An attribute list as a field of a state record: at most
// limits::kAttributesMax, strictly sorted by key.
std::vector<Attribute> getAttributes(Reader& r);
void putAttributes(Writer& w, const std::vector<Attribute>& attrs);

}  // namespace agora
