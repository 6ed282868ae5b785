// Governance: parameter-change proposals, deposits, stake-weighted votes with
// delegator override, quorum / threshold / veto, and execution at the end of
// the block that closes the vote (contracts/Gov.h).

#include <catch2/catch.hpp>

#include "TestEnv.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

std::uint64_t submitted(const TxResult& r) {
    return eventId(r, "proposal_submitted", "proposal_id");
}

// The genesis validator's operator, with a balance for its vote fees.
const TestAccount& val0(TestEnv& env) {
    static constexpr std::uint64_t kFees = 1'000;
    if (env.balance(env.validatorOperator()) < Amount(kFees)) env.fund(env.validatorOperator(), Amount(kFees));
    return env.validatorOperator();
}

// Runs blocks until the proposal's vote has closed (its end block has ended).
void closeVote(TestEnv& env, std::uint64_t id) {
    const auto p = env.proposal(id);
    REQUIRE(p);
    REQUIRE(p->status == ProposalStatus::VotingPeriod);
    env.advanceTo(p->votingEndHeight);
    env.nextBlock();
}

// A second validator "op" bonded with `stake` (self) and `delegated` from "dave".
struct TwoValidators {
    TestEnv env;
    TestAccount& op = env.account("op", Amount(100'000));
    TestAccount& dave = env.account("dave", Amount(100'000));
    TwoValidators(Amount stake, Amount delegated) {
        env(createValidator(op, publicKeyOf(secretFromSeed("op/consensus")), stake));
        if (!delegated.isZero()) env(delegate(dave, op.address, delegated));
        env.nextBlock();  // the set consensus holds now includes op
    }
};

}  // namespace

TEST_CASE("gov: a passed proposal changes min_fee at the end of the vote, the next block charges it, deposits return") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    const std::uint64_t id = submitted(env(govSubmit(alice, {{"min_fee", "25"}}, Amount(1'000))));
    auto p = env.proposal(id);
    REQUIRE(p);
    CHECK(p->status == ProposalStatus::VotingPeriod);  // the deposit reached gov_min_deposit at once
    CHECK(p->depositsHeld == Amount(1'000));
    CHECK(p->votingEndHeight == env.height() + env.params().govVotingPeriodBlocks);
    const Amount afterDeposit = env.balance(alice);

    env(govVote(val0(env), id, VoteOption::Yes));
    CHECK(env.tally(*env.proposal(id)).yes == Amount(10'000));
    env.advanceTo(p->votingEndHeight);
    // Still the old fee in the block that closes the vote.
    env(send(alice, env.account("bob"), Amount(1)));
    CHECK(env.storedParams().minFee == Amount(10));
    env.nextBlock();

    p = env.proposal(id);
    CHECK(p->status == ProposalStatus::Passed);
    CHECK(p->finalTally.yes == Amount(10'000));
    CHECK(p->finalTally.bonded == Amount(10'000));
    CHECK(p->depositsHeld.isZero());
    CHECK(env.storedParams().minFee == Amount(25));
    // Refunded in full (less the fee of the one send, and the amount sent).
    CHECK(env.balance(alice) == Amount(afterDeposit.micro() + 1'000 - 10 - 1));
    // The next block enforces the new value.
    env(send(alice, env.account("bob"), Amount(1)).withFee(Amount(24)), expect(Code::FeeTooLow));
    env(send(alice, env.account("bob"), Amount(1)).withFee(Amount(25)));
}

TEST_CASE("gov: a vote below quorum rejects the proposal, changes nothing and refunds the deposit") {
    TwoValidators t(Amount(30'000), Amount{});  // val0 holds 10,000 of 40,000: 25 % < 33.4 %
    auto& env = t.env;
    auto& alice = env.account("alice", Amount(100'000));
    const std::uint64_t id = submitted(env(govSubmit(alice, {{"min_fee", "25"}}, Amount(1'000))));
    const Amount afterDeposit = env.balance(alice);
    env(govVote(val0(env), id, VoteOption::Yes));
    closeVote(env, id);
    const auto p = env.proposal(id);
    CHECK(p->status == ProposalStatus::Rejected);
    CHECK(p->failure == "quorum not reached");
    CHECK(p->finalTally.bonded == Amount(40'000));
    CHECK(env.storedParams() == env.params());
    CHECK(env.balance(alice) == Amount(afterDeposit.micro() + 1'000));
}

TEST_CASE("gov: no_with_veto above a third of the votes rejects the proposal and burns its deposits") {
    TwoValidators t(Amount(6'000), Amount{});  // val0 10,000 yes, op 6,000 veto: 37.5 % veto
    auto& env = t.env;
    auto& alice = env.account("alice", Amount(100'000));
    const std::uint64_t id = submitted(env(govSubmit(alice, {{"min_fee", "25"}}, Amount(1'500))));
    env(govVote(val0(env), id, VoteOption::Yes));
    env(govVote(t.op, id, VoteOption::NoWithVeto));
    const Amount burnedBefore = env.supply().burned;
    const Amount afterDeposit = env.balance(alice);
    closeVote(env, id);
    const auto p = env.proposal(id);
    CHECK(p->status == ProposalStatus::RejectedVeto);
    CHECK(p->finalTally.veto == Amount(6'000));
    CHECK(env.storedParams() == env.params());
    CHECK(env.balance(alice) == afterDeposit);
    CHECK(env.supply().burned.micro() - burnedBefore.micro() >= 1'500);
}

TEST_CASE("gov: a delegator's vote overrides its validator's for the delegator's share") {
    TwoValidators t(Amount(2'000), Amount(20'000));  // op: 2,000 own + 20,000 of dave's
    auto& env = t.env;
    auto& alice = env.account("alice", Amount(100'000));
    const std::uint64_t id = submitted(env(govSubmit(alice, {{"grace_seconds", "7"}}, Amount(1'000))));
    env(govVote(t.op, id, VoteOption::Yes));
    env(govVote(val0(env), id, VoteOption::Yes));
    // Without dave's own vote, op votes dave's share yes.
    auto tally = env.tally(*env.proposal(id));
    CHECK(tally.yes == Amount(32'000));
    env(govVote(t.dave, id, VoteOption::No));
    tally = env.tally(*env.proposal(id));
    CHECK(tally.yes == Amount(12'000));
    CHECK(tally.no == Amount(20'000));
    closeVote(env, id);
    const auto p = env.proposal(id);
    CHECK(p->status == ProposalStatus::Rejected);  // 12,000 yes of 32,000 is not above half
    CHECK(p->failure == "threshold not reached");
    CHECK(env.storedParams().graceSeconds == env.params().graceSeconds);
}

TEST_CASE("gov: a later vote replaces the earlier one; abstain counts for quorum, not for the threshold") {
    TwoValidators t(Amount(8'000), Amount{});
    auto& env = t.env;
    auto& alice = env.account("alice", Amount(100'000));
    const std::uint64_t id = submitted(env(govSubmit(alice, {{"grace_seconds", "7"}}, Amount(1'000))));
    env(govVote(val0(env), id, VoteOption::No));
    env(govVote(val0(env), id, VoteOption::Abstain));
    env(govVote(t.op, id, VoteOption::Yes));
    auto tally = env.tally(*env.proposal(id));
    CHECK(tally.no.isZero());
    CHECK(tally.abstain == Amount(10'000));
    CHECK(tally.yes == Amount(8'000));
    closeVote(env, id);
    CHECK(env.proposal(id)->status == ProposalStatus::Passed);
    CHECK(env.storedParams().graceSeconds == 7);
}

TEST_CASE("gov: deposits from several accounts open the vote; below gov_min_deposit the proposal expires and burns") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    auto& bob = env.account("bob", Amount(100'000));
    const std::uint64_t id = submitted(env(govSubmit(alice, {{"grace_seconds", "7"}}, Amount(400))));
    CHECK(env.proposal(id)->status == ProposalStatus::DepositPeriod);
    env(govVote(val0(env), id, VoteOption::Yes), expect(Code::ProposalNotInVotingPeriod));
    env(govDeposit(bob, id, Amount(600)));
    auto p = env.proposal(id);
    CHECK(p->status == ProposalStatus::VotingPeriod);
    CHECK(p->totalDeposit == Amount(1'000));
    env(govDeposit(bob, id, Amount(1)), expect(Code::ProposalNotInDepositPeriod));
    env(govDeposit(bob, 99, Amount(1)), expect(Code::ProposalNotFound));
    env(govVote(bob, 99, VoteOption::Yes), expect(Code::ProposalNotFound));

    // A second proposal, by carol, never reaches the minimum.
    auto& carol = env.account("carol", Amount(100'000));
    const std::uint64_t lonely = submitted(env(govSubmit(carol, {{"grace_seconds", "9"}}, Amount(999))));
    const Amount burnedBefore = env.supply().burned;
    const Amount afterDeposit = env.balance(carol);
    env.advanceTo(env.proposal(lonely)->depositEndHeight);
    env.nextBlock();
    p = env.proposal(lonely);
    CHECK(p->status == ProposalStatus::Expired);
    CHECK(p->depositsHeld.isZero());
    CHECK(env.balance(carol) == afterDeposit);
    // The first one closed meanwhile without votes: below quorum, both deposits refunded.
    CHECK(env.proposal(id)->status == ProposalStatus::Rejected);
    CHECK(env.supply().burned.micro() - burnedBefore.micro() >= 999);
}

TEST_CASE("gov: a malformed proposal is refused with a stable code and nothing is held") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    // Stateless (never enters a block): an unknown name, a value that is not canonical decimal.
    env(govSubmit(alice, {{"no_such_param", "1"}}, Amount(1'000)), expect(Code::UnknownParam));
    env(govSubmit(alice, {{"min_fee", "012"}}, Amount(1'000)), expect(Code::InvalidParamValue));
    env(govSubmit(alice, {{"min_fee", "-1"}}, Amount(1'000)), expect(Code::InvalidParamValue));
    env(govSubmit(alice, {{"max_validators", "4294967296"}}, Amount(1'000)), expect(Code::InvalidParamValue));
    env(govSubmit(alice, {}, Amount(1'000)), expect(Code::InvalidField));
    env(govSubmit(alice, {{"min_fee", "20"}}, Amount{}), expect(Code::ZeroAmount));
    const Amount before = env.balance(alice);
    // In range but inconsistent with the other parameters: refused in apply, the fee charged.
    env(govSubmit(alice, {{"downtime_max_missed", "10"}}, Amount(1'000)), expect(Code::InvalidParams));
    env(govSubmit(alice, {{"gov_quorum_bps", "0"}}, Amount(1'000)), expect(Code::InvalidParams));
    CHECK(env.balance(alice) == Amount(before.micro() - 2 * 10));
    CHECK(!env.proposal(1));
}

TEST_CASE("gov: of two proposals passing in one block the second is applied over the first or fails if inconsistent") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    // Each fine alone; together the window (6) would not exceed max missed (8).
    const std::uint64_t first = submitted(env(govSubmit(alice, {{"downtime_max_missed", "8"}}, Amount(1'000))));
    const std::uint64_t second = submitted(env(govSubmit(alice, {{"downtime_window_blocks", "6"}}, Amount(1'000))));
    const std::uint64_t third = submitted(env(govSubmit(alice, {{"grace_seconds", "9"}}, Amount(1'000))));
    for (auto id : {first, second, third}) env(govVote(val0(env), id, VoteOption::Yes));
    closeVote(env, first);
    CHECK(env.proposal(first)->status == ProposalStatus::Passed);
    const auto p = env.proposal(second);
    CHECK(p->status == ProposalStatus::Failed);
    CHECK(p->failure.find("downtime_max_missed") != std::string::npos);
    CHECK(p->depositsHeld.isZero());
    CHECK(env.proposal(third)->status == ProposalStatus::Passed);
    const Params now = env.storedParams();
    CHECK(now.downtimeMaxMissed == 8);
    CHECK(now.downtimeWindowBlocks == env.params().downtimeWindowBlocks);
    CHECK(now.graceSeconds == 9);
}

TEST_CASE("gov: a vote may change the governance parameters themselves, from the next proposal on") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    const std::uint64_t id = submitted(
        env(govSubmit(alice, {{"gov_min_deposit", "5000"}, {"gov_voting_period_blocks", "12"}}, Amount(1'000))));
    env(govVote(val0(env), id, VoteOption::Yes));
    closeVote(env, id);
    REQUIRE(env.proposal(id)->status == ProposalStatus::Passed);
    const std::uint64_t next = submitted(env(govSubmit(alice, {{"grace_seconds", "9"}}, Amount(1'000))));
    CHECK(env.proposal(next)->status == ProposalStatus::DepositPeriod);  // 1,000 < 5,000 now
    env(govDeposit(alice, next, Amount(4'000)));
    const auto p = env.proposal(next);
    CHECK(p->votingEndHeight == env.height() + 12);
}

TEST_CASE("params: every parameter has a name, reads back what setParam wrote, and refuses non-canonical text") {
    Params p;
    for (const auto& info : paramInfos()) {
        const auto v = paramValue(p, info.name);
        REQUIRE(v);
        CHECK(setParam(p, info.name, *v) == Code::Ok);
        CHECK(paramValue(p, info.name) == v);
        CHECK(setParam(p, info.name, "") == Code::InvalidParamValue);
        CHECK(setParam(p, info.name, "1.5") == Code::InvalidParamValue);
        CHECK(setParam(p, info.name, "+1") == Code::InvalidParamValue);
        CHECK(setParam(p, info.name, "18446744073709551616") == Code::InvalidParamValue);
    }
    CHECK(setParam(p, "max_validators", "4294967295") == Code::Ok);
    CHECK(setParam(p, "max_validators", "4294967296") == Code::InvalidParamValue);
    CHECK(setParam(p, "min_fee", "18446744073709551615") == Code::Ok);
    CHECK(setParam(p, "nope", "1") == Code::UnknownParam);
    // Every field of the encoding is named: 33 parameters.
    CHECK(paramInfos().size() == 35);
}

TEST_CASE("gov: a proposal changes lease_take_rate_ppm and an out-of-range take is refused at submit") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    env(govSubmit(alice, {{"lease_take_rate_ppm", "1000001"}}, Amount(1'000)), expect(Code::InvalidParams));
    const std::uint64_t id = submitted(env(govSubmit(alice, {{"lease_take_rate_ppm", "50000"}}, Amount(1'000))));
    env(govVote(val0(env), id, VoteOption::Yes));
    closeVote(env, id);
    CHECK(env.proposal(id)->status == ProposalStatus::Passed);
    CHECK(env.storedParams().leaseTakeRatePpm == 50'000);
}
