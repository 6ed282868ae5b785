// Fuzz target: A sparse Merkle tree proof a light client receives with a query answer.
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/state/MerkleProof.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::state::MerkleProof>(agora::fuzz::bytesOf(data, size));
    return 0;
}
