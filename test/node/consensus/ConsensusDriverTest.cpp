// ConsensusDriver in-process (issue 17): a stop/start with no block applied
// in between resumes the height with its WAL and lock (points 4, no
// amnesia), the node's own inputs survive a full input queue, and
// precommits that arrive after the quorum join the certificate the next
// block carries (point 9).
#include <catch2/catch.hpp>

#include "support/DriverUnderTest.h"

using namespace agora;
using namespace agora::node;
using namespace agora::test;

TEST_CASE("a consensus stop and start with no block applied in between resumes the height with its lock",
          "[consensus][amnesia]") {
    DriverUnderTest node;
    node.lockOnA();
    const auto walBefore = node.walBytes();
    // What the catch-up controller does around a block sync that applies nothing.
    node.driver->stop();
    REQUIRE_FALSE(node.driver->running());
    REQUIRE(node.driver->start().hasValue());  // returns once the WAL is replayed

    CHECK(node.stepIs(consensus::Step::Precommit));  // back at round 0, precommitted
    CHECK(node.walBytes() >= walBefore);             // replayed, never emptied
    // Still locked on A: B at round 1 gets a nil prevote (an amnesic node prevotes B).
    CHECK(node.prevoteOnOtherBlockAtRound1() == std::nullopt);
}

