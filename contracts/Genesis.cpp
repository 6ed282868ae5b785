#include "contracts/Genesis.h"

#include <algorithm>
#include <limits>
#include <set>

#include "consensus/core/Limits.h"
#include "consensus/state/BlockContext.h"
#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/Sandbox.h"
#include "contracts/ApplyContext.h"
#include "contracts/Bank.h"
#include "contracts/Keys.h"
#include "contracts/Staking.h"

namespace agora::contracts {

namespace {
Unexpected<GenesisError> fail(std::string msg) {
    return Unexpected(GenesisError{std::move(msg)});
}
Expected<std::vector<ValidatorUpdate>, GenesisError> importState(state::StateWriter& target, const Genesis& g) {
    const GenesisState& s = *g.appState;
    if (!g.accounts.empty()) return fail("accounts must be empty when app_state is present");
    if (!g.validators.empty()) return fail("validators must be empty when app_state is present");
    if (s.height == std::numeric_limits<std::uint64_t>::max() || g.initialHeight != s.height + 1)
        return fail("initial_height must be app_state.height + 1");
    if (s.validatorSet.empty()) return fail("app_state.validator_set must not be empty");
    for (std::size_t i = 1; i < s.entries.size(); ++i)
        if (!(s.entries[i - 1].first < s.entries[i].first))
            return fail("app_state.entries must be in strictly ascending key order");
    const Bytes paramsKey = keys::params();
    const auto stored = std::lower_bound(s.entries.begin(), s.entries.end(), paramsKey,
                                         [](const auto& e, const Bytes& k) { return e.first < k; });
    if (stored == s.entries.end() || stored->first != paramsKey) return fail("app_state holds no params");
    if (stored->second != encode(g.params)) return fail("params differ from the params stored in app_state");
    for (const auto& [key, value] : s.entries) target.put(key, value);
    std::vector<ValidatorUpdate> set = s.validatorSet;
    std::sort(set.begin(), set.end(),
              [](const ValidatorUpdate& a, const ValidatorUpdate& b) { return a.consensusKey < b.consensusKey; });
    return set;
}

}  // namespace

Expected<Hash256, GenesisError> genesisStateRoot(const std::vector<std::pair<Bytes, Bytes>>& entries) {
    state::StateChanges changes;
    for (const auto& [key, value] : entries)
        if (!changes.emplace(key, value).second) return fail("duplicate state key " + toHex(key));
    state::MemoryStateStore store;
    auto root = store.commit(1, changes);
    if (!root) return fail("state entries: " + root.error().message());
    return *root;
}

Expected<std::vector<ValidatorUpdate>, GenesisError> initGenesis(state::StateWriter& target, const Genesis& g) {
    if (g.chainId.empty() || g.chainId.size() > limits::kChainIdMax) return fail("chain_id must be 1..64 bytes");
    if (auto bad = g.params.validate()) return fail("params: " + *bad);
    if (g.appState) return importState(target, g);
    if (g.validators.empty()) return fail("genesis needs at least one validator");

    state::Sandbox sandbox(target);
    state::BlockContext block;
    block.height = g.initialHeight;
    block.chainId = g.chainId;
    std::vector<state::Event> events;
    ApplyContext ctx(sandbox, block, g.params, events);
    ctx.store.save(keys::params(), g.params);
    Bank bank(ctx);

    std::set<Address> seen;
    for (const auto& a : g.accounts) {
        if (!seen.insert(a.address).second) return fail("duplicate account " + a.address.toBech32());
        if (bank.mint(a.balance) != ResultCode::Ok) return fail("total supply overflows");
        if (bank.credit(a.address, a.balance) != ResultCode::Ok) return fail("balance overflows");
    }
    Staking staking(ctx);
    for (const auto& v : g.validators) {
        const std::string who = v.operatorAddress.toBech32(kValidatorPrefix);
        if (!v.consensusKey.isValid()) return fail("validator " + who + ": consensus key is not a valid point");
        if (v.moniker.empty() || v.moniker.size() > limits::kMonikerMax)
            return fail("validator " + who + ": moniker must be 1..64 bytes");
        if (v.commissionBps > 10'000) return fail("validator " + who + ": commission above 10000 bps");
        if (v.selfStake < g.params.minSelfStake) return fail("validator " + who + ": self stake below min_self_stake");
        if (bank.mint(v.selfStake) != ResultCode::Ok) return fail("total supply overflows");
        const ResultCode rc =
            staking.addGenesisValidator(v.operatorAddress, v.consensusKey, v.moniker, v.commissionBps, v.selfStake);
        if (rc == ResultCode::ValidatorExists) return fail("duplicate validator " + who);
        if (rc == ResultCode::ConsensusKeyInUse) return fail("validator " + who + ": consensus key used twice");
        if (rc != ResultCode::Ok) return fail("validator " + who + ": cannot bond self stake");
    }
    auto updates = staking.collectValidatorUpdates();
    sandbox.commit();
    return updates;
}

}  // namespace agora::contracts
