#pragma once
// Round timeouts in abstract ticks (the node maps a tick to a millisecond;
// the simulator to a unit of virtual time). A timeout grows linearly with the
// round, base + round * delta, so that after the network stabilises some
// round lasts long enough for honest messages to arrive (Tendermint's
// liveness argument). Saturates instead of overflowing.

#include <cstdint>

#include "consensus/engine/Step.h"

namespace agora::consensus {

struct TimeoutConfig {
    std::uint64_t proposeBase = 3000;
    std::uint64_t proposeDelta = 500;
    std::uint64_t prevoteBase = 1000;
    std::uint64_t prevoteDelta = 500;
    std::uint64_t precommitBase = 1000;
    std::uint64_t precommitDelta = 500;

    std::uint64_t duration(Step step, std::uint32_t round) const {
        std::uint64_t base = 0;
        std::uint64_t delta = 0;
        switch (step) {
            case Step::Propose:
                base = proposeBase;
                delta = proposeDelta;
                break;
            case Step::Prevote:
                base = prevoteBase;
                delta = prevoteDelta;
                break;
            case Step::Precommit:
                base = precommitBase;
                delta = precommitDelta;
                break;
        }
        std::uint64_t grow = 0;
        std::uint64_t out = 0;
        if (__builtin_mul_overflow(delta, std::uint64_t{round}, &grow) || __builtin_add_overflow(base, grow, &out)) {
            return UINT64_MAX;
        }
        return out;
    }
};

}  // namespace agora::consensus
