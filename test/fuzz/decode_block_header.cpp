// Fuzz target: A block header (its bytes are the block id preimage).
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/core/BlockHeader.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::BlockHeader>(agora::fuzz::bytesOf(data, size));
    return 0;
}
