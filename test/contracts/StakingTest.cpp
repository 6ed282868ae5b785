// Staking: validators, delegation, unbonding timing, jailing, slashing for
// double-sign and downtime, and the validator set handed to consensus.

#include <catch2/catch.hpp>

#include "TestEnv.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

struct TwoValidators {
    TestEnv env;
    TestAccount& op = env.account("op", Amount(100'000));
    TestAccount& dave = env.account("dave", Amount(100'000));
    PublicKey key = publicKeyOf(secretFromSeed("op/consensus"));
    TwoValidators() {
        env(createValidator(op, key, Amount(2'000)));
        env(delegate(dave, op.address, Amount(6'000)));
        env.nextBlock();
    }
    Validator v() { return *env.validator(op.address); }
    state::BlockContext absent() {
        state::BlockContext b;
        b.absentValidators.push_back(key);
        return b;
    }
};

}  // namespace

TEST_CASE("creating a validator bonds self stake and reports its power at end of block") {
    TestEnv env;
    auto& op = env.account("op", Amount(100'000));
    const auto key = publicKeyOf(secretFromSeed("op/consensus"));
    env(createValidator(op, key, Amount(999)), expect(Code::SelfStakeTooLow));
    env(createValidator(op, env.genesisValidators()[0].consensusKey, Amount(1'000)), expect(Code::ConsensusKeyInUse));
    env(createValidator(op, key, Amount(1'000'000)), expect(Code::InsufficientFunds));
    env(createValidator(op, key, Amount(1'000)));
    env(createValidator(op, key, Amount(1'000)), expect(Code::ValidatorExists));
    auto end = env.nextBlock();
    REQUIRE(end.validatorUpdates.size() == 1);
    CHECK(end.validatorUpdates[0] == ValidatorUpdate{key, 1'000});
    // Nothing changed: no update.
    CHECK(env.nextBlock().validatorUpdates.empty());

    MsgEditValidator edit;
    edit.moniker = "renamed";
    edit.commissionBps = 250;
    env(TxSpec{&op, {edit}});
    CHECK(env.validator(op.address)->moniker == "renamed");
    CHECK(env.validator(op.address)->commissionBps == 250);
    CHECK(env.nextBlock().validatorUpdates.empty());
}

TEST_CASE("delegation raises power; undelegation pays out exactly unbonding_blocks later") {
    TwoValidators t;
    auto& env = t.env;
    CHECK(t.v().tokens == Amount(8'000));
    env(delegate(t.dave, env.account("nobody").address, Amount(1)), expect(Code::ValidatorNotFound));
    env(undelegate(t.dave, t.op.address, Amount(6'001)), expect(Code::DelegationTooSmall));
    env(undelegate(t.dave, t.op.address, Amount(2'000)));  // also claims dave's rewards so far
    const Amount before = env.balance(t.dave);
    const auto completion = env.height() + env.params().unbondingBlocks;
    auto end = env.nextBlock();
    REQUIRE(end.validatorUpdates.size() == 1);
    CHECK(end.validatorUpdates[0].power == 6'000);
    env.advanceTo(completion);
    CHECK(env.balance(t.dave) == before);
    env.nextBlock();
    CHECK(env.balance(t.dave) == Amount(before.micro() + 2'000));
}

TEST_CASE("double-sign evidence slashes 5%, tombstones, and hits delegations and unbonding entries proportionally") {
    TwoValidators t;
    auto& env = t.env;
    const std::uint64_t infraction = env.height();
    env(undelegate(t.dave, t.op.address, Amount(1'000)));  // unbonding after the infraction: slashable
    env.nextBlock();
    const Amount burnedBefore = env.supply().burned;

    state::BlockContext b;
    b.evidence.push_back(state::Misbehaviour{state::MisbehaviourKind::DoubleSign, t.key, infraction});
    env.nextBlock(b);
    auto v = t.v();
    CHECK(v.tombstoned);
    CHECK(v.jailed);
    CHECK(v.tokens == Amount(7'000 - 350));
    // 5% of 7000 bonded + 5% of the 1000 unbonding entry.
    CHECK(env.supply().burned == Amount(burnedBefore.micro() + 350 + 50));
    // Dave's remaining 5000 delegation is now worth 4750; the operator's 2000 is 1900.
    env(undelegate(t.dave, t.op.address, Amount(4'751)), expect(Code::DelegationTooSmall));
    env(undelegate(t.dave, t.op.address, Amount(4'750)));
    // The validator leaves the set and can never come back.
    auto end2 = env.nextBlock();  // end of the evidence block
    REQUIRE(end2.validatorUpdates.size() == 1);
    CHECK(end2.validatorUpdates[0] == ValidatorUpdate{t.key, 0});
    env(unjail(t.op), expect(Code::Tombstoned));
    env(delegate(t.dave, t.op.address, Amount(10)), expect(Code::Tombstoned));

    // The slashed unbonding entry pays 950.
    const Amount before = env.balance(t.dave);
    env.advance(env.params().unbondingBlocks + 1);
    CHECK(env.balance(t.dave) == Amount(before.micro() + 950 + 4'750));
}

TEST_CASE("double-sign evidence removes the validator from the consensus set in the same block") {
    TwoValidators t;
    auto& env = t.env;
    state::BlockContext b;
    b.evidence.push_back(state::Misbehaviour{state::MisbehaviourKind::DoubleSign, t.key, env.height()});
    env.nextBlock(b);  // evidence is handled when the block begins
    auto end = env.nextBlock();
    REQUIRE(end.validatorUpdates.size() == 1);
    CHECK(end.validatorUpdates[0] == ValidatorUpdate{t.key, 0});
    CHECK(t.v().lastPower == 0);
}

TEST_CASE("missing more than downtime_max_missed blocks in a window slashes a little and jails until the period ends") {
    TwoValidators t;
    auto& env = t.env;
    const Amount tokens = t.v().tokens;
    for (int i = 0; i < 5; ++i) env.nextBlock(t.absent());
    CHECK_FALSE(t.v().jailed);
    env.nextBlock(t.absent());  // sixth miss within the window of ten
    auto v = t.v();
    CHECK(v.jailed);
    CHECK_FALSE(v.tombstoned);
    CHECK(v.tokens == Amount(tokens.micro() - tokens.micro() / 100));
    CHECK(v.jailedUntil == env.height() + env.params().jailBlocks);
    CHECK(env.nextBlock().validatorUpdates.at(0).power == 0);

    env(unjail(t.dave), expect(Code::ValidatorNotFound));
    env(unjail(t.op), expect(Code::JailPeriodActive));
    env.advanceTo(v.jailedUntil);
    env(unjail(t.op));
    auto back = env.nextBlock();
    REQUIRE(back.validatorUpdates.size() == 1);
    CHECK(back.validatorUpdates[0].power == t.v().tokens.micro());
    env(unjail(t.op), expect(Code::NotJailed));
}

TEST_CASE("misses spread over separate windows do not jail") {
    TwoValidators t;
    auto& env = t.env;
    for (int w = 0; w < 3; ++w) {
        for (int i = 0; i < 5; ++i) env.nextBlock(t.absent());
        env.advance(env.params().downtimeWindowBlocks);
    }
    CHECK_FALSE(t.v().jailed);
}

TEST_CASE("an operator whose self stake falls below the minimum is jailed until it bonds again") {
    TwoValidators t;
    auto& env = t.env;
    env(undelegate(t.op, t.op.address, Amount(1'500)));
    CHECK(t.v().jailed);
    CHECK(env.nextBlock().validatorUpdates[0].power == 0);
    env(unjail(t.op), expect(Code::SelfStakeTooLow));
    env(delegate(t.op, t.op.address, Amount(1'000)));
    env(unjail(t.op));
    CHECK(env.nextBlock().validatorUpdates[0].power == 7'500);
}

TEST_CASE(
    "commission: a validator's max and max change are fixed at creation; edits stay within them, once per interval") {
    Params p = testParams();
    p.commissionChangeIntervalBlocks = 10;
    TestEnv env(p);
    auto& op = env.account("op", Amount(100'000));
    const auto key = publicKeyOf(secretFromSeed("op/consensus"));
    auto create = [&](std::uint32_t bps, std::uint32_t max, std::uint32_t change) {
        return TxSpec{&op, {MsgCreateValidator{key, "op", bps, Amount(1'000), max, change}}};
    };
    // Inconsistent promises are malformed.
    env(create(600, 500, 100), expect(Code::InvalidCommission));      // commission above its own max
    env(create(500, 10'001, 100), expect(Code::InvalidCommission));   // max above 100 %
    env(create(500, 2'000, 2'001), expect(Code::InvalidCommission));  // a step above the max
    env(create(500, 2'000, 300));
    const std::uint64_t created = env.height();
    auto edit = [&](std::uint32_t bps) {
        MsgEditValidator m;
        m.commissionBps = bps;
        return TxSpec{&op, {m}};
    };
    // Not within the interval of the creation, not above the max, not by more than the step.
    env(edit(700), expect(Code::CommissionChangeTooSoon));
    env.advanceTo(created + 10);
    env(edit(2'001), expect(Code::CommissionAboveMax));
    env(edit(801), expect(Code::CommissionChangeTooLarge));
    env(edit(800));
    CHECK(env.validator(op.address)->commissionBps == 800);
    CHECK(env.validator(op.address)->commissionChangedHeight == created + 10);
    // Jumping to 100 % takes many intervals, and stops at the max.
    env(edit(1'100), expect(Code::CommissionChangeTooSoon));
    env.advanceTo(created + 20);
    env(edit(1'100));
    // A moniker edit and a no-op commission are not commission changes.
    MsgEditValidator rename;
    rename.moniker = "renamed";
    rename.commissionBps = 1'100;
    env(TxSpec{&op, {rename}});
    CHECK(env.validator(op.address)->moniker == "renamed");
    CHECK(env.validator(op.address)->commissionChangedHeight == created + 20);
}
