// ConsensusAdmission alone (issue 17, point 5; decision 48): which gossiped
// proposals and votes are relayed, buffered only, or dropped, and which
// refusals score the sender.
#include <catch2/catch.hpp>

#include "consensus/engine/ChainState.h"
#include "node/consensus/ConsensusAdmission.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace agora::node;
using agora::test::testKey;

namespace {

ValidatorSet setOf(std::initializer_list<std::pair<std::uint8_t, std::uint64_t>> members) {
    std::vector<ValidatorUpdate> updates;
    for (auto [n, power] : members) updates.push_back({testKey(n).publicKey, power});
    auto set = ValidatorSet::fromUpdates(updates);
    REQUIRE(set.hasValue());
    return *set;
}

Vote vote(std::uint8_t key, std::uint64_t height, std::uint32_t round) {
    Vote v;
    v.height = height;
    v.round = round;
    v.validator = testKey(key).publicKey;
    return v;  // admission looks at no signature: that is checked after it
}

Proposal proposal(const PublicKey& by, std::uint64_t height, std::uint32_t round) {
    Proposal p;
    p.height = height;
    p.round = round;
    p.proposer = by;
    return p;
}

// Height 10 decided by {1, 2, 3}; height 11 (h+1) adds 4.
struct Window {
    ValidatorSet previous = setOf({{1, 10}, {2, 20}, {3, 30}});
    ValidatorSet current = setOf({{1, 10}, {2, 20}, {3, 30}});
    ValidatorSet next = setOf({{1, 10}, {2, 20}, {3, 30}, {4, 40}});
    ConsensusAdmission admission{10, ConsensusAdmission::Decided{previous, 2}, current, next, true, 4};

    PublicKey proposerOf(const ValidatorSet& set, std::uint32_t round) const {
        consensus::ChainState s;
        s.validators = set;
        return s.proposerSetFor(round).proposer().key;
    }
    PublicKey notProposerOf(const ValidatorSet& set, std::uint32_t round) const {
        const PublicKey p = proposerOf(set, round);
        for (const auto& m : set.members())
            if (m.key != p) return m.key;
        FAIL("a set of one");
        return p;
    }
};

}  // namespace

TEST_CASE("a proposal or vote signed by a key outside the validator set of its height is refused and scored",
          "[consensus][admission]") {
    Window w;
    const auto outsider = testKey(99).publicKey;
    CHECK(w.admission.proposal(proposal(outsider, 10, 0), 0) == Admission::NotValidator);
    CHECK(w.admission.vote(vote(99, 10, 0), 0) == Admission::NotValidator);
    // h + 1: checked against its own, exactly known set.
    CHECK(w.admission.proposal(proposal(outsider, 11, 0), 0) == Admission::NotValidator);
    CHECK(w.admission.vote(vote(99, 11, 0), 0) == Admission::NotValidator);
    CHECK(scored(Admission::NotValidator));
    // A validator joining at h + 1 is admitted there, not at h.
    CHECK(w.admission.vote(vote(4, 11, 0), 0) == Admission::Relay);
    CHECK(w.admission.vote(vote(4, 10, 0), 0) == Admission::NotValidator);
}

TEST_CASE("a proposal is admitted only from the proposer of its height and round", "[consensus][admission]") {
    Window w;
    for (std::uint32_t round : {0u, 1u, 5u, 200u}) {
        CHECK(w.admission.proposal(proposal(w.proposerOf(w.current, round), 10, round), 0) == Admission::Relay);
        CHECK(w.admission.proposal(proposal(w.notProposerOf(w.current, round), 10, round), 0) ==
              Admission::NotProposer);
        CHECK(w.admission.proposal(proposal(w.proposerOf(w.next, round), 11, round), 0) == Admission::Relay);
        CHECK(w.admission.proposal(proposal(w.notProposerOf(w.next, round), 11, round), 0) == Admission::NotProposer);
    }
    CHECK(scored(Admission::NotProposer));
}

TEST_CASE("heights below the window are stale and above it too far ahead; neither scores the sender",
          "[consensus][admission]") {
    Window w;
    CHECK(w.admission.vote(vote(1, 8, 0), 0) == Admission::StaleHeight);
    CHECK(w.admission.vote(vote(1, 15, 0), 0) == Admission::FutureHeight);
    CHECK(w.admission.proposal(proposal(testKey(99).publicKey, 15, 0), 0) == Admission::FutureHeight);
    CHECK_FALSE(scored(Admission::StaleHeight));
    CHECK_FALSE(scored(Admission::FutureHeight));
    CHECK_FALSE(admitted(Admission::StaleHeight));
}

TEST_CASE("the decided height before ours is admitted up to its deciding round, and only once known",
          "[consensus][admission]") {
    Window w;
    CHECK(w.admission.vote(vote(2, 9, 2), 0) == Admission::Relay);  // a late precommit
    CHECK(w.admission.vote(vote(2, 9, 3), 0) == Admission::RoundTooFar);
    CHECK(w.admission.vote(vote(99, 9, 0), 0) == Admission::NotValidator);
    CHECK(w.admission.proposal(proposal(w.proposerOf(w.previous, 2), 9, 2), 0) == Admission::Relay);
    // After a restart this node did not decide h - 1 itself: it does not know.
    ConsensusAdmission fresh(10, std::nullopt, w.current, w.next, true, 4);
    CHECK(fresh.vote(vote(2, 9, 2), 0) == Admission::StaleHeight);
}

