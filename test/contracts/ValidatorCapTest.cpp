// Staking caps the set it hands to consensus (max_validators, top N by
// power, ties by operator address) and caps each power, so every update
// batch is a valid change of the set consensus holds: none is dropped and
// staking and consensus never diverge (issue 17, point 8).

#include <catch2/catch.hpp>

#include "TestEnv.h"
#include "consensus/core/ValidatorSet.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

// Consensus's side: the set as ChainState::next applies each batch (a batch
// that fails there is dropped, which is what must never happen).
struct ConsensusSide {
    ValidatorSet set;
    void apply(const std::vector<ValidatorUpdate>& batch) {
        if (batch.empty()) return;
        auto next = set.withUpdates(batch);
        INFO("batch of " << batch.size() << " updates on a set of " << set.size());
        REQUIRE(next.hasValue());
        set = std::move(*next);
    }
};

struct Candidate {
    TestAccount* op = nullptr;
    PublicKey key;
};

// Staking and consensus agree on every validator: member iff last power > 0,
// at that power, which is the capped power of a top-N validator.
void requireAgreement(TestEnv& env, const ConsensusSide& consensus, const std::vector<Candidate>& all) {
    std::size_t members = 0;
    for (const auto& c : all) {
        const auto v = env.validator(c.op->address);
        REQUIRE(v.has_value());
        INFO("validator " << v->moniker);
        REQUIRE(consensus.set.powerOf(c.key) == v->lastPower);
        if (v->lastPower > 0) {
            REQUIRE(v->lastPower == consensusPower(v->power()));
            ++members;
        }
    }
    REQUIRE(members == consensus.set.size());
    REQUIRE(consensus.set.size() <= env.params().maxValidators);
}

}  // namespace

TEST_CASE("600 validators: every validator-set update applies and staking and consensus stay equal",
          "[staking][validators]") {
    Params params = testParams();
    params.maxValidators = 512;  // the most consensus accepts
    TestEnv env(params);
    auto genesisSet = ValidatorSet::fromUpdates(env.genesisValidators());
    REQUIRE(genesisSet.hasValue());
    ConsensusSide consensus{*genesisSet};

    std::vector<Candidate> all{{&env.account("val0"), env.genesisValidators()[0].consensusKey}};
    for (int i = 0; i < 600; ++i) {
        auto& op = env.account("cand" + std::to_string(i), Amount(100'000));
        const auto key = publicKeyOf(secretFromSeed("cand" + std::to_string(i) + "/consensus"));
        // Distinct stakes: candidate i has 1,000 + i.
        env(createValidator(op, key, Amount(1'000 + static_cast<std::uint64_t>(i))));
        all.push_back({&op, key});
    }
    consensus.apply(env.nextBlock().validatorUpdates);
    REQUIRE(consensus.set.size() == 512);
    requireAgreement(env, consensus, all);
    // val0 (10,000) and the 511 largest candidates; the 89 smallest wait.
    CHECK(consensus.set.powerOf(all[0].key) == 10'000);
    CHECK(consensus.set.powerOf(all[1 + 89].key) == 1'089);
    CHECK(consensus.set.powerOf(all[1 + 88].key) == 0);

    // A whale above everything consensus can count: its candidate enters at
    // the capped power and the smallest member leaves, in one batch.
    const Amount whaleStake(std::uint64_t{1} << 61);
    REQUIRE(whaleStake.micro() > ValidatorSet::kMaxTotalPower);
    auto& whale = env.account("whale", *whaleStake.checkedAdd(Amount(1'000'000)));
    env(delegate(whale, all[1].op->address, whaleStake));
    consensus.apply(env.nextBlock().validatorUpdates);
    requireAgreement(env, consensus, all);
    CHECK(consensus.set.powerOf(all[1].key) == kMaxConsensusPower);
    CHECK(consensus.set.powerOf(all[1 + 89].key) == 0);
    CHECK(consensus.set.size() == 512);

    // A member jailed (self stake below the minimum): the best waiting
    // candidate takes its place.
    env(undelegate(*all[1 + 300].op, all[1 + 300].op->address, Amount(500)));
    consensus.apply(env.nextBlock().validatorUpdates);
    requireAgreement(env, consensus, all);
    CHECK(consensus.set.powerOf(all[1 + 300].key) == 0);
    CHECK(consensus.set.powerOf(all[1 + 89].key) == 1'089);

    // Quiet blocks hand nothing over.
    CHECK(env.nextBlock().validatorUpdates.empty());
}

TEST_CASE("at the max_validators boundary equal power goes to the smaller operator address", "[staking][validators]") {
    Params params = testParams();
    params.maxValidators = 2;
    TestEnv env(params);
    auto genesisSet = ValidatorSet::fromUpdates(env.genesisValidators());
    REQUIRE(genesisSet.hasValue());
    ConsensusSide consensus{*genesisSet};
    auto& a = env.account("tie-a", Amount(100'000));
    auto& b = env.account("tie-b", Amount(100'000));
    const auto keyA = publicKeyOf(secretFromSeed("tie-a/consensus"));
    const auto keyB = publicKeyOf(secretFromSeed("tie-b/consensus"));
    env(createValidator(a, keyA, Amount(5'000)));
    env(createValidator(b, keyB, Amount(5'000)));
    consensus.apply(env.nextBlock().validatorUpdates);
    REQUIRE(consensus.set.size() == 2);
    const bool aFirst = a.address < b.address;
    CHECK(consensus.set.powerOf(aFirst ? keyA : keyB) == 5'000);
    CHECK(consensus.set.powerOf(aFirst ? keyB : keyA) == 0);
    requireAgreement(env, consensus,
                     {{&env.account("val0"), env.genesisValidators()[0].consensusKey}, {&a, keyA}, {&b, keyB}});
}
