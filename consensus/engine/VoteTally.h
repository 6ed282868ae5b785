#pragma once
// The votes of one type in one round of one height, with the voting power
// behind each block id (nil included). The first vote of a validator counts;
// a later different vote from the same validator is a conflict (evidence),
// never counted.

#include <cstdint>
#include <map>
#include <optional>

#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/Vote.h"

namespace agora::consensus {

class VoteTally {
public:
    enum class AddResult : std::uint8_t { Added, Duplicate, Conflict };

    // power: the validator's power at this height (> 0).
    AddResult add(const Vote& vote, std::uint64_t power);
    // The counted vote of a validator, if any.
    const Vote* voteOf(const PublicKey& validator) const;

    std::uint64_t totalPower() const { return total_; }
    std::uint64_t powerFor(const std::optional<Hash256>& blockId) const;
    // Counted votes by validator key (ordered, so certificates are canonical).
    const std::map<PublicKey, Vote>& votes() const { return votes_; }
    // Block ids (never nil) with their power, in id order.
    const std::map<Hash256, std::uint64_t>& blockPowers() const { return blockPower_; }

private:
    std::map<PublicKey, Vote> votes_;
    std::map<Hash256, std::uint64_t> blockPower_;
    std::uint64_t nilPower_ = 0;
    std::uint64_t total_ = 0;
};

}  // namespace agora::consensus
