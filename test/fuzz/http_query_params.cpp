// Fuzz target: an HTTP query string (everything after '?'), parsed by
// QueryParams with percent-decoding.
// Properties: parsing never crashes; every parsed pair is reachable through
// first()/all(); percent-encoding a decoded value and decoding it again is the
// identity.
#include "node/http/QueryParams.h"
#include "test/fuzz/FuzzCheck.h"

namespace {
std::string percentEncode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    using namespace agora::node;
    auto q = QueryParams::parse(fuzz::textOf(data, size));
    if (!q) return 0;
    for (const auto& [key, value] : q->items()) {
        fuzz::require(q->has(key), "a parsed key is not found");
        auto again = percentDecode(percentEncode(value), true);
        fuzz::require(again.has_value() && *again == value, "percent-encoding does not round-trip");
    }
    return 0;
}
