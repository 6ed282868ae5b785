// The apply pipeline: stateless check, read-only precheck, sandboxed apply
// where a failing message still pays its fee and advances the nonce.

#include <catch2/catch.hpp>

#include "TestEnv.h"
#include "consensus/core/Limits.h"
#include "contracts/Invariants.h"

#include <map>

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

TEST_CASE("check rejects malformed txs with their codes and changes nothing") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    auto& bob = env.account("bob");
    const auto before = env.state().entries();

    env(send(alice, bob, Amount(5)).withChain("other-chain"), expect(Code::WrongChainId));
    env(send(alice, bob, Amount(5)).badSignature(), expect(Code::BadSignature));
    env(send(alice, bob, Amount(0)), expect(Code::ZeroAmount));
    TxSpec empty;
    empty.signer = &alice;
    env(empty, expect(Code::NoMessages));
    TxSpec many = send(alice, bob, Amount(1));
    for (std::size_t i = 0; i < limits::kMsgsPerTxMax; ++i) many.plus(MsgSend{bob.address, Amount(1)});
    env(many, expect(Code::TooManyMessages));
    env(providerRegister(alice, cpuMem(1, 1), Amount(5'000), {{"tier", "a"}, {"region", "b"}}),
        expect(Code::UnsortedList));
    env(providerRegister(alice, cpuMem(0, 0), Amount(5'000)), expect(Code::InvalidResources));
    env(jobCreate(alice, cpuMem(1, 1), Amount(10), 10, Amount(99)), expect(Code::DepositBelowMaxCost));
    env(jobCreate(alice, cpuMem(1, 1), Amount(10), 0, Amount(99)), expect(Code::InvalidDuration));
    env(jobCreate(alice, cpuMem(1, 1), Amount(10), 10, Amount(100), 0), expect(Code::InvalidBiddingWindow));
    env(createValidator(alice, PublicKey{}, Amount(5'000)), expect(Code::InvalidConsensusKey));
    env(createValidator(alice, alice.publicKey, Amount(5'000), 10'001), expect(Code::InvalidCommission));

    CHECK(env.state().entries() == before);
    CHECK(env.nonce(alice) == 0);
}

TEST_CASE("check uses a cached signature verdict when the node passes one") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    auto& bob = env.account("bob");
    SignedTx tx = env.sign(send(alice, bob, Amount(5)).badSignature());
    CHECK(env.ledger().check(tx) == Code::BadSignature);
    // The mempool's verdict is trusted: no second verification.
    CHECK(env.ledger().check(tx, SignatureStatus::Valid) == Code::Ok);
    SignedTx good = env.sign(send(alice, bob, Amount(5)));
    CHECK(env.ledger().check(good) == Code::Ok);
    CHECK(env.ledger().check(good, SignatureStatus::Invalid) == Code::BadSignature);
}

TEST_CASE("precheck rejects bad nonce, low fee and unpayable fee without charging anything") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    auto& broke = env.account("broke", Amount(5));
    auto& bob = env.account("bob");
    const auto before = env.state().entries();
    env(send(alice, bob, Amount(5)).withNonce(1), expect(Code::BadNonce));
    env(send(alice, bob, Amount(5)).withFee(Amount(9)), expect(Code::FeeTooLow));
    env(send(broke, bob, Amount(1)), expect(Code::InsufficientFeeBalance));
    CHECK(env.state().entries() == before);

    env(send(alice, bob, Amount(5)));
    CHECK(env.nonce(alice) == 1);
    env(send(alice, bob, Amount(5)).withNonce(0), expect(Code::BadNonce));  // replay
    env(send(alice, bob, Amount(5)).withNonce(1));
}

TEST_CASE("fees by weight: a tx must pay min_fee + fee_per_msg x messages + fee_per_byte x signed bytes") {
    Params p = testParams();
    p.feePerMsg = Amount(100);
    p.feePerByte = Amount(2);
    TestEnv env(p);
    auto& alice = env.account("alice", Amount(1'000'000));
    auto& bob = env.account("bob");

    TxSpec one = send(alice, bob, Amount(5));
    const SignedTx signedOne = env.sign(one);
    const Amount needOne = requiredFee(p, signedOne.body);
    CHECK(needOne.micro() == p.minFee.micro() + 100 + 2 * signedOne.bytes().size());
    // The fee's value does not change the size (amounts are fixed width), so this is exact.
    CHECK(env.ledger().requiredFee(env.state(), signedOne.body) == needOne);

    const auto before = env.state().entries();
    env(TxSpec(one).withFee(Amount(needOne.micro() - 1)), expect(Code::FeeTooLow));
    env(TxSpec(one).withFee(p.minFee), expect(Code::FeeTooLow));  // the flat minimum is no longer enough
    CHECK(env.state().entries() == before);
    env(TxSpec(one).withFee(needOne));
    CHECK(env.balance(alice) == Amount(1'000'000 - 5 - needOne.micro()));

    // A second message costs fee_per_msg and its bytes.
    TxSpec two = send(alice, bob, Amount(5)).plus(MsgSend{bob.address, Amount(6)});
    const SignedTx signedTwo = env.sign(two);
    const Amount needTwo = requiredFee(p, signedTwo.body);
    CHECK(needTwo.micro() == needOne.micro() + 100 + 2 * (signedTwo.bytes().size() - signedOne.bytes().size()));
    env(TxSpec(two).withFee(needOne), expect(Code::FeeTooLow));
    env(TxSpec(two).withFee(needTwo));
}

TEST_CASE("fee_per_msg and fee_per_byte are governable parameters, refused when a maximal tx's fee overflows") {
    Params p = testParams();
    CHECK(paramValue(p, "fee_per_msg") == "0");
    CHECK(paramValue(p, "fee_per_byte") == "0");
    CHECK(requiredFee(p, Tx{}) == p.minFee);  // 0 by default: the flat min_fee
    CHECK(setParam(p, "fee_per_byte", "1000000") == Code::Ok);
    CHECK_FALSE(p.validate());
    CHECK(setParam(p, "fee_per_byte", std::to_string(UINT64_MAX / limits::kTxBytesMax + 1)) == Code::Ok);
    CHECK(p.validate().has_value());  // x 64 KiB overflows
    CHECK(setParam(p, "fee_per_byte", "0") == Code::Ok);
    CHECK(setParam(p, "fee_per_msg", std::to_string(UINT64_MAX / 32)) == Code::Ok);
    CHECK(p.validate().has_value());

    // A passed proposal raises fee_per_msg and the next block charges it.
    TestEnv env;
    auto& alice = env.account("alice", Amount(10'000'000'000));
    auto& bob = env.account("bob");
    env.fund(env.validatorOperator(), Amount(1'000));  // pays its vote's fee
    const auto id = eventId(env(govSubmit(alice, {{"fee_per_msg", "500"}}, env.params().govMinDeposit)),
                            "proposal_submitted", "proposal_id");
    env(govVote(env.validatorOperator(), id, VoteOption::Yes));
    env.advanceTo(env.proposal(id)->votingEndHeight);
    env.nextBlock();
    REQUIRE(env.proposal(id)->status == ProposalStatus::Passed);
    CHECK(env.storedParams().feePerMsg == Amount(500));
    env(send(alice, bob, Amount(1)), expect(Code::FeeTooLow));
    env(send(alice, bob, Amount(1)).withFee(Amount(env.params().minFee.micro() + 500)));
}

TEST_CASE("a failing message pays the fee, advances the nonce and rolls back every message of the tx") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(1'000));
    auto& bob = env.account("bob");
    const Amount poolBefore = env.feePool();
    TxSpec tx = send(alice, bob, Amount(100));
    tx.plus(MsgSend{bob.address, Amount(5'000)});  // more than alice has
    tx.withFee(Amount(25));
    auto r = env(tx, expect(Code::InsufficientFunds));
    CHECK(r.failedMessage == 1u);
    CHECK(r.feeCharged == Amount(25));
    CHECK(env.balance(alice) == Amount(1'000 - 25));
    CHECK(env.balance(bob).isZero());  // the first send rolled back too
    CHECK(env.nonce(alice) == 1);
    CHECK(env.feePool() == Amount(poolBefore.micro() + 25));
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].type == "tx_fee");
    CHECK(state::resultGroup(r.code) == state::ResultGroup::FailedFeeCharged);
}

TEST_CASE("events are emitted per message with ordered attributes and the message index") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(1'000));
    auto& bob = env.account("bob");
    TxSpec tx = send(alice, bob, Amount(1));
    tx.plus(MsgSend{bob.address, Amount(2)});
    auto r = env(tx);
    REQUIRE(r.events.size() == 3);
    CHECK(r.events[0].type == "tx_fee");
    CHECK(r.events[1].type == "transfer");
    CHECK(r.events[1].attributes[0].key == "from");
    CHECK(r.events[1].attr("to") == bob.address.toBech32());
    CHECK(r.events[1].attr("amount") == "1");
    CHECK(r.events[1].attr("msg_index") == "0");
    CHECK(r.events[2].attr("msg_index") == "1");

    // Canonical encoding round-trips and rejects trailing bytes.
    Bytes bytes = encode(r.events[1]);
    auto back = decode<state::Event>(bytes);
    REQUIRE(back.hasValue());
    CHECK(*back == r.events[1]);
    bytes.push_back(0);
    CHECK_FALSE(decode<state::Event>(bytes).hasValue());
}

TEST_CASE("result codes fall in their groups and every code has a message") {
    using state::ResultGroup;
    CHECK(state::resultGroup(Code::Ok) == ResultGroup::Success);
    CHECK(state::resultGroup(Code::BadSignature) == ResultGroup::Malformed);
    CHECK(state::resultGroup(Code::BadNonce) == ResultGroup::Rejected);
    CHECK(state::resultGroup(Code::NotLeaseParty) == ResultGroup::FailedFeeCharged);
    CHECK(static_cast<int>(Code::BadNonce) == 200);
    CHECK(static_cast<int>(Code::InsufficientFunds) == 300);
    for (int v = 0; v < 500; ++v) {
        const auto name = state::resultName(static_cast<Code>(v));
        if (name == "unknown") continue;
        CHECK_FALSE(state::resultMessage(static_cast<Code>(v)).empty());
    }
    CHECK(state::resultName(Code::DuplicateBid) == "duplicate_bid");
}

TEST_CASE(
    "fees and the block reward are paid to validators by stake, commission to the operator, the rest to delegators") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100'000));
    auto& bob = env.account("bob");
    auto& op2 = env.account("op2", Amount(100'000));
    // A second validator (commission 5%) with a quarter of the total stake (val0 has 10,000).
    const auto key2 = publicKeyOf(secretFromSeed("op2/consensus"));
    env(createValidator(op2, key2, Amount(3'330), 500));
    const auto ops = env.nextBlock();
    REQUIRE(ops.validatorUpdates.size() == 1);
    CHECK(ops.validatorUpdates[0].consensusKey == key2);
    CHECK(ops.validatorUpdates[0].power == 3'330);

    const Amount v0Before = env.balance(env.validatorOperator());
    const Amount v2Before = env.balance(op2);
    const Amount v2Pending = env.validator(op2.address)->pendingRewards;
    const std::uint64_t dust = env.feePool().micro();  // rounding left from the last payout
    env(send(alice, bob, Amount(1)).withFee(Amount(330)));
    const auto end = env.nextBlock();
    // pool = dust + 1000 reward + 330 fees, split 10000 : 3330 by bonded stake.
    const std::uint64_t pool = dust + 1'330;
    const std::uint64_t share0 = pool * 10'000 / 13'330;
    const std::uint64_t share2 = pool * 3'330 / 13'330;
    std::map<std::string, std::string> paid;
    for (const auto& e : end.events)
        if (e.type == "reward") paid[*e.attr("operator")] = *e.attr("amount");
    CHECK(paid[env.validatorOperator().address.toBech32(kValidatorPrefix)] == std::to_string(share0));
    CHECK(paid[op2.address.toBech32(kValidatorPrefix)] == std::to_string(share2));
    // Operators receive their commission (val0 10%, op2 5%) at once ...
    CHECK(env.balance(env.validatorOperator()) == Amount(v0Before.micro() + share0 / 10));
    CHECK(env.balance(op2) == Amount(v2Before.micro() + share2 * 5 / 100));
    // ... the rest waits for the delegations, claimed on their next change.
    const Amount owed = *env.validator(op2.address)->pendingRewards.checkedSub(v2Pending);
    CHECK(owed == Amount(share2 - share2 * 5 / 100));
    CHECK(env.feePool().micro() < 2);  // only rounding dust stays pending

    auto& dave = env.account("dave", Amount(100'000));
    env(delegate(dave, op2.address, Amount(3'330)));  // half of op2's stake from now on
    env.nextBlock();
    // Both delegations hold equal shares over that block: equal claims.
    const auto opClaim = eventId(env(delegate(op2, op2.address, Amount(1))), "rewards_claimed", "amount");
    const auto daveClaim = eventId(env(undelegate(dave, op2.address, Amount(100))), "rewards_claimed", "amount");
    CHECK(daveClaim > 0);
    CHECK(opClaim >= owed.micro() + daveClaim - 1);  // op2 also had the earlier block alone
    CHECK_FALSE(checkInvariants(env.state()).has_value());
}

TEST_CASE("invariant checker catches money appearing from nowhere") {
    TestEnv env;
    auto& alice = env.account("alice", Amount(100));
    state::MemoryState broken = env.state();
    Writer w;
    w.u64(1'000'000);
    w.u64(0);
    broken.put(keys::account(alice.address), w.data());
    auto bad = checkInvariants(broken);
    REQUIRE(bad.has_value());
    CHECK(bad->find("supply mismatch") != std::string::npos);
}
