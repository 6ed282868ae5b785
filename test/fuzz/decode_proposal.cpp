// Fuzz target: A block proposal as it arrives from a peer (p2p Envelope.proposal).
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/core/Proposal.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::Proposal>(agora::fuzz::bytesOf(data, size));
    return 0;
}
