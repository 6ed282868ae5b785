#include "node/consensus/EvidencePool.h"

#include <algorithm>

namespace agora::node {

Bytes EvidencePool::keyOf(const DuplicateVoteEvidence& e) {
    return encode(e);
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
    const Bytes key = keyOf(evidence);
    std::lock_guard lock(mu_);
    if (committed_.count(key) != 0) return false;
    if (std::find(pending_.begin(), pending_.end(), evidence) != pending_.end()) return false;
    if (pending_.size() >= maxPending_) return Unexpected(std::string("evidence pool is full"));
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

void EvidencePool::markCommitted(const std::vector<DuplicateVoteEvidence>& included) {
    std::lock_guard lock(mu_);
    for (const auto& e : included) {
        committed_.insert(keyOf(e));
        pending_.erase(std::remove(pending_.begin(), pending_.end(), e), pending_.end());
    }
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
