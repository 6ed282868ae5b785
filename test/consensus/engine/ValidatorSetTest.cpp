#include <catch2/catch.hpp>

#include <map>

#include "consensus/core/ValidatorSet.h"
#include "consensus/engine/VoteTally.h"
#include "sim/TestKeys.h"

using agora::PublicKey;
using agora::ValidatorSet;
using agora::ValidatorSetError;
using agora::ValidatorUpdate;
using agora::Vote;
using agora::VoteType;

namespace {

ValidatorSet makeSet(const std::vector<std::uint64_t>& powers) {
    std::vector<ValidatorUpdate> u;
    for (std::size_t i = 0; i < powers.size(); ++i) u.push_back({agora::sim::TestKey(i).publicKey(), powers[i]});
    return *ValidatorSet::fromUpdates(u);
}

}  // namespace

TEST_CASE("proposer selection is proportional to power within a bound of one proposal per validator",
          "[validators][proposer]") {
    const std::vector<std::uint64_t> powers = {1, 2, 3, 10, 50, 34, 7, 100, 1000};
    ValidatorSet set = makeSet(powers);
    const std::uint64_t total = set.totalPower();
    std::map<PublicKey, std::uint64_t> count;
    // Over k full cycles of `total` steps each validator proposes power * k
    // times, give or take n (the number of validators); checked after every
    // cycle and at the end.
    const std::uint64_t cycles = 20;
    for (std::uint64_t step = 1; step <= cycles * total; ++step) {
        ++count[set.proposer().key];
        set.advanceProposer(1);
        if (step % total == 0) {
            const std::uint64_t k = step / total;
            for (const auto& v : set.members()) {
                const auto expected = static_cast<std::int64_t>(v.power * k);
                const auto got = static_cast<std::int64_t>(count[v.key]);
                INFO("power " << v.power << " after " << k << " cycles");
                REQUIRE(std::llabs(got - expected) <= static_cast<std::int64_t>(powers.size()));
            }
        }
    }
}

TEST_CASE("proposer order is deterministic and ties go to the smaller key", "[validators][proposer]") {
    ValidatorSet a = makeSet({10, 10, 10, 10});
    ValidatorSet b = makeSet({10, 10, 10, 10});
    REQUIRE(a.proposer().key == a.members().front().key);
    std::vector<PublicKey> seq;
    for (int i = 0; i < 8; ++i) {
        seq.push_back(b.proposer().key);
        b.advanceProposer(1);
    }
    // Equal power: plain round-robin in key order.
    for (std::size_t i = 0; i < 8; ++i) REQUIRE(seq[i] == b.members()[i % 4].key);
}

TEST_CASE("quorum needs strictly more than two thirds of the power, with unequal stakes", "[validators][tally]") {
    const ValidatorSet set = makeSet({50, 30, 14, 5});  // total 99
    REQUIRE(set.totalPower() == 99);
    REQUIRE_FALSE(set.isQuorum(66));  // 198 > 198 is false
    REQUIRE(set.isQuorum(67));
    REQUIRE_FALSE(set.exceedsOneThird(33));
    REQUIRE(set.exceedsOneThird(34));

    // Tally: 50 + 14 = 64 for block A is not a quorum; adding 5 makes 69.
    agora::consensus::VoteTally tally;
    const agora::Hash256 a = agora::sha256(agora::asBytes("A"));
    auto vote = [&](std::size_t i, std::optional<agora::Hash256> id) {
        Vote v;
        v.type = VoteType::Prevote;
        v.height = 1;
        v.blockId = id;
        v.validator = agora::sim::TestKey(i).publicKey();
        return v;
    };
    auto power = [&](std::size_t i) { return set.powerOf(agora::sim::TestKey(i).publicKey()); };
    REQUIRE(tally.add(vote(0, a), power(0)) == agora::consensus::VoteTally::AddResult::Added);
    REQUIRE(tally.add(vote(2, a), power(2)) == agora::consensus::VoteTally::AddResult::Added);
    REQUIRE(tally.add(vote(1, std::nullopt), power(1)) == agora::consensus::VoteTally::AddResult::Added);
    REQUIRE(tally.powerFor(a) == 64);
    REQUIRE_FALSE(set.isQuorum(tally.powerFor(a)));
    REQUIRE(set.isQuorum(tally.totalPower()));  // 94 of 99 voted something
    REQUIRE(tally.add(vote(3, a), power(3)) == agora::consensus::VoteTally::AddResult::Added);
    REQUIRE(set.isQuorum(tally.powerFor(a)));
    // Re-delivery is ignored; a second value is a conflict that counts for
    // that value but not twice in the total.
    REQUIRE(tally.add(vote(0, a), power(0)) == agora::consensus::VoteTally::AddResult::Duplicate);
    REQUIRE(tally.add(vote(1, a), power(1)) == agora::consensus::VoteTally::AddResult::Conflict);
    REQUIRE(tally.totalPower() == 99);
    REQUIRE(tally.powerFor(a) == 99);
    REQUIRE(tally.powerFor(std::nullopt) == 30);
}

