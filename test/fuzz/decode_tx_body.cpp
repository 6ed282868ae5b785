// Fuzz target: The unsigned tx body (what a signature covers), as canonical bytes.
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/core/Tx.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::Tx>(agora::fuzz::bytesOf(data, size));
    return 0;
}
