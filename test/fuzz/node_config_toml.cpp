// Fuzz target: config/config.toml, the node operator's configuration.
// Property: a config that parses renders (toToml) to a file that parses to a
// config rendering the same file.
#include "node/config/NodeConfig.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    auto config = node::NodeConfig::parse(fuzz::textOf(data, size));
    if (!config) return 0;
    const std::string toml = config->toToml();
    auto again = node::NodeConfig::parse(toml);
    fuzz::require(again.hasValue(), "rendered config.toml does not parse");
    fuzz::require(again->toToml() == toml, "config.toml does not round-trip");
    return 0;
}
