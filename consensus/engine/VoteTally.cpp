#include "consensus/engine/VoteTally.h"

namespace agora::consensus {

bool VoteTally::wouldIgnore(const Vote& vote) const {
    auto byValue = byValue_.find(vote.blockId);
    if (byValue != byValue_.end() && byValue->second.count(vote.validator)) return true;
    auto n = valuesOf_.find(vote.validator);
    return n != valuesOf_.end() && n->second >= kMaxValuesPerValidator;
}

VoteTally::AddResult VoteTally::add(const Vote& vote, std::uint64_t power) {
    auto& forValue = byValue_[vote.blockId];
    if (forValue.count(vote.validator)) return AddResult::Duplicate;
    std::size_t& values = valuesOf_[vote.validator];
    if (values >= kMaxValuesPerValidator) return AddResult::Full;
    ++values;
    forValue.emplace(vote.validator, vote);
    // Sums stay small: each validator adds its power at most
    // kMaxValuesPerValidator times, and total power <= 2^60.
    if (vote.blockId) {
        blockPower_[*vote.blockId] += power;
    } else {
        nilPower_ += power;
    }
    if (values > 1) return AddResult::Conflict;
    first_.emplace(vote.validator, vote);
    total_ += power;
    return AddResult::Added;
}

const Vote* VoteTally::voteOf(const PublicKey& validator) const {
    auto it = first_.find(validator);
    return it == first_.end() ? nullptr : &it->second;
}

std::uint64_t VoteTally::powerFor(const std::optional<Hash256>& blockId) const {
    if (!blockId) return nilPower_;
    auto it = blockPower_.find(*blockId);
    return it == blockPower_.end() ? 0 : it->second;
}

const std::map<PublicKey, Vote>& VoteTally::votesFor(const std::optional<Hash256>& blockId) const {
    static const std::map<PublicKey, Vote> kNone;
    auto it = byValue_.find(blockId);
    return it == byValue_.end() ? kNone : it->second;
}

}  // namespace agora::consensus