TEST_CASE("heights beyond the next are buffered from members of the next set but never relayed",
          "[consensus][admission]") {
    Window w;
    CHECK(w.admission.vote(vote(4, 12, 0), 0) == Admission::Keep);
    CHECK(w.admission.vote(vote(1, 14, 0), 0) == Admission::Keep);
    // Any member may be the proposer there: the set is only a guess.
    CHECK(w.admission.proposal(proposal(w.notProposerOf(w.next, 0), 12, 0), 0) == Admission::Keep);
    // A signer unknown to the guess is dropped, not scored (it may join at h + 2).
    CHECK(w.admission.vote(vote(99, 12, 0), 0) == Admission::UnknownSigner);
    CHECK_FALSE(scored(Admission::UnknownSigner));
    // With a validator update delay of 1 the next set is a guess too.
    ConsensusAdmission guessed(10, std::nullopt, w.current, w.next, false, 4);
    CHECK(guessed.vote(vote(99, 11, 0), 0) == Admission::UnknownSigner);
    CHECK(guessed.vote(vote(4, 11, 0), 0) == Admission::Keep);
    CHECK(guessed.proposal(proposal(w.notProposerOf(w.next, 0), 11, 0), 0) == Admission::Keep);
}

TEST_CASE("rounds beyond the engine's reach are refused without scoring", "[consensus][admission]") {
    Window w;
    const std::uint32_t far = ConsensusAdmission::kMaxRoundsAhead;
    CHECK(w.admission.vote(vote(1, 10, 7 + far), 7) == Admission::Relay);
    CHECK(w.admission.vote(vote(1, 10, 8 + far), 7) == Admission::RoundTooFar);
    CHECK(w.admission.vote(vote(1, 11, far), 7) == Admission::Relay);  // the engine starts h + 1 at round 0
    CHECK(w.admission.vote(vote(1, 11, far + 1), 7) == Admission::RoundTooFar);
    CHECK(w.admission.vote(vote(1, 10, UINT32_MAX), UINT32_MAX - 1) == Admission::Relay);  // no wrap
    CHECK_FALSE(scored(Admission::RoundTooFar));
}

namespace {

// Admission looks at the accused and the height only (the signatures are checked after it).
DuplicateVoteEvidence evidenceAgainst(std::uint8_t key, std::uint64_t height) {
    DuplicateVoteEvidence e;
    e.first = vote(key, height, 0);
    e.second = vote(key, height, 0);
    e.second.blockId = sha256(Bytes{0x01});
    return e;
}

}  // namespace

TEST_CASE("evidence is admitted against a member of the set of its height and refused and scored otherwise",
          "[consensus][admission][evidence]") {
    Window w;
    for (std::uint64_t height : {9u, 10u, 11u}) {
        CHECK(w.admission.evidence(evidenceAgainst(2, height)) == EvidenceAdmission::Admitted);
        CHECK(w.admission.evidence(evidenceAgainst(99, height)) == EvidenceAdmission::NotValidator);
    }
    CHECK(scored(EvidenceAdmission::NotValidator));
    // Validator 4 joins at h + 1: it could not have signed at h.
    CHECK(w.admission.evidence(evidenceAgainst(4, 11)) == EvidenceAdmission::Admitted);
    CHECK(w.admission.evidence(evidenceAgainst(4, 10)) == EvidenceAdmission::NotValidator);
}

TEST_CASE("evidence beyond the known sets is not scored: too far ahead is dropped, older is left to the pool's rule",
          "[consensus][admission][evidence]") {
    Window w;
    CHECK(w.admission.evidence(evidenceAgainst(2, 12)) == EvidenceAdmission::FutureHeight);
    CHECK_FALSE(scored(EvidenceAdmission::FutureHeight));
    // Below h - 1 no set is kept here: the pool's rule (age, staking) decides.
    CHECK(w.admission.evidence(evidenceAgainst(99, 3)) == EvidenceAdmission::Admitted);
    // After a restart h - 1 is not known either.
    ConsensusAdmission fresh(10, std::nullopt, w.current, w.next, true, 4);
    CHECK(fresh.evidence(evidenceAgainst(99, 9)) == EvidenceAdmission::Admitted);
    // A guessed next set (validator update delay 1) does not score.
    ConsensusAdmission guessed(10, std::nullopt, w.current, w.next, false, 4);
    CHECK(guessed.evidence(evidenceAgainst(99, 11)) == EvidenceAdmission::UnknownSigner);
    CHECK_FALSE(scored(EvidenceAdmission::UnknownSigner));
    CHECK(guessed.evidence(evidenceAgainst(4, 11)) == EvidenceAdmission::Admitted);
}
