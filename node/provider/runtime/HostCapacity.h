#pragma once
// What this host can sell, discovered once at start (docs/provider-runtime.md
// "Capacity"): cores x 1000 as millicores, memory in MiB, the disk of the
// state dir in GiB, and NVIDIA GPUs by model when `nvidia-smi` exists.

#include <string>
#include <vector>

#include "consensus/core/MarketTypes.h"

namespace agora::provider {

// Host facts read from /proc, statvfs and nvidia-smi. Missing sources count as 0.
Resources discoverHostCapacity(const std::string& stateDir);

// GPU model names as nvidia-smi prints them ("NVIDIA A100-SXM4-40GB") turned
// into the marketplace's model spelling ("nvidia-a100-sxm4-40gb"), counted.
std::vector<GpuCount> countGpuModels(const std::vector<std::string>& names);

}  // namespace agora::provider
