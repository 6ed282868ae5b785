#pragma once
// BIP-340 Schnorr keys and signatures over secp256k1 (libsecp256k1).
// Verification only: signing lives in wallet/.

#include "consensus/core/Bytes.h"
#include "consensus/core/FixedBytes.h"

namespace agora {

// 32-byte x-only public key (BIP-340).
class PublicKey : public FixedBytes<PublicKey, 32> {
public:
    using FixedBytes::FixedBytes;
    // True when the bytes are the x coordinate of a point on the curve.
    bool isValid() const;
};

// 64-byte BIP-340 signature.
class Signature : public FixedBytes<Signature, 64> {
public:
    using FixedBytes::FixedBytes;
};

// BIP-340 verification of sig over an arbitrary-length message (the project
// always signs a 32-byte digest; the BIP vectors also use other lengths).
bool verifySchnorr(const PublicKey& key, ByteSpan message, const Signature& sig);

}  // namespace agora
