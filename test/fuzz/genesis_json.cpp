// Fuzz target: genesis.json as an operator receives it (agorad start, and
// the genesis a network shares).
// Properties: a document that parses prints canonical JSON that parses to the
// same document (same canonical JSON and hash); the pretty form parses to it too.
#include "node/genesis/GenesisFile.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    auto doc = node::GenesisDoc::parse(fuzz::textOf(data, size));
    if (!doc) return 0;
    const std::string canonical = doc->canonicalJson();
    auto again = node::GenesisDoc::parse(canonical);
    fuzz::require(again.hasValue(), "canonical genesis JSON does not parse");
    fuzz::require(again->canonicalJson() == canonical, "genesis does not round-trip through canonical JSON");
    fuzz::require(again->hash() == doc->hash(), "genesis hash changed across a round trip");
    auto pretty = node::GenesisDoc::parse(doc->prettyJson());
    fuzz::require(pretty.hasValue() && pretty->canonicalJson() == canonical, "pretty genesis JSON differs");
    return 0;
}