TEST_CASE("validator updates add, change and remove members and keep priorities bounded", "[validators]") {
    const ValidatorSet set = makeSet({10, 20, 30});
    const PublicKey k0 = agora::sim::TestKey(0).publicKey();
    const PublicKey k3 = agora::sim::TestKey(3).publicKey();
    std::vector<ValidatorUpdate> updates = {{k0, 0}, {k3, 40}};
    std::sort(updates.begin(), updates.end(),
              [](const ValidatorUpdate& a, const ValidatorUpdate& b) { return a.consensusKey < b.consensusKey; });
    auto next = set.withUpdates(updates);
    REQUIRE(next);
    REQUIRE(next->size() == 3);
    REQUIRE(next->powerOf(k0) == 0);
    REQUIRE(next->powerOf(k3) == 40);
    REQUIRE(next->totalPower() == 90);
    // The newcomer does not propose first.
    ValidatorSet s = *next;
    s.advanceProposer(1);
    REQUIRE(s.proposer().key != k3);

    std::vector<ValidatorUpdate> unknownRemoval = {{agora::sim::TestKey(9).publicKey(), 0}};
    REQUIRE(set.withUpdates(unknownRemoval).error() == ValidatorSetError::UnknownRemoval);
    std::vector<ValidatorUpdate> unsorted = updates;
    std::swap(unsorted[0], unsorted[1]);
    REQUIRE(set.withUpdates(unsorted).error() == ValidatorSetError::NotSorted);
    std::vector<ValidatorUpdate> huge = {{k3, ValidatorSet::kMaxTotalPower}};
    REQUIRE(set.withUpdates(huge).error() == ValidatorSetError::TotalTooLarge);
    std::vector<ValidatorUpdate> all;
    for (const auto& v : set.members()) all.push_back({v.key, 0});
    REQUIRE(set.withUpdates(all).error() == ValidatorSetError::Empty);

    // Priorities stay within a few totals over a long run with skewed power.
    ValidatorSet skew = makeSet({1, ValidatorSet::kMaxTotalPower - 1});
    for (int i = 0; i < 1000; ++i) skew.advanceProposer(1);
    for (const auto& v : skew.members()) {
        REQUIRE(v.priority <= static_cast<std::int64_t>(2 * skew.totalPower()));
        REQUIRE(v.priority >= -static_cast<std::int64_t>(2 * skew.totalPower()));
    }
}

TEST_CASE("validator set codec round-trips and rejects unsorted, zero-power and oversized sets",
          "[validators][codec]") {
    ValidatorSet set = makeSet({3, 1, 4, 1, 5});
    set.advanceProposer(7);
    const agora::Bytes bytes = agora::encode(set);
    auto back = agora::decode<ValidatorSet>(bytes);
    REQUIRE(back);
    REQUIRE(*back == set);

    // Swap the first two members: not sorted.
    agora::Writer w;
    w.varint(2);
    for (std::size_t i : {1u, 0u}) {
        w.fixed(set.members()[i].key.bytes());
        w.u64(1);
        w.u64(0);
    }
    REQUIRE(agora::decode<ValidatorSet>(w.data()).error().code == agora::CodecError::NotSorted);

    agora::Writer z;
    z.varint(1);
    z.fixed(set.members()[0].key.bytes());
    z.u64(0);
    z.u64(0);
    REQUIRE(agora::decode<ValidatorSet>(z.data()).error().code == agora::CodecError::InvalidValue);

    agora::Writer empty;
    empty.varint(0);
    REQUIRE_FALSE(agora::decode<ValidatorSet>(empty.data()));
}
