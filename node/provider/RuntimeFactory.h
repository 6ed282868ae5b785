#pragma once
// Builds the runtime provider.toml names ([runtime] kind).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "node/provider/ProviderConfig.h"
#include "node/provider/runtime/Runtime.h"

namespace agora::provider {

Expected<std::unique_ptr<Runtime>, std::string> makeRuntime(const ProviderConfig& config,
                                                            const std::filesystem::path& home,
                                                            const std::vector<std::string>& shimCommand);

}  // namespace agora::provider
