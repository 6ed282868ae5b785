#pragma once
// The validators of one height: consensus key, voting power (= bonded stake)
// and proposer priority, sorted by key. Every node must hold the identical
// set at a given height, so it has a canonical encoding:
//
//   list<validator>, validator = PublicKey key || u64 power || u64 priority
//   (priority is a signed 64-bit integer in two's complement), keys strictly
//   increasing, power >= 1, total power <= kMaxTotalPower.
//
// Proposer selection is Tendermint's weighted round-robin: the member with
// the highest priority (ties: the smaller key) is the proposer; one step
// makes it pay the total power and then adds every member's power to its
// priority. Over n steps each validator proposes about n * power / total
// times. All arithmetic is
// integer; the bounds below keep every intermediate value inside int64.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "consensus/core/Codec.h"
#include "consensus/core/Expected.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/ValidatorUpdate.h"

namespace agora {

// Stable numeric codes; never renumber.
enum class ValidatorSetError : std::uint8_t {
    Empty = 1,           // no validator left
    TooMany = 2,         // more than kMaxValidators
    TotalTooLarge = 3,   // total power above kMaxTotalPower
    NotSorted = 4,       // keys not strictly increasing / duplicate key
    ZeroPower = 5,       // a member with power 0
    UnknownRemoval = 6,  // power-0 update for a key that is not a member
};

std::string_view errorName(ValidatorSetError e);

struct Validator {
    PublicKey key;
    std::uint64_t power = 0;
    std::int64_t priority = 0;
    bool operator==(const Validator&) const = default;
};

class ValidatorSet {
public:
    static constexpr std::size_t kMaxValidators = 512;
    // int64 max / 8, as in Tendermint: priorities stay within a few totals.
    static constexpr std::uint64_t kMaxTotalPower = (std::uint64_t{1} << 60) - 1;
    // Decoding rejects priorities outside [-kMaxPriority, kMaxPriority].
    static constexpr std::int64_t kMaxPriority = std::int64_t{1} << 61;

    ValidatorSet() = default;
    // Members must be sorted by key, unique, with power >= 1.
    static Expected<ValidatorSet, ValidatorSetError> create(std::vector<Validator> members);
    // Convenience for genesis: sorts the updates by key, priorities start at 0.
    static Expected<ValidatorSet, ValidatorSetError> fromUpdates(std::vector<ValidatorUpdate> updates);

    const std::vector<Validator>& members() const { return members_; }
    std::size_t size() const { return members_.size(); }
    std::uint64_t totalPower() const { return total_; }
    std::optional<std::size_t> indexOf(const PublicKey& key) const;
    // 0 for a key that is not a member.
    std::uint64_t powerOf(const PublicKey& key) const;

    // power * 3 > total * 2: more than two thirds (a quorum).
    bool isQuorum(std::uint64_t power) const;
    // power * 3 > total: more than one third (at least one honest member).
    bool exceedsOneThird(std::uint64_t power) const;

    // The member with the highest priority (ties: the smaller key).
    const Validator& proposer() const;
    // Moves the round-robin `times` proposers on.
    void advanceProposer(std::uint64_t times);

    // The set after applying updates (sorted by key, each key once; power 0
    // removes). New members start at priority -(total + total/8) so joining
    // does not make them propose at once; priorities are then re-centred.
    Expected<ValidatorSet, ValidatorSetError> withUpdates(std::span<const ValidatorUpdate> updates) const;

    void encodeTo(Writer& w) const;
    static ValidatorSet decodeFrom(Reader& r);
    bool operator==(const ValidatorSet&) const = default;

private:
    void rescaleAndCenter();
    std::vector<Validator> members_;
    std::uint64_t total_ = 0;
};

}  // namespace agora
