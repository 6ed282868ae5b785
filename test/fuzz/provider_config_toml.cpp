// Fuzz target: provider.toml, the provider agent's configuration.
// Property: a config that loads renders to a file that loads to a config
// rendering the same file.
#include "node/provider/ProviderConfig.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    static fuzz::ScratchFile file("provider.toml");
    auto config = provider::loadProviderConfig(file.write(data, size));
    if (!config) return 0;
    const std::string toml = provider::renderProviderConfig(*config);
    const auto& path = file.write(reinterpret_cast<const std::uint8_t*>(toml.data()), toml.size());
    auto again = provider::loadProviderConfig(path);
    fuzz::require(again.hasValue(), "rendered provider.toml does not load");
    fuzz::require(provider::renderProviderConfig(*again) == toml, "provider.toml does not round-trip");
    return 0;
}
