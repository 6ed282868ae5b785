#pragma once
// A change of one validator's voting power, handed by the ledger (staking) to
// the consensus engine at the end of a block. Power 0 removes the validator.
// Lists of updates are sorted by key and carry each key at most once.

#include <cstdint>

#include "consensus/core/Codec.h"
#include "consensus/core/CodecTypes.h"
#include "consensus/core/PublicKey.h"

namespace agora {

struct ValidatorUpdate {
    PublicKey consensusKey;   // x-only key that signs votes
    std::uint64_t power = 0;  // bonded stake in uagr (0 = leaves the set)

    void encodeTo(Writer& w) const {
        codec::put(w, consensusKey);
        w.u64(power);
    }
    static ValidatorUpdate decodeFrom(Reader& r) {
        ValidatorUpdate u;
        u.consensusKey = codec::getPublicKey(r);
        u.power = r.u64();
        return u;
    }
    bool operator==(const ValidatorUpdate&) const = default;
};

}  // namespace agora
