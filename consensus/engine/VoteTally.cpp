#include "consensus/engine/VoteTally.h"

namespace agora::consensus {

VoteTally::AddResult VoteTally::add(const Vote& vote, std::uint64_t power) {
    auto it = votes_.find(vote.validator);
    if (it != votes_.end()) {
        return it->second.blockId == vote.blockId ? AddResult::Duplicate : AddResult::Conflict;
    }
    votes_.emplace(vote.validator, vote);
    // Sums stay <= ValidatorSet::kMaxTotalPower (each validator counted once).
    total_ += power;
    if (vote.blockId) {
        blockPower_[*vote.blockId] += power;
    } else {
        nilPower_ += power;
    }
    return AddResult::Added;
}

const Vote* VoteTally::voteOf(const PublicKey& validator) const {
    auto it = votes_.find(validator);
    return it == votes_.end() ? nullptr : &it->second;
}

std::uint64_t VoteTally::powerFor(const std::optional<Hash256>& blockId) const {
    if (!blockId) return nilPower_;
    auto it = blockPower_.find(*blockId);
    return it == blockPower_.end() ? 0 : it->second;
}

}  // namespace agora::consensus
