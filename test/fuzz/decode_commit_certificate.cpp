// Fuzz target: The commit certificate a block-sync peer sends with each block.
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/core/CommitCertificate.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::CommitCertificate>(agora::fuzz::bytesOf(data, size));
    return 0;
}
