// Fuzz target: the signer state file (data/priv_validator_state.json) read at
// start, which decides what the validator may still sign.
// Properties: a file that loads writes back (persist) to a file that loads to
// the same state; a file that does not load is an error, never a default
// (a default state would allow double-signing).
#include "consensus/engine/SignerState.h"
#include "node/consensus/SignerStateFile.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    static fuzz::ScratchFile file("signer_state.json");
    node::SignerStateFile signer(file.write(data, size));
    auto state = signer.load();
    if (!state) return 0;
    fuzz::require(signer.persist(*state), "signer state does not persist");
    auto again = signer.load();
    fuzz::require(again.hasValue() && *again == *state, "signer state does not round-trip through its file");
    return 0;
}
