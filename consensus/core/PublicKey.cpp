#include "consensus/core/PublicKey.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

namespace agora {
namespace {

// One context for verification, created once; read-only use is thread-safe.
const secp256k1_context* verifyContext() {
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

}  // namespace

bool PublicKey::isValid() const {
    secp256k1_xonly_pubkey pk;
    return secp256k1_xonly_pubkey_parse(verifyContext(), &pk, bytes().data()) == 1;
}

bool verifySchnorr(const PublicKey& key, ByteSpan message, const Signature& sig) {
    secp256k1_xonly_pubkey pk;
    if (secp256k1_xonly_pubkey_parse(verifyContext(), &pk, key.bytes().data()) != 1) return false;
    return secp256k1_schnorrsig_verify(verifyContext(), sig.bytes().data(), message.data(), message.size(), &pk) == 1;
}

}  // namespace agora
