#pragma once
// The libsecp256k1 context the wallet signs and derives with: created once,
// randomised from the OS CSPRNG (side-channel blinding), then only read, which
// libsecp256k1 allows from several threads at once.

#include <secp256k1.h>

namespace agora::wallet {

const secp256k1_context* signingContext();

}  // namespace agora::wallet
