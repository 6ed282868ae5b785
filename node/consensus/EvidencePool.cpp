#include "node/consensus/EvidencePool.h"

#include <algorithm>

namespace agora::node {

Bytes EvidencePool::offenceOf(const DuplicateVoteEvidence& e) {
    Writer w;
    w.raw(e.first.validator.span());
    w.u64(e.first.height);
    w.u32(e.first.round);
    w.u8(static_cast<std::uint8_t>(e.first.type));
    return w.take();
}

bool EvidencePool::knownLocked(const Bytes& offence) const {
    if (committed_.count(offence) != 0) return true;
    return std::any_of(pending_.begin(), pending_.end(),
                       [&](const DuplicateVoteEvidence& p) { return offenceOf(p) == offence; });
}

EvidencePool::Admissible EvidencePool::memberOf(const ValidatorSet& validators) {
    return [validators](const DuplicateVoteEvidence& e) -> Expected<void, std::string> {
        if (validators.powerOf(e.validator()) == 0)
            return Unexpected(std::string("evidence names a key outside the current validator set"));
        return {};
    };
}

Expected<bool, std::string> EvidencePool::add(const DuplicateVoteEvidence& evidence, std::string_view chainId,
                                              const Admissible& admissible) {
    if (auto ok = evidence.verify(chainId); !ok)
        return Unexpected("evidence invalid: " + std::string(errorName(ok.error())));
    if (auto ok = admissible(evidence); !ok) return Unexpected(ok.error());
    const Bytes offence = offenceOf(evidence);
    bool full = false;
    {
        std::lock_guard lock(mu_);
        if (knownLocked(offence)) return false;
        full = pending_.size() >= maxPending_;
    }
    // Expired evidence must not keep new evidence out.
    if (full) prune(admissible);
    std::lock_guard lock(mu_);
    if (knownLocked(offence)) return false;
    if (pending_.size() >= maxPending_) return Unexpected(std::string(kFullError));
    pending_.push_back(evidence);
    return true;
}

std::vector<DuplicateVoteEvidence> EvidencePool::pending(const Admissible& admissible) const {
    std::vector<DuplicateVoteEvidence> all;
    {
        std::lock_guard lock(mu_);
        all = pending_;
    }
    std::vector<DuplicateVoteEvidence> out;
    for (auto& e : all)
        if (admissible(e)) out.push_back(std::move(e));
    return out;
}

std::size_t EvidencePool::prune(const Admissible& admissible) {
    std::vector<DuplicateVoteEvidence> all;
    {
        std::lock_guard lock(mu_);
        all = pending_;
    }
    // The rule may read state: evaluated outside the lock.
    std::vector<DuplicateVoteEvidence> stale;
    for (const auto& e : all)
        if (!admissible(e)) stale.push_back(e);
    if (stale.empty()) return 0;
    std::lock_guard lock(mu_);
    const auto before = pending_.size();
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                  [&](const DuplicateVoteEvidence& e) {
                                      return std::find(stale.begin(), stale.end(), e) != stale.end();
                                  }),
                   pending_.end());
    return before - pending_.size();
}

void EvidencePool::markCommitted(const std::vector<DuplicateVoteEvidence>& included) {
    std::lock_guard lock(mu_);
    for (const auto& e : included) {
        const Bytes offence = offenceOf(e);
        if (committed_.insert(offence).second) committedOrder_.push_back(offence);
        pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                      [&](const DuplicateVoteEvidence& p) { return offenceOf(p) == offence; }),
                       pending_.end());
    }
    while (committedOrder_.size() > kCommittedKept) {
        committed_.erase(committedOrder_.front());
        committedOrder_.pop_front();
    }
}

bool EvidencePool::known(const DuplicateVoteEvidence& evidence) const {
    const Bytes offence = offenceOf(evidence);
    std::lock_guard lock(mu_);
    return knownLocked(offence);
}

std::size_t EvidencePool::pendingCount() const {
    std::lock_guard lock(mu_);
    return pending_.size();
}

std::size_t EvidencePool::committedCount() const {
    std::lock_guard lock(mu_);
    return committed_.size();
}

}  // namespace agora::node
