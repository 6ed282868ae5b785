// Fuzz target: A consensus vote as it arrives from a peer (p2p Envelope.vote).
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/core/Vote.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::Vote>(agora::fuzz::bytesOf(data, size));
    return 0;
}
