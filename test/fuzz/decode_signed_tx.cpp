// Fuzz target: a signed tx from outside (TxService.Broadcast, the HTTP
// broadcast endpoint, p2p Envelope.tx) through decodeSignedTx.
// Properties: what decodes is canonical; the tx hash and signature check run
// on any decoded tx without crashing.
#include "consensus/core/Tx.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    const ByteSpan in = fuzz::bytesOf(data, size);
    auto tx = decodeSignedTx(in);
    if (!tx) return 0;
    const Bytes again = tx->bytes();
    fuzz::require(std::equal(again.begin(), again.end(), in.begin(), in.end()), "signed tx re-encodes differently");
    auto twice = decodeSignedTx(again);
    fuzz::require(twice.hasValue() && *twice == *tx, "re-encoded tx does not decode to the same tx");
    (void)tx->hash();
    (void)tx->verifySignature();  // any 32 bytes as a key: must reject, never crash
    return 0;
}
