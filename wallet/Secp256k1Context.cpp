#include "wallet/Secp256k1Context.h"

#include <array>
#include <cstdlib>

#include "wallet/SecureRandom.h"
#include "wallet/Wipe.h"

namespace agora::wallet {

const secp256k1_context* signingContext() {
    static const secp256k1_context* ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        auto seed = secureRandomArray<32>();
        if (secp256k1_context_randomize(c, seed.data()) != 1) std::abort();
        wipe(seed.data(), seed.size());
        return c;
    }();
    return ctx;
}

}  // namespace agora::wallet
