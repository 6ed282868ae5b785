// Fuzz target: A ledger event as stored in block results and streamed to subscribers.
// Property: what decodes is canonical (re-encodes to the same bytes).
#include "consensus/state/Event.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    agora::fuzz::checkCanonical<agora::state::Event>(agora::fuzz::bytesOf(data, size));
    return 0;
}
