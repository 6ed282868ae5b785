// Genesis and the cost shape of end-of-block work.

#include <catch2/catch.hpp>

#include "TestEnv.h"
#include "contracts/Invariants.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

Genesis baseGenesis() {
    Genesis g;
    g.chainId = "agora-genesis-test";
    g.params = testParams();
    g.accounts.push_back(GenesisAccount{Address::fromPublicKey(publicKeyOf(secretFromSeed("a"))), Amount(500)});
    g.validators.push_back(GenesisValidator{Address::fromPublicKey(publicKeyOf(secretFromSeed("v"))),
                                            publicKeyOf(secretFromSeed("v/cons")), "v", 100, Amount(2'000)});
    return g;
}

// Counts the reads and writes reaching a state.
class CountingState final : public state::StateWriter {
public:
    explicit CountingState(state::StateWriter& inner) : inner_(inner) {}
    std::optional<Bytes> get(ByteSpan key) const override {
        ++ops;
        return inner_.get(key);
    }
    void scan(ByteSpan prefix, ByteSpan start, const state::ScanVisitor& visit) const override {
        inner_.scan(prefix, start, [&](ByteSpan k, ByteSpan v) {
            ++ops;
            return visit(k, v);
        });
        ++ops;
    }
    void put(ByteSpan key, ByteSpan value) override {
        ++ops;
        inner_.put(key, value);
    }
    void erase(ByteSpan key) override {
        ++ops;
        inner_.erase(key);
    }
    mutable std::size_t ops = 0;

private:
    state::StateWriter& inner_;
};

}  // namespace

TEST_CASE("genesis writes params, balances and bonded validators and returns the initial set") {
    state::MemoryState s;
    const Genesis g = baseGenesis();
    auto updates = initGenesis(s, g);
    REQUIRE(updates.hasValue());
    REQUIRE(updates->size() == 1);
    CHECK((*updates)[0] == ValidatorUpdate{g.validators[0].consensusKey, 2'000});
    CHECK(loadParams(s) == g.params);
    CHECK_FALSE(checkInvariants(s).has_value());

    // Same genesis, same bytes.
    state::MemoryState again;
    REQUIRE(initGenesis(again, g).hasValue());
    CHECK(again.entries() == s.entries());
}

TEST_CASE("genesis refuses inconsistent input with a clear message") {
    auto refuse = [](Genesis g, const std::string& needle) {
        state::MemoryState s;
        auto r = initGenesis(s, g);
        REQUIRE_FALSE(r.hasValue());
        INFO(r.error().message);
        CHECK(r.error().message.find(needle) != std::string::npos);
        CHECK(s.entries().empty());  // nothing half-written
    };
    Genesis g = baseGenesis();
    g.chainId = "";
    refuse(g, "chain_id");
    g = baseGenesis();
    g.accounts.push_back(g.accounts[0]);
    refuse(g, "duplicate account");
    g = baseGenesis();
    g.validators[0].selfStake = Amount(1);
    refuse(g, "min_self_stake");
    g = baseGenesis();
    g.validators.push_back(g.validators[0]);
    g.validators[1].operatorAddress = Address::fromPublicKey(publicKeyOf(secretFromSeed("w")));
    refuse(g, "consensus key used twice");
    g = baseGenesis();
    g.params.doubleSignSlashBps = 20'000;
    refuse(g, "double_sign_slash_bps");
    g = baseGenesis();
    g.accounts.push_back(GenesisAccount{Address::fromPublicKey(publicKeyOf(secretFromSeed("b"))), Amount(UINT64_MAX)});
    refuse(g, "overflows");
    g = baseGenesis();
    g.validators.clear();
    refuse(g, "at least one validator");
}

TEST_CASE("end-of-block work does not grow with the number of open leases") {
    auto endBlockOps = [](std::size_t leases) {
        TestEnv env;
        auto& alice = env.account("alice", Amount(100'000'000));
        auto& prov = env.account("prov", Amount(100'000'000));
        env(providerRegister(prov, cpuMem(1'000'000, 1'000'000), Amount(50'000'000)));
        PriceSchedule prices;
        prices.perCpuMillicore = Amount(1);
        env(offerSet(prov, 1, prices));
        for (std::size_t i = 0; i < leases; ++i)
            env(leaseFromOffer(alice, prov, 1, cpuMem(10, 1), 500, Amount(10 * 400)));  // due in 400 blocks
        env.advance(2);
        state::MemoryState copy = env.state();
        CountingState counting(copy);
        (void)env.ledger().endBlock(counting);
        return counting.ops;
    };
    const auto few = endBlockOps(2);
    const auto many = endBlockOps(200);
    CHECK(few == many);
}