TEST_CASE("the node's own precommit is not dropped when peers fill the consensus input queue", "[consensus][queue]") {
    // k10 40%, the node k11 30%, k12 30%: A reaches > 2/3 of the prevotes
    // only with the node's own prevote, so its precommit is signed while
    // the executor handles that prevote, right after broadcasting it.
    constexpr std::size_t kQueue = 8;
    DriverUnderTest node({{10, 400'000'000'000ULL}, {11, 300'000'000'000ULL}, {12, 300'000'000'000ULL}}, kQueue);
    // The moment the node broadcasts its prevote (on the executor thread),
    // a peer floods the queue with junk votes (bad signatures: the engine
    // ignores them) past its bound.
    Vote junk = signedVote(12, VoteType::Prevote, 0, std::nullopt);
    junk.signature = signedVote(13, VoteType::Prevote, 0, std::nullopt).signature;
    node.network.onVote = [&](const Vote& v) {
        if (v.type != VoteType::Prevote || v.round != 0) return;
        for (std::size_t i = 0; i < kQueue * 2; ++i) node.driver->receiveVote(junk);
    };
    REQUIRE(node.app->chainState().proposerSetFor(0).proposer().key == testKey(10).publicKey);
    node.start();
    node.driver->receiveVote(signedVote(10, VoteType::Prevote, 0, node.blockA.id));
    node.driver->receiveProposal(signedProposal(0, node.blockA));

    REQUIRE(node.signal.waitFor([&] { return node.network.find(0, VoteType::Prevote).has_value(); }));
    CHECK(node.executor.refused() >= kQueue);  // the peer's flood was cut at the bound
    // The precommit the node signed while the queue was full still goes out.
    REQUIRE(node.signal.waitFor([&] { return node.network.find(0, VoteType::Precommit).has_value(); },
                                std::chrono::seconds(10)));
    CHECK(node.network.find(0, VoteType::Precommit)->blockId == node.blockA.id);
}

TEST_CASE("a precommit that arrives after the quorum joins the certificate the next block carries",
          "[consensus][downtime]") {
    // The node (k11) decides alone (> 2/3); k10's precommit comes late. k10
    // proposes height 1 (played by the test), the node proposes height 2.
    DriverUnderTest node({{11, 1'000'000'000'000ULL}, {10, 100'000'000'000ULL}});
    REQUIRE(node.app->chainState().proposerSetFor(0).proposer().key == testKey(10).publicKey);
    // Right after the node committed height 1, before the next height starts.
    node.onCommit = [&](const CommitOutcome& o) {
        if (o.height == 1) node.driver->receiveVote(signedVote(10, VoteType::Precommit, 0, o.blockId));
    };
    node.start();
    node.driver->receiveProposal(signedProposal(0, node.blockA));
    REQUIRE(node.signal.waitFor([&] { return node.app->lastHeight() >= 2; }));

    const auto first = node.app->blocks().commit(1);  // the deciding quorum, stored with block 1
    REQUIRE(first.has_value());
    CHECK(first->signatures.size() == 1);
    const auto second = node.app->blocks().block(2);
    REQUIRE(second.has_value());
    REQUIRE(second->header.proposer == Address::fromPublicKey(testKey(11).publicKey));
    REQUIRE(second->lastCommit.has_value());
    // Block 2 carries both precommits: k10 is not counted absent for height 1.
    CHECK(second->lastCommit->signatures.size() == 2);
    bool k10Signed = false;
    for (const auto& sig : second->lastCommit->signatures)
        k10Signed = k10Signed || sig.validator == testKey(10).publicKey;
    CHECK(k10Signed);
}

namespace {
// A proposal for `height` by test key `key`, carrying `bytes` of opaque block
// (the buffer holds it before anything looks inside).
Proposal bulkyProposal(std::uint8_t key, std::uint64_t height, std::uint32_t round, std::size_t bytes) {
    Proposal p;
    p.height = height;
    p.round = round;
    p.proposer = testKey(key).publicKey;
    p.block = Bytes(bytes, 0xEE);
    p.signature = signDigest32(testKey(key), p.signDigest(kChain));
    return p;
}
}  // namespace

TEST_CASE("proposals of later heights signed by a non-validator are not buffered; a validator's are",
          "[consensus][admission]") {
    DriverUnderTest node;
    node.start();
    constexpr std::uint32_t kFlood = 40;
    for (std::uint32_t i = 0; i < kFlood; ++i)
        node.driver->receiveProposal(bulkyProposal(50, 2 + i % 3, i, 256 * 1024));
    REQUIRE(node.signal.waitFor([&] { return node.driver->futureBuffer().refusedAdmission == kFlood; }));
    CHECK(node.driver->futureBuffer().messages == 0);
    CHECK(node.driver->futureBuffer().bytes == 0);
    // The same from a validator of the next height (k10) waits for its height.
    node.driver->receiveVote([] {
        Vote v = signedVote(10, VoteType::Prevote, 0, std::nullopt);
        v.height = 2;
        v.signature = signDigest32(testKey(10), v.signDigest(kChain));
        return v;
    }());
    REQUIRE(node.signal.waitFor([&] { return node.driver->futureBuffer().messages == 1; }));
    CHECK(node.driver->futureBuffer().refusedAdmission == kFlood);
    // What p2p asks before relaying says the same.
    CHECK(node.driver->admitProposal(bulkyProposal(50, 2, 0, 1)) == Admission::NotValidator);
    CHECK(node.driver->admitProposal(bulkyProposal(50, 1, 0, 1)) == Admission::NotValidator);
    CHECK(admitted(node.driver->admitProposal(bulkyProposal(10, 3, 0, 1))));
}

namespace {
// `count` validators of equal stake, k10 .. k10 + count - 1 (the node is k11).
Stakes equalStakes(std::uint8_t count) {
    Stakes s;
    for (std::uint8_t i = 0; i < count; ++i) s.push_back({static_cast<std::uint8_t>(10 + i), 100'000'000'000ULL});
    return s;
}
}  // namespace

TEST_CASE(
    "the future-height buffer is bounded in bytes: a flood of large proposals by every validator stops at the "
    "bound",
    "[consensus][admission]") {
    // Ten validators: each one's share is the floor (one largest proposal),
    // and ten floors exceed the total, so the total bound is what stops them.
    constexpr std::uint8_t kValidators = 10;
    DriverUnderTest node(equalStakes(kValidators));
    node.start();
    constexpr std::size_t kBlock = 1 << 20;
    constexpr std::uint32_t kPerSigner = 12;
    // Height 3 (h + 2): any member of the next set may have signed it.
    for (std::uint32_t i = 0; i < kPerSigner; ++i)
        for (std::uint8_t v = 0; v < kValidators; ++v)
            node.driver->receiveProposal(bulkyProposal(static_cast<std::uint8_t>(10 + v), 3, i, kBlock));
    const std::size_t sent = std::size_t{kPerSigner} * kValidators;
    REQUIRE(node.signal.waitFor([&] {
        const auto fb = node.driver->futureBuffer();
        return fb.messages + fb.refusedFull + fb.refusedSignerFull == sent;
    }));
    const auto fb = node.driver->futureBuffer();
    CHECK(fb.bytes <= ConsensusDriver::kFutureBytesMax);
    CHECK(fb.bytes > ConsensusDriver::kFutureBytesMax - 2 * kBlock);
    CHECK(fb.refusedFull >= 1);
    CHECK(fb.refusedAdmission == 0);
}

TEST_CASE(
    "one validator's flood of the future-height buffer stops at its share and cannot crowd out another's "
    "message",
    "[consensus][admission]") {
    DriverUnderTest node(equalStakes(3));
    node.start();
    constexpr std::size_t kBlock = 1 << 20;
    // k10 alone sends more than the whole buffer holds.
    const std::uint32_t flood = ConsensusDriver::kFutureBytesMax / kBlock + 8;
    for (std::uint32_t i = 0; i < flood; ++i) node.driver->receiveProposal(bulkyProposal(10, 3, i, kBlock));
    REQUIRE(node.signal.waitFor([&] {
        const auto fb = node.driver->futureBuffer();
        return fb.messages + fb.refusedFull + fb.refusedSignerFull == flood;
    }));
    const auto flooded = node.driver->futureBuffer();
    CHECK(flooded.bytes <= ConsensusDriver::futureSignerBytesMax(3));
    CHECK(flooded.bytes > ConsensusDriver::futureSignerBytesMax(3) - kBlock - 256);
    CHECK(flooded.refusedSignerFull == flood - flooded.messages);
    CHECK(flooded.refusedFull == 0);
    // k12's proposal for the same height and its vote for the next still find room.
    node.driver->receiveProposal(bulkyProposal(12, 3, 0, kBlock));
    node.driver->receiveVote([] {
        Vote v = signedVote(12, VoteType::Prevote, 0, std::nullopt);
        v.height = 2;
        v.signature = signDigest32(testKey(12), v.signDigest(kChain));
        return v;
    }());
    REQUIRE(node.signal.waitFor([&] { return node.driver->futureBuffer().messages == flooded.messages + 2; }));
    CHECK(node.driver->futureBuffer().refusedFull == 0);
    // The share is a fraction of the bound with a floor of one largest proposal.
    CHECK(ConsensusDriver::futureSignerBytesMax(3) == ConsensusDriver::kFutureBytesMax / 3);
    CHECK(ConsensusDriver::futureSignerBytesMax(100) == ConsensusDriver::kFutureSignerBytesMin);
    CHECK(ConsensusDriver::futureSignerMessagesMax(4) == ConsensusDriver::kFutureMessagesMax / 4);
    CHECK(ConsensusDriver::futureSignerMessagesMax(512) == ConsensusDriver::kFutureSignerMessagesMin);
}

TEST_CASE("a catch-up reply is bounded in bytes but always carries a message", "[consensus][catchup]") {
    DriverUnderTest node;
    node.lockOnA();  // the node holds proposal A and three votes of height 1
    const auto all = node.driver->catchUpFor(1, 0);
    REQUIRE(all.proposals.size() == 1);
    REQUIRE(all.votes.size() >= 3);
    std::size_t total = all.proposals[0].size();
    for (const auto& v : all.votes) total += v.size();
    CHECK(total <= ConsensusDriver::kCatchUpBytesMax);
    // One byte of budget: the first message only (the peer asks again at its next status).
    const auto one = node.driver->catchUpFor(1, 0, 1);
    CHECK(one.proposals.size() + one.votes.size() == 1);
    // Room for the proposal and one vote.
    const auto two = node.driver->catchUpFor(1, 0, all.proposals[0].size() + all.votes[0].size());
    CHECK(two.proposals.size() + two.votes.size() == 2);
}

namespace {
Vote voteAt(std::uint8_t key, std::uint64_t height, std::optional<Hash256> id) {
    Vote v = signedVote(key, VoteType::Prevote, 0, id);
    v.height = height;
    v.signature = signDigest32(testKey(key), v.signDigest(kChain));
    return v;
}
DuplicateVoteEvidence evidenceAt(std::uint8_t key, std::uint64_t height, std::uint8_t block) {
    return DuplicateVoteEvidence::make(voteAt(key, height, std::nullopt), voteAt(key, height, sha256(Bytes{block})))
        .value();
}
}  // namespace

TEST_CASE("gossiped evidence is admitted against the set of its height and once per offence",
          "[consensus][admission][evidence]") {
    DriverUnderTest node;
    node.start();
    REQUIRE(node.signal.waitFor([&] { return node.driver->admission() != nullptr; }));
    // A validator's double prevote at the height being decided: admitted, pooled, then known.
    CHECK(node.driver->admitEvidence(evidenceAt(10, 1, 1)) == EvidenceAdmission::Admitted);
    CHECK(node.driver->receiveEvidence(evidenceAt(10, 1, 1)) == EvidenceAdmission::Pooled);
    CHECK(node.driver->admitEvidence(evidenceAt(10, 1, 2)) == EvidenceAdmission::Known);  // another pair
    CHECK(node.driver->receiveEvidence(evidenceAt(10, 1, 1)) == EvidenceAdmission::Known);
    CHECK(node.driver->evidencePool().pendingCount() == 1);
    // A key outside the set of heights 1 and 2 (exactly known): scored.
    CHECK(node.driver->admitEvidence(evidenceAt(50, 1, 1)) == EvidenceAdmission::NotValidator);
    CHECK(node.driver->admitEvidence(evidenceAt(50, 2, 1)) == EvidenceAdmission::NotValidator);
    // Too far ahead to know the set: dropped, not scored.
    CHECK(node.driver->admitEvidence(evidenceAt(10, 9, 1)) == EvidenceAdmission::FutureHeight);
    // The pool's own rule still stands behind admission: a non-validator's is never pooled.
    CHECK(node.driver->receiveEvidence(evidenceAt(50, 1, 1)) == EvidenceAdmission::Inadmissible);
}
