// Fuzz target: a workload manifest (YAML or JSON) as the provider gateway
// receives it in SendManifest and the CLI reads it for `agora deploy`.
// Properties: parsing never throws; a manifest that parses satisfies the
// documented shape (1..kMaxServices services strictly sorted by name, each
// with a command, ports strictly sorted); parsing is deterministic (same
// value, same canonical bytes and hash on a second parse).
#include "node/manifest/Manifest.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    using namespace agora::manifest;
    const std::string_view text = fuzz::textOf(data, size);
    auto m = parseManifest(text);
    if (!m) return 0;
    fuzz::require(!m->services.empty() && m->services.size() <= kMaxServices, "service count out of range");
    for (std::size_t i = 0; i < m->services.size(); ++i) {
        const Service& s = m->services[i];
        if (i > 0) fuzz::require(m->services[i - 1].name < s.name, "services not strictly sorted");
        fuzz::require(!s.command.empty(), "service without a command");
        for (std::size_t j = 1; j < s.expose.size(); ++j)
            fuzz::require(s.expose[j - 1].port < s.expose[j].port, "ports not strictly sorted");
    }
    auto again = parseManifest(text);
    fuzz::require(again.hasValue() && *again == *m, "second parse differs");
    fuzz::require(canonicalBytes(*again) == canonicalBytes(*m), "canonical bytes differ");
    fuzz::require(manifestHash(*m) == sha256(canonicalBytes(*m)), "manifest hash is not SHA-256 of its bytes");
    return 0;
}
