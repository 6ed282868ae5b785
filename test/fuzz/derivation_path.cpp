// Fuzz target: a BIP-32 derivation path (`--hd-path`, key files' hd_path).
// Property: a path that parses prints to text that parses to the same path.
#include "test/fuzz/FuzzCheck.h"
#include "wallet/DerivationPath.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    auto path = wallet::DerivationPath::parse(fuzz::textOf(data, size));
    if (!path) return 0;
    auto again = wallet::DerivationPath::parse(path->toString());
    fuzz::require(again.hasValue() && *again == *path, "derivation path does not round-trip through text");
    return 0;
}
