#pragma once
// The votes of one type in one round of one height, with the voting power
// behind each block id (nil included).
//
// A validator's first vote counts towards totalPower() (the "2f+1 of any
// value" rules). Every distinct value a validator signed counts towards that
// value's power: a set of signed votes for one value with > 2/3 power is a
// quorum certificate whatever else its signers signed (the quorum
// intersection argument is about signatures), and a node that catches up
// from a certificate must be able to use an equivocator's vote in it. A
// second value from one validator is a conflict (evidence). At most
// kMaxValuesPerValidator values per validator are kept, bounding memory.

#include <cstdint>
#include <map>
#include <optional>

#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/Vote.h"

namespace agora::consensus {

class VoteTally {
public:
    static constexpr std::size_t kMaxValuesPerValidator = 4;
    enum class AddResult : std::uint8_t { Added, Duplicate, Conflict, Full };

    // power: the validator's power at this height (> 0).
    AddResult add(const Vote& vote, std::uint64_t power);
    // True when add() would return Duplicate or Full.
    bool wouldIgnore(const Vote& vote) const;
    // The first vote of a validator, if any.
    const Vote* voteOf(const PublicKey& validator) const;

    std::uint64_t totalPower() const { return total_; }
    std::uint64_t powerFor(const std::optional<Hash256>& blockId) const;
    // Votes for one value by validator key (ordered: certificates are canonical).
    const std::map<PublicKey, Vote>& votesFor(const std::optional<Hash256>& blockId) const;
    // Block ids (never nil) with their power, in id order.
    const std::map<Hash256, std::uint64_t>& blockPowers() const { return blockPower_; }

private:
    std::map<PublicKey, Vote> first_;
    std::map<std::optional<Hash256>, std::map<PublicKey, Vote>> byValue_;
    std::map<PublicKey, std::size_t> valuesOf_;
    std::map<Hash256, std::uint64_t> blockPower_;
    std::uint64_t nilPower_ = 0;
    std::uint64_t total_ = 0;
};

}  // namespace agora::consensus
