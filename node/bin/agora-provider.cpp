// agora-provider: the provider agent (node/provider, docs/provider.md).
#include "node/provider/ProviderCli.h"

int main(int argc, char** argv) {
    return agora::provider::runProviderCli(argc, argv);
}
