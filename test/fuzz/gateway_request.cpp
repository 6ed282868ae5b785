// Fuzz target: a provider gateway request (SendManifestRequest, the protobuf
// a client sends to agora-provider) converted to core types and
// authenticated as GatewayServer::authenticate does, then the manifest parsed.
// Properties: key and signature fields of the wrong size are rejected before
// verification; verification of arbitrary bytes fails without crashing;
// a verified request's signer address is the address of the presented key.
#include "agora/provider/v1/gateway.pb.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"
#include "node/gatewayauth/GatewayAuth.h"
#include "node/manifest/Manifest.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    provider::v1::SendManifestRequest req;
    if (!req.ParseFromArray(data, static_cast<int>(size))) return 0;
    const auto spanOf = [](const std::string& s) {
        return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    };
    auto key = PublicKey::fromSpan(spanOf(req.auth().public_key()));
    auto sig = Signature::fromSpan(spanOf(req.auth().signature()));
    fuzz::require(key.has_value() == (req.auth().public_key().size() == 32), "key accepted with the wrong size");
    fuzz::require(sig.has_value() == (req.auth().signature().size() == 64), "signature accepted with the wrong size");
    if (key && sig) {
        const Hash256 bodyHash = sha256(spanOf(req.manifest()));
        auto who = provider::verifyGatewayRequest(provider::GatewayAuth{*key, req.auth().timestamp_ms(), *sig},
                                                  "fuzz-chain", provider::gateway_kind::kSendManifest, req.lease_id(),
                                                  bodyHash, req.auth().timestamp_ms(), 120'000);
        if (who) fuzz::require(*who == Address::fromPublicKey(*key), "verified signer is not the key's address");
    }
    (void)manifest::parseManifest(req.manifest());
    return 0;
}
