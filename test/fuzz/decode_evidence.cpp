// Fuzz target: Duplicate-vote evidence from a peer, a block or SubmitEvidence.
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/core/Evidence.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::DuplicateVoteEvidence>(agora::fuzz::bytesOf(data, size));
    return 0;
}
