// Fuzz target: a block from wire bytes (block sync, stored blocks), through
// decodeBlock, which also bounds the size.
// Properties: what decodes is canonical; the content hashes are computable
// on any decoded block (contentMatchesHeader never crashes).
#include "consensus/core/Block.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    const ByteSpan in = fuzz::bytesOf(data, size);
    auto block = decodeBlock(in);
    if (!block) return 0;
    const Bytes again = encode(*block);
    fuzz::require(std::equal(again.begin(), again.end(), in.begin(), in.end()), "block re-encodes differently");
    auto twice = decodeBlock(again);
    fuzz::require(twice.hasValue() && *twice == *block, "re-encoded block does not decode to the same block");
    (void)block->contentMatchesHeader();
    return 0;
}
