#pragma once
// The last (height, round, step) a validator signed and the digest it signed
// there. Persisted (fsync) before any signature leaves the process, so after
// a crash the signer still refuses anything that conflicts.
//
//   wire form = u64 height || u32 round || u8 step || optional<Hash256> digest
//
// step 0 means "nothing signed yet" (height and round are then 0 and the
// digest absent); otherwise step is a Step value.

#include <cstdint>
#include <optional>

#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"

namespace agora::consensus {

struct SignerState {
    std::uint64_t height = 0;
    std::uint32_t round = 0;
    std::uint8_t step = 0;
    std::optional<Hash256> digest;

    void encodeTo(Writer& w) const;
    static SignerState decodeFrom(Reader& r);
    bool operator==(const SignerState&) const = default;
};

}  // namespace agora::consensus
