#pragma once
// `agora-provider init|start|shim` (docs/provider.md).

namespace agora::provider {

int runProviderCli(int argc, char** argv);

}  // namespace agora::provider
