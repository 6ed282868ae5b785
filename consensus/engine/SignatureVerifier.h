#pragma once
// How the engine checks the signatures on proposals and votes. The default
// verifies BIP-340 directly; a node or the simulator may put a cache in
// front (every validator receives the same messages).

#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"

namespace agora::consensus {

class SignatureVerifier {
public:
    virtual ~SignatureVerifier() = default;
    virtual bool verify(const PublicKey& key, const Hash256& digest, const Signature& sig) const = 0;
};

class SchnorrVerifier final : public SignatureVerifier {
public:
    bool verify(const PublicKey& key, const Hash256& digest, const Signature& sig) const override {
        return verifySchnorr(key, digest.span(), sig);
    }
};

}  // namespace agora::consensus
