// initGenesis with an imported state (agorad export, docs/genesis.md): the
// entries are written as they are and hash to the same root as the state
// they came from; inconsistent imports are refused.
#include <catch2/catch.hpp>

#include "TestEnv.h"
#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/Sandbox.h"
#include "contracts/Genesis.h"
#include "contracts/Invariants.h"
#include "contracts/Keys.h"

using namespace agora;
using namespace agora::contracts;

namespace {

Genesis plainGenesis() {
    Genesis g;
    g.chainId = "import-test";
    g.params.minSelfStake = Amount(1'000);
    const PublicKey k = test::publicKeyOf(test::secretFromSeed("import/v0"));
    g.validators.push_back({Address::fromPublicKey(k), k, "v0", 0, Amount(1'000'000)});
    std::array<std::uint8_t, 20> raw{};
    for (std::uint8_t i = 1; i <= 3; ++i) {
        raw[0] = i;
        g.accounts.push_back({Address(raw), Amount(1'000u * i)});
    }
    return g;
}

// The genesis of `state` as it would be exported at `height`.
Genesis imported(const state::MemoryState& s, std::vector<ValidatorUpdate> set, std::uint64_t height) {
    Genesis g = plainGenesis();
    g.accounts.clear();
    g.validators.clear();
    g.initialHeight = height + 1;
    GenesisState st;
    st.height = height;
    st.validatorSet = std::move(set);
    for (const auto& [k, v] : s.entries()) st.entries.emplace_back(k, v);
    st.appHash = genesisStateRoot(st.entries).value();
    g.appState = std::move(st);
    return g;
}

}  // namespace

TEST_CASE("an imported genesis state is written unchanged, hashes like a store holding it and keeps the invariants",
          "[genesis]") {
    state::MemoryState original;
    auto set = initGenesis(original, plainGenesis());
    REQUIRE(set.hasValue());
    const Genesis g = imported(original, *set, 41);

    state::MemoryState copy;
    auto importedSet = initGenesis(copy, g);
    INFO((importedSet ? std::string() : importedSet.error().message));
    REQUIRE(importedSet.hasValue());
    REQUIRE(*importedSet == *set);
    REQUIRE(copy.entries() == original.entries());
    REQUIRE_FALSE(checkInvariants(copy).has_value());

    state::MemoryStateStore store;
    state::StateChanges changes;
    for (const auto& [k, v] : original.entries()) changes.emplace(k, v);
    REQUIRE(store.commit(7, changes).value() == g.appState->appHash);
}

TEST_CASE("an imported genesis state is refused when it disagrees with the rest of the genesis", "[genesis]") {
    state::MemoryState original;
    auto set = initGenesis(original, plainGenesis()).value();
    auto refused = [](const Genesis& g) {
        state::MemoryState target;
        auto r = initGenesis(target, g);
        REQUIRE_FALSE(r.hasValue());
        return r.error().message;
    };
    using Catch::Matchers::Contains;
    Genesis g = imported(original, set, 5);
    g.initialHeight = 5;
    REQUIRE_THAT(refused(g), Contains("initial_height must be app_state.height + 1"));
    g = imported(original, set, 5);
    g.accounts = plainGenesis().accounts;
    REQUIRE_THAT(refused(g), Contains("accounts must be empty"));
    g = imported(original, set, 5);
    g.params.minFee = Amount(g.params.minFee.micro() + 1);
    REQUIRE_THAT(refused(g), Contains("params differ"));
    g = imported(original, set, 5);
    std::swap(g.appState->entries[0], g.appState->entries[1]);
    REQUIRE_THAT(refused(g), Contains("strictly ascending"));
    g = imported(original, set, 5);
    g.appState->validatorSet.clear();
    REQUIRE_THAT(refused(g), Contains("validator_set must not be empty"));

    auto dup = imported(original, set, 5).appState->entries;
    dup.push_back(dup.back());
    REQUIRE_THAT(genesisStateRoot(dup).error().message, Contains("duplicate state key"));
}
