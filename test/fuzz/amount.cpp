// Fuzz target: an amount as text (CLI flags, JSON fields, genesis, provider
// prices): decimal micro-units, optionally suffixed "uagr".
// Property: an amount that parses prints to text that parses to the same amount.
#include "consensus/core/Amount.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    auto a = Amount::parse(fuzz::textOf(data, size));
    if (!a) return 0;
    auto again = Amount::parse(a->toString());
    fuzz::require(again.has_value() && *again == *a, "amount does not round-trip through text");
    auto display = Amount::parse(a->toDisplay());
    fuzz::require(display.has_value() && *display == *a, "amount does not round-trip through its display form");
    return 0;
}
