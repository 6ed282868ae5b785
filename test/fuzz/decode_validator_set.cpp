// Fuzz target: A validator set as stored and exported.
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/core/ValidatorSet.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::ValidatorSet>(agora::fuzz::bytesOf(data, size));
    return 0;
}
