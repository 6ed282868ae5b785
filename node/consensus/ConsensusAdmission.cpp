#include "node/consensus/ConsensusAdmission.h"

namespace agora::node {

std::string_view admissionName(Admission a) {
    switch (a) {
        case Admission::Relay:
            return "relay";
        case Admission::Keep:
            return "keep";
        case Admission::StaleHeight:
            return "stale_height";
        case Admission::FutureHeight:
            return "future_height";
        case Admission::RoundTooFar:
            return "round_too_far";
        case Admission::NotValidator:
            return "not_validator";
        case Admission::NotProposer:
            return "not_proposer";
        case Admission::UnknownSigner:
            return "unknown_signer";
    }
    return "unknown";
}

std::string_view evidenceAdmissionName(EvidenceAdmission a) {
    switch (a) {
        case EvidenceAdmission::Admitted:
            return "admitted";
        case EvidenceAdmission::Pooled:
            return "pooled";
        case EvidenceAdmission::NotValidator:
            return "not_validator";
        case EvidenceAdmission::UnknownSigner:
            return "unknown_signer";
        case EvidenceAdmission::FutureHeight:
            return "future_height";
        case EvidenceAdmission::Known:
            return "known";
        case EvidenceAdmission::Inadmissible:
            return "inadmissible";
        case EvidenceAdmission::PoolFull:
            return "pool_full";
    }
    return "unknown";
}

ConsensusAdmission::ConsensusAdmission(std::uint64_t height, std::optional<Decided> previous, ValidatorSet current,
                                       ValidatorSet next, bool nextExact, std::uint64_t futureHeights)
    : height_(height), futureHeights_(futureHeights) {
    auto level = [](ValidatorSet set, bool exact) {
        Level l;
        l.advanced = set;
        l.validators = std::move(set);
        l.exact = exact;
        return l;
    };
    if (previous && height > 1) {
        previousRound_ = previous->round;
        previous_ = level(std::move(previous->validators), true);
    }
    current_ = level(std::move(current), true);
    next_ = level(std::move(next), nextExact);
}

ConsensusAdmission::Where ConsensusAdmission::locate(std::uint64_t height, std::uint32_t engineRound) const {
    const auto reach = [](std::uint32_t from) {
        return from > UINT32_MAX - kMaxRoundsAhead ? UINT32_MAX : from + kMaxRoundsAhead;
    };
    if (height + 1 == height_) {
        if (!previous_) return {};
        return {&*previous_, true, true, previousRound_};
    }
    if (height < height_) return {};
    if (height == height_) return {&current_, true, true, reach(engineRound)};
    if (height - height_ > futureHeights_) return {nullptr, false, false, 0, Admission::FutureHeight};
    // h + 1 is relayed when its set is exact; further heights only buffered.
    const bool exact = height == height_ + 1 && next_.exact;
    return {&next_, exact, exact, reach(0)};
}

PublicKey ConsensusAdmission::proposerOf(const Level& level, std::uint32_t round) const {
    std::lock_guard lock(mu_);
    // Round r is proposed by the set advanced r + 1 times (ChainState::proposerSetFor),
    // computed once per round and height.
    while (level.proposers.size() <= round) {
        level.advanced.advanceProposer(1);
        level.proposers.push_back(level.advanced.proposer().key);
    }
    return level.proposers[round];
}

Admission ConsensusAdmission::proposal(const Proposal& p, std::uint32_t engineRound) const {
    const Where w = locate(p.height, engineRound);
    if (!w.level) return w.refused;
    if (p.round > w.maxRound) return Admission::RoundTooFar;
    const Level& level = *w.level;
    if (level.validators.powerOf(p.proposer) == 0) return w.exact ? Admission::NotValidator : Admission::UnknownSigner;
    if (w.exact && proposerOf(level, p.round) != p.proposer) return Admission::NotProposer;
    return w.relay ? Admission::Relay : Admission::Keep;
}

Admission ConsensusAdmission::vote(const Vote& v, std::uint32_t engineRound) const {
    const Where w = locate(v.height, engineRound);
    if (!w.level) return w.refused;
    if (v.round > w.maxRound) return Admission::RoundTooFar;
    const Level& level = *w.level;
    if (level.validators.powerOf(v.validator) == 0) return w.exact ? Admission::NotValidator : Admission::UnknownSigner;
    return w.relay ? Admission::Relay : Admission::Keep;
}

EvidenceAdmission ConsensusAdmission::evidence(const DuplicateVoteEvidence& e) const {
    const std::uint64_t height = e.first.height;
    const Level* level = nullptr;
    bool exact = true;
    if (height + 1 == height_) {
        level = previous_ ? &*previous_ : nullptr;
    } else if (height == height_) {
        level = &current_;
    } else if (height == height_ + 1) {
        level = &next_;
        exact = next_.exact;
    } else if (height > height_) {
        return EvidenceAdmission::FutureHeight;
    }
    // Older than the sets we keep: the pool's rule (age, staking) decides.
    if (!level) return EvidenceAdmission::Admitted;
    if (level->validators.powerOf(e.validator()) > 0) return EvidenceAdmission::Admitted;
    return exact ? EvidenceAdmission::NotValidator : EvidenceAdmission::UnknownSigner;
}

}  // namespace agora::node
