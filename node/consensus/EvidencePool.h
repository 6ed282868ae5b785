#pragma once
// EvidencePool: verified duplicate-vote evidence waiting to be included in a
// block (docs/sync.md, "Slashing"). Fed by the engine (votes it saw) and by
// peers (BlockSync.SubmitEvidence, later p2p gossip); read by the proposer.
//
// add() checks both signatures and that a block may carry it (the caller's
// rule: Application::evidenceAdmissible). Evidence already included in a
// committed block is remembered and never pooled again.
// Bounded: beyond maxPending new evidence is refused. Thread-safe.

#include <cstddef>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "consensus/core/Evidence.h"
#include "consensus/core/Expected.h"
#include "consensus/core/ValidatorSet.h"

namespace agora::node {

class EvidencePool {
public:
    explicit EvidencePool(std::size_t maxPending = 256) : maxPending_(maxPending) {}

    // Whether a block at the next height may carry the evidence (why not).
    using Admissible = std::function<Expected<void, std::string>(const DuplicateVoteEvidence&)>;
    // The rule of the earlier releases: the accused is in `validators`.
    static Admissible memberOf(const ValidatorSet& validators);

    // true = newly pooled, false = already pending or committed; an error
    // message when it does not verify or is not admissible.
    Expected<bool, std::string> add(const DuplicateVoteEvidence& evidence, std::string_view chainId,
                                    const Admissible& admissible);
    // Pending evidence a block may carry now, oldest first.
    std::vector<DuplicateVoteEvidence> pending(const Admissible& admissible) const;
    // A block holding this evidence was committed.
    void markCommitted(const std::vector<DuplicateVoteEvidence>& included);

    std::size_t pendingCount() const;
    std::size_t committedCount() const;

private:
    static Bytes keyOf(const DuplicateVoteEvidence& e);
    std::size_t maxPending_;
    mutable std::mutex mu_;
    std::vector<DuplicateVoteEvidence> pending_;
    std::set<Bytes> committed_;
};

}  // namespace agora::node
