#include "contracts/Genesis.h"

#include <algorithm>
#include <set>

#include "consensus/core/Limits.h"
#include "consensus/state/BlockContext.h"
#include "consensus/state/Sandbox.h"
#include "contracts/ApplyContext.h"
#include "contracts/Bank.h"
#include "contracts/Staking.h"

namespace agora::contracts {

namespace {
Unexpected<GenesisError> fail(std::string msg) {
    return Unexpected(GenesisError{std::move(msg)});
}
}  // namespace

Expected<std::vector<ValidatorUpdate>, GenesisError> initGenesis(state::StateWriter& target, const Genesis& g) {
    if (g.chainId.empty() || g.chainId.size() > limits::kChainIdMax) return fail("chain_id must be 1..64 bytes");
    if (auto bad = g.params.validate()) return fail("params: " + *bad);
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
