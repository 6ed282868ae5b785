// Fuzz target: A stored sparse Merkle tree node (read back from LevelDB).
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/state/TreeNode.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::state::TreeNode>(agora::fuzz::bytesOf(data, size));
    return 0;
}
