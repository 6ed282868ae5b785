#pragma once
// ConsensusAdmission: which gossiped proposals and votes a node relays and
// buffers (docs/p2p.md, "Admission"; design decision 48). A consensus
// message is admitted only when its height is within the window around the
// height h the engine decides, its round within the engine's reach, and its
// signer one that could have signed it:
//
//   height        set it is checked against          proposal signer    relayed
//   h - 1         the set that decided h - 1 (*)     proposer of round  yes
//   h             the set of h                       proposer of round  yes
//   h + 1         the set of h + 1 (exact **)        proposer of round  yes
//   h + 2 .. h+W  the set of h + 1 (a guess)         a member           no (buffered only)
//   else          dropped: stale or too far ahead
//
//   (*)  known only after this node decided h - 1 itself (not after a
//        restart); rounds up to the decided round.
//   (**) exact when validator updates take effect two or more heights after
//        the block that returns them (consensus.validator_update_delay >= 2,
//        the default); with a delay of 1 the set of h + 1 is a guess too.
//
// Rounds: at most kMaxRoundsAhead above the engine's round at h (0 at other
// heights, where the engine starts at round 0), as the engine itself.
//
// A message refused against an exactly known set (signer not a member, or a
// proposal not signed by the proposer of its round) is something no honest
// node relays: the sender is scored (scored() true). Stale, too far ahead,
// a round out of reach and a signer unknown to a guessed set are not: an
// honest peer may send those (it is behind, ahead, or a validator joined).
//
// Duplicate-vote evidence (decision 53) is checked against the same sets by
// the height of its votes: at h - 1 (when known), h and h + 1 (when exact) the
// accused must be a member, else NotValidator (scored: every honest node's
// engine only reports members); at h + 1 with a guessed set a non-member is
// UnknownSigner; above h + 1 FutureHeight; below the known heights nothing is
// checked here (no set is kept): the evidence pool's rule decides (within
// unbonding_blocks, a validator staking still holds, not tombstoned).
//
// Immutable once built, except for the proposer cache: thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "consensus/core/Evidence.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/ValidatorSet.h"
#include "consensus/core/Vote.h"

namespace agora::node {

enum class Admission : std::uint8_t {
    Relay,          // admitted, buffered and relayed
    Keep,           // admitted (buffered for a later height), not relayed
    StaleHeight,    // below the window
    FutureHeight,   // above the window
    RoundTooFar,    // round beyond the engine's reach
    NotValidator,   // signer not in the (exactly known) set of that height
    NotProposer,    // proposal not signed by the proposer of its (height, round)
    UnknownSigner,  // signer not in the guessed set of a far height
};

inline constexpr std::size_t kAdmissionCount = 8;

// Stable names (metrics label `reason`, logs).
std::string_view admissionName(Admission a);
inline bool admitted(Admission a) {
    return a == Admission::Relay || a == Admission::Keep;
}
// Refused against an exactly known set: the peer that sent it is scored.
inline bool scored(Admission a) {
    return a == Admission::NotValidator || a == Admission::NotProposer;
}

// What becomes of gossiped duplicate-vote evidence (docs/p2p.md "Admission",
// decision 53). Only Pooled is relayed.
enum class EvidenceAdmission : std::uint8_t {
    Admitted,       // passed admission; the pool decides next
    Pooled,         // a new offence, pooled: relayed
    NotValidator,   // the accused is not in the exactly known set of the evidence's height
    UnknownSigner,  // the accused is not in the guessed set of h + 1
    FutureHeight,   // above h + 1
    Known,          // its offence is already pending or committed (another pair, or a repeat)
    Inadmissible,   // the pool's rule refused it (too old, no validator holds the key, tombstoned)
    PoolFull,       // the pool is full of admissible evidence
};

inline constexpr std::size_t kEvidenceAdmissionCount = 8;

// Stable names (metrics label `reason`, logs).
std::string_view evidenceAdmissionName(EvidenceAdmission a);
// Refused against an exactly known set: the peer that sent it is scored.
inline bool scored(EvidenceAdmission a) {
    return a == EvidenceAdmission::NotValidator;
}

class ConsensusAdmission {
public:
    static constexpr std::uint32_t kMaxRoundsAhead = 256;  // = consensus::EngineConfig::maxRoundsAhead

    struct Decided {
        ValidatorSet validators;  // the set (with its priorities) that decided h - 1
        std::uint32_t round = 0;  // the round it decided in
    };

    // height = h >= 1; current = the set of h; next = the set of h + 1,
    // nextExact when no block still to be decided can change it.
    ConsensusAdmission(std::uint64_t height, std::optional<Decided> previous, ValidatorSet current, ValidatorSet next,
                       bool nextExact, std::uint64_t futureHeights);

    // engineRound: the engine's round at h (the round bound at h).
    Admission proposal(const Proposal& p, std::uint32_t engineRound) const;
    Admission vote(const Vote& v, std::uint32_t engineRound) const;
    // Admitted, NotValidator, UnknownSigner or FutureHeight (header comment).
    EvidenceAdmission evidence(const DuplicateVoteEvidence& e) const;

    std::uint64_t height() const { return height_; }

private:
    struct Level {
        ValidatorSet validators;  // with the priorities of the height's round 0
        bool exact = false;
        // Proposers of rounds 0.. computed so far, and the set advanced that far.
        mutable std::vector<PublicKey> proposers;
        mutable ValidatorSet advanced;
    };
    // The level a message of `height` is checked against and whether it is
    // relayed, or the verdict when it is out of the window.
    struct Where {
        const Level* level = nullptr;
        bool relay = false;
        bool exact = false;  // the set of that very height (else a guess)
        std::uint32_t maxRound = 0;
        Admission refused = Admission::StaleHeight;
    };
    Where locate(std::uint64_t height, std::uint32_t engineRound) const;
    PublicKey proposerOf(const Level& level, std::uint32_t round) const;

    std::uint64_t height_;
    std::optional<Level> previous_;
    std::uint32_t previousRound_ = 0;
    Level current_;
    Level next_;
    std::uint64_t futureHeights_;
    mutable std::mutex mu_;  // the proposer caches
};

}  // namespace agora::node
