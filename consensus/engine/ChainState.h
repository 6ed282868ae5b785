#pragma once
// What the engine needs to start a height, and what the node persists
// together with each committed block (action PersistChainState):
//
//   height         the height being decided next (>= 1)
//   validators     the set that decides it, with proposer priorities
//   pending        validator updates returned by the application at earlier
//                  heights, keyed by the height where they take effect
//   lastCommit     the certificate of height - 1 (absent at height 1)
//
// Pure function of genesis and the finalized blocks: every honest node holds
// the same ChainState at the same height.
//
//   wire form = u64 height || ValidatorSet || list<u64 at || list<ValidatorUpdate>>
//               || optional<CommitCertificate>

#include <cstdint>
#include <optional>
#include <vector>

#include "consensus/core/Codec.h"
#include "consensus/core/CommitCertificate.h"
#include "consensus/core/ValidatorSet.h"
#include "consensus/core/ValidatorUpdate.h"

namespace agora::consensus {

struct PendingUpdates {
    std::uint64_t effectiveHeight = 0;
    std::vector<ValidatorUpdate> updates;  // sorted by key, each key once
    bool operator==(const PendingUpdates&) const = default;
};

struct ChainState {
    std::uint64_t height = 1;
    ValidatorSet validators;
    std::vector<PendingUpdates> pending;  // strictly increasing effectiveHeight
    std::optional<CommitCertificate> lastCommit;

    static ChainState genesis(ValidatorSet validators);

    // The set that proposes round `round` of this height: the base set
    // advanced round + 1 steps of the weighted round-robin.
    ValidatorSet proposerSetFor(std::uint32_t round) const;

    // The state for height + 1 after this height decided with certificate
    // `commit` and the application returned `updates`, which take effect at
    // height + delay (delay >= 1). Updates that would leave an invalid set
    // (empty, too large, unsorted) are dropped identically on every node.
    ChainState next(const CommitCertificate& commit, std::vector<ValidatorUpdate> updates, std::uint64_t delay) const;

    void encodeTo(Writer& w) const;
    static ChainState decodeFrom(Reader& r);
    bool operator==(const ChainState&) const = default;
};

}  // namespace agora::consensus
