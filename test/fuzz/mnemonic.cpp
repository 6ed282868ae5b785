// Fuzz target: a BIP-39 mnemonic as typed by a user (`agora keys add
// --recover`, `agorad init --recover`).
// Properties: a phrase that parses has a canonical form that parses to the
// same entropy, and that entropy encodes back to the canonical phrase.
#include "wallet/Mnemonic.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    auto m = wallet::Mnemonic::parse(fuzz::textOf(data, size));
    if (!m) return 0;
    auto again = wallet::Mnemonic::parse(m->phrase());
    fuzz::require(again.hasValue() && again->phrase() == m->phrase(), "canonical phrase does not parse to itself");
    const Bytes entropy = m->entropy();
    auto fromEntropy = wallet::Mnemonic::fromEntropy(ByteSpan(entropy.data(), entropy.size()));
    fuzz::require(fromEntropy.hasValue() && fromEntropy->phrase() == m->phrase(),
                  "entropy does not encode back to the phrase");
    fuzz::require(m->wordCount() >= 12 && m->wordCount() <= 24, "word count outside 12..24");
    return 0;
}
