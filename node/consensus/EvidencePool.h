#pragma once
// EvidencePool: verified duplicate-vote evidence waiting to be included in a
// block (docs/sync.md, "Slashing"). Fed by the engine (votes it saw) and by
// peers (BlockSync.SubmitEvidence, p2p gossip); read by the proposer.
//
// add() checks both signatures and that a block may carry it (the caller's
// rule: Application::evidenceAdmissible).
// One entry per offence: evidence is keyed by (validator, height, round,
// vote type), so a second conflicting pair for an offence already pending or
// committed is not pooled (an equivocator that signed three values yields
// three pairs, all proof of the one offence). Committed offences are
// remembered (the last kCommittedKept) and never pooled again.
// Expiry: prune() drops pending evidence a block may no longer carry (older
// than unbonding_blocks, against a validator tombstoned meanwhile); the
// driver and block sync call it after every commit, and add() calls it when
// the pool is full, so stale evidence never holds a slot.
// Bounded: beyond maxPending new evidence is refused. Thread-safe.

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Evidence.h"
#include "consensus/core/Expected.h"
#include "consensus/core/ValidatorSet.h"

namespace agora::node {

class EvidencePool {
public:
    static constexpr std::size_t kCommittedKept = 4096;
    // add()'s error when the pool is full of admissible evidence.
    static constexpr std::string_view kFullError = "evidence pool is full";

    explicit EvidencePool(std::size_t maxPending = 256) : maxPending_(maxPending) {}

    // Whether a block at the next height may carry the evidence (why not).
    using Admissible = std::function<Expected<void, std::string>(const DuplicateVoteEvidence&)>;
    // The rule of the earlier releases: the accused is in `validators`.
    static Admissible memberOf(const ValidatorSet& validators);

    // true = newly pooled, false = its offence is already pending or
    // committed; an error message when it does not verify or is not
    // admissible.
    Expected<bool, std::string> add(const DuplicateVoteEvidence& evidence, std::string_view chainId,
                                    const Admissible& admissible);
    // Pending evidence a block may carry now, oldest first.
    std::vector<DuplicateVoteEvidence> pending(const Admissible& admissible) const;
    // A block holding this evidence was committed.
    void markCommitted(const std::vector<DuplicateVoteEvidence>& included);
    // Drops pending evidence that `admissible` refuses; returns how many.
    // Call it where no block is committed concurrently (after a commit, on
    // the committing thread), so the rule reads a consistent state.
    std::size_t prune(const Admissible& admissible);

    // Whether the evidence's offence is already pending or committed (cheap:
    // no signature check; p2p admission asks before relaying).
    bool known(const DuplicateVoteEvidence& evidence) const;

    std::size_t pendingCount() const;
    std::size_t committedCount() const;

private:
    // (validator, height, round, type): what one offence is.
    static Bytes offenceOf(const DuplicateVoteEvidence& e);
    bool knownLocked(const Bytes& offence) const;
    std::size_t maxPending_;
    mutable std::mutex mu_;
    std::vector<DuplicateVoteEvidence> pending_;
    std::set<Bytes> committed_;
    std::deque<Bytes> committedOrder_;  // oldest first, for the bound
};

}  // namespace agora::node
