// Fuzz target: A consensus engine input, the payload of a WAL record.
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/engine/Input.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::consensus::Input>(agora::fuzz::bytesOf(data, size));
    return 0;
}
