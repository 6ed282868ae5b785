// Fuzz target: the JSON body of POST /v1/txs (hex or base64 tx, mode,
// timeout), parsed by parseTxBody, then the tx bytes through decodeSignedTx
// as the broadcaster does.
// Properties: parsing never throws; the timeout never exceeds the cap;
// base64 of the decoded tx bytes decodes back to them.
#include "consensus/core/Tx.h"
#include "node/gateway/TxBody.h"
#include "test/fuzz/FuzzCheck.h"

namespace {
std::string base64(const agora::Bytes& b) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < b.size(); i += 3) {
        const unsigned v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
        out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], abc[v & 63]};
    }
    if (i + 1 == b.size()) {
        const unsigned v = b[i] << 16;
        out += {abc[v >> 18], abc[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == b.size()) {
        const unsigned v = (b[i] << 16) | (b[i + 1] << 8);
        out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], '='};
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    constexpr std::uint32_t kMaxWaitMs = 60'000;
    auto body = node::parseTxBody(fuzz::textOf(data, size), kMaxWaitMs);
    if (!body) return 0;
    fuzz::require(body->timeoutMs <= kMaxWaitMs, "timeout above the cap");
    auto back = node::decodeBase64(base64(body->tx));
    fuzz::require(back.has_value() && *back == body->tx, "base64 does not round-trip");
    (void)decodeSignedTx(ByteSpan(body->tx.data(), body->tx.size()));
    return 0;
}
