#include "contracts/Staking.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"
#include "consensus/core/ValidatorSet.h"
#include "contracts/Bank.h"

namespace agora::contracts {

void Validator::encodeTo(Writer& w) const {
    codec::put(w, operatorAddress);
    codec::put(w, consensusKey);
    w.string(moniker);
    w.u32(commissionBps);
    codec::put(w, tokens);
    w.u64(totalShares);
    w.boolean(jailed);
    w.u64(jailedUntil);
    w.boolean(tombstoned);
    w.u64(lastPower);
    codec::put(w, pendingRewards);
    w.u64(static_cast<std::uint64_t>(rewardPerShare >> 64));
    w.u64(static_cast<std::uint64_t>(rewardPerShare));
    w.u32(maxCommissionBps);
    w.u32(maxCommissionChangeBps);
    w.u64(commissionChangedHeight);
}
Validator Validator::decodeFrom(Reader& r) {
    Validator v;
    v.operatorAddress = codec::getAddress(r);
    v.consensusKey = codec::getPublicKey(r);
    v.moniker = r.string(limits::kMonikerMax, 1);
    v.commissionBps = r.u32();
    v.tokens = codec::getAmount(r);
    v.totalShares = r.u64();
    v.jailed = r.boolean();
    v.jailedUntil = r.u64();
    v.tombstoned = r.boolean();
    v.lastPower = r.u64();
    v.pendingRewards = codec::getAmount(r);
    const std::uint64_t hi = r.u64();
    const std::uint64_t lo = r.u64();
    v.rewardPerShare = (static_cast<RewardIndex>(hi) << 64) | lo;
    v.maxCommissionBps = r.u32();
    v.maxCommissionChangeBps = r.u32();
    v.commissionChangedHeight = r.u64();
    return v;
}

void Delegation::encodeTo(Writer& w) const {
    w.u64(shares);
    w.u64(static_cast<std::uint64_t>(rewardIndex >> 64));
    w.u64(static_cast<std::uint64_t>(rewardIndex));
}

Delegation Delegation::decodeFrom(Reader& r) {
    Delegation d;
    d.shares = r.u64();
    const std::uint64_t hi = r.u64();
    const std::uint64_t lo = r.u64();
    d.rewardIndex = (static_cast<RewardIndex>(hi) << 64) | lo;
    return d;
}

void UnbondingEntry::encodeTo(Writer& w) const {
    w.u8(static_cast<std::uint8_t>(kind));
    codec::put(w, owner);
    codec::put(w, validator);
    codec::put(w, amount);
    w.u64(creationHeight);
    w.u64(completionHeight);
}
UnbondingEntry UnbondingEntry::decodeFrom(Reader& r) {
    UnbondingEntry e;
    const std::uint8_t k = r.u8();
    if (k > 1) r.fail(CodecError::InvalidEnum);
    e.kind = static_cast<UnbondingKind>(k);
    e.owner = codec::getAddress(r);
    e.validator = codec::getAddress(r);
    e.amount = codec::getAmount(r);
    e.creationHeight = r.u64();
    e.completionHeight = r.u64();
    return e;
}

namespace {
__extension__ using U128 = unsigned __int128;

std::optional<std::uint64_t> mulDivU64(std::uint64_t a, std::uint64_t b, std::uint64_t den, bool roundUp) {
    if (den == 0) return std::nullopt;
    const U128 num = static_cast<U128>(a) * b;
    U128 q = num / den;
    if (roundUp && num % den != 0) ++q;
    if (q > UINT64_MAX) return std::nullopt;
    return static_cast<std::uint64_t>(q);
}
}  // namespace

std::optional<Validator> Staking::validator(const Address& op) const {
    return ctx_.store.load<Validator>(keys::validator(op));
}

std::optional<Validator> validatorByConsensusKey(const state::StateReader& state, const PublicKey& key) {
    auto op = state.get(keys::consensusKey(key));
    if (!op) return std::nullopt;
    auto address = Address::fromSpan(*op);
    if (!address) std::abort();  // written only by createValidator
    auto raw = state.get(keys::validator(*address));
    if (!raw) return std::nullopt;
    auto v = decode<Validator>(*raw);
    if (!v) std::abort();
    return std::move(v).value();
}

std::optional<Validator> Staking::validatorByKey(const PublicKey& key) const {
    auto raw = ctx_.store.raw().get(keys::consensusKey(key));
    if (!raw) return std::nullopt;
    auto op = Address::fromSpan(*raw);
    if (!op) std::abort();
    return validator(*op);
}

Amount Staking::delegationValue(const Address& val, const Address& delegator) const {
    auto v = validator(val);
    auto d = ctx_.store.load<Delegation>(keys::delegation(val, delegator));
    if (!v || !d || v->totalShares == 0) return Amount{};
    return Amount(mulDivU64(d->shares, v->tokens.micro(), v->totalShares, false).value_or(0));
}

void Staking::saveValidator(const Validator& v) {
    // The power index follows power(): bonded, not jailed, not tombstoned.
    const auto before = validator(v.operatorAddress);
    const std::uint64_t oldPower = before ? before->power() : 0;
    if (oldPower != v.power()) {
        if (oldPower > 0) ctx_.store.erase(keys::validatorByPower(oldPower, v.operatorAddress));
        if (v.power() > 0) ctx_.store.mark(keys::validatorByPower(v.power(), v.operatorAddress));
    }
    ctx_.store.save(keys::validator(v.operatorAddress), v);
    // Only changed validators are visited at end of block (O(changes)).
    ctx_.store.mark(keys::validatorDirty(v.operatorAddress));
}

ResultCode Staking::bond(Validator& v, const Address& delegator, Amount amount) {
    std::uint64_t shares = amount.micro();
    if (v.totalShares != 0) {
        if (v.tokens.isZero()) return ResultCode::ValidatorHasNoTokens;
        auto s = mulDivU64(amount.micro(), v.totalShares, v.tokens.micro(), false);
        if (!s) return ResultCode::Overflow;
        shares = *s;
    }
    auto tokens = v.tokens.checkedAdd(amount);
    std::uint64_t totalShares = 0;
    if (!tokens || __builtin_add_overflow(v.totalShares, shares, &totalShares)) return ResultCode::Overflow;
    auto d = ctx_.store.load<Delegation>(keys::delegation(v.operatorAddress, delegator))
                 .value_or(Delegation{0, v.rewardPerShare});
    AGORA_TRY(claimRewards(v, delegator, d));
    if (__builtin_add_overflow(d.shares, shares, &d.shares)) return ResultCode::Overflow;
    v.tokens = *tokens;
    v.totalShares = totalShares;
    ctx_.store.save(keys::delegation(v.operatorAddress, delegator), d);
    saveValidator(v);
    return ResultCode::Ok;
}

ResultCode Staking::claimRewards(Validator& v, const Address& delegator, Delegation& d) {
    // Wrapping difference: exact as long as one delegation's unclaimed span
    // stays below 2^128 / kRewardScale per share, far beyond any supply.
    const RewardIndex perShare = v.rewardPerShare - d.rewardIndex;
    d.rewardIndex = v.rewardPerShare;
    if (d.shares == 0 || perShare == 0) return ResultCode::Ok;
    const RewardIndex owed = static_cast<RewardIndex>(d.shares) * perShare / kRewardScale;
    // Floors never exceed what was set aside; the cap only guards corrupt input.
    const Amount pay(owed > v.pendingRewards.micro() ? v.pendingRewards.micro() : static_cast<std::uint64_t>(owed));
    if (pay.isZero()) return ResultCode::Ok;
    AGORA_TRY(Bank(ctx_).credit(delegator, pay));
    v.pendingRewards = *v.pendingRewards.checkedSub(pay);
    ctx_.emit("rewards_claimed")
        .add("delegator", delegator.toBech32())
        .add("validator", v.operatorAddress.toBech32(kValidatorPrefix))
        .add("amount", pay.micro());
    return ResultCode::Ok;
}

ResultCode Staking::createValidator(const Address& op, const MsgCreateValidator& msg) {
    if (validator(op)) return ResultCode::ValidatorExists;
    if (ctx_.store.contains(keys::consensusKey(msg.consensusKey))) return ResultCode::ConsensusKeyInUse;
    if (msg.selfStake < ctx_.params.minSelfStake) return ResultCode::SelfStakeTooLow;
    AGORA_TRY(Bank(ctx_).debit(op, msg.selfStake));
    Validator v;
    v.operatorAddress = op;
    v.consensusKey = msg.consensusKey;
    v.moniker = msg.moniker;
    v.commissionBps = msg.commissionBps;
    v.maxCommissionBps = msg.maxCommissionBps;
    v.maxCommissionChangeBps = msg.maxCommissionChangeBps;
    v.commissionChangedHeight = ctx_.height();
    ctx_.store.raw().put(keys::consensusKey(msg.consensusKey), op.span());
    AGORA_TRY(bond(v, op, msg.selfStake));
    ctx_.emit("validator_created")
        .add("operator", op.toBech32(kValidatorPrefix))
        .add("consensus_key", msg.consensusKey.toHex())
        .add("self_stake", msg.selfStake.micro());
    return ResultCode::Ok;
}

ResultCode Staking::addGenesisValidator(const Address& op, const PublicKey& key, const std::string& moniker,
                                        std::uint32_t commissionBps, Amount selfStake) {
    if (validator(op)) return ResultCode::ValidatorExists;
    if (ctx_.store.contains(keys::consensusKey(key))) return ResultCode::ConsensusKeyInUse;
    Validator v;
    v.operatorAddress = op;
    v.consensusKey = key;
    v.moniker = moniker;
    v.commissionBps = commissionBps;
    ctx_.store.raw().put(keys::consensusKey(key), op.span());
    return bond(v, op, selfStake);
}

ResultCode Staking::editValidator(const Address& op, const MsgEditValidator& msg) {
    auto v = validator(op);
    if (!v) return ResultCode::ValidatorNotFound;
    if (msg.moniker) v->moniker = *msg.moniker;
    if (msg.commissionBps && *msg.commissionBps != v->commissionBps) {
        const std::uint32_t next = *msg.commissionBps;
        if (next > v->maxCommissionBps) return ResultCode::CommissionAboveMax;
        const std::uint32_t change = next > v->commissionBps ? next - v->commissionBps : v->commissionBps - next;
        if (change > v->maxCommissionChangeBps) return ResultCode::CommissionChangeTooLarge;
        if (ctx_.height() - v->commissionChangedHeight < ctx_.params.commissionChangeIntervalBlocks)
            return ResultCode::CommissionChangeTooSoon;
        v->commissionBps = next;
        v->commissionChangedHeight = ctx_.height();
    }
    ctx_.store.save(keys::validator(op), *v);  // power unchanged: not marked dirty
    ctx_.emit("validator_edited").add("operator", op.toBech32(kValidatorPrefix));
    return ResultCode::Ok;
}

ResultCode Staking::delegate(const Address& delegator, const MsgDelegate& msg) {
    auto v = validator(msg.validator);
    if (!v) return ResultCode::ValidatorNotFound;
    if (v->tombstoned) return ResultCode::Tombstoned;
    AGORA_TRY(Bank(ctx_).debit(delegator, msg.amount));
    AGORA_TRY(bond(*v, delegator, msg.amount));
    ctx_.emit("delegate")
        .add("delegator", delegator.toBech32())
        .add("validator", msg.validator.toBech32(kValidatorPrefix))
        .add("amount", msg.amount.micro());
    return ResultCode::Ok;
}

ResultCode Staking::undelegate(const Address& delegator, const MsgUndelegate& msg) {
    auto v = validator(msg.validator);
    if (!v) return ResultCode::ValidatorNotFound;
    const Bytes dkey = keys::delegation(msg.validator, delegator);
    auto d = ctx_.store.load<Delegation>(dkey);
    if (!d || v->tokens.isZero() || v->totalShares == 0) return ResultCode::DelegationTooSmall;
    // Round the burned shares up so rounding never favours the leaver.
    auto burn = mulDivU64(msg.amount.micro(), v->totalShares, v->tokens.micro(), true);
    if (!burn || *burn > d->shares || msg.amount > v->tokens) return ResultCode::DelegationTooSmall;
    AGORA_TRY(claimRewards(*v, delegator, *d));
    d->shares -= *burn;
    v->totalShares -= *burn;
    v->tokens = *v->tokens.checkedSub(msg.amount);
    if (d->shares == 0)
        ctx_.store.erase(dkey);
    else
        ctx_.store.save(dkey, *d);
    // An operator whose own stake drops below the minimum leaves the set.
    if (delegator == v->operatorAddress && !v->jailed) {
        const std::uint64_t self =
            v->totalShares == 0 ? 0 : mulDivU64(d->shares, v->tokens.micro(), v->totalShares, false).value_or(0);
        if (Amount(self) < ctx_.params.minSelfStake) {
            v->jailed = true;
            v->jailedUntil = ctx_.height();
            ctx_.emit("validator_jailed")
                .add("operator", v->operatorAddress.toBech32(kValidatorPrefix))
                .add("reason", "self_stake_below_minimum")
                .add("until", v->jailedUntil);
        }
    }
    saveValidator(*v);
    queueUnbonding(UnbondingKind::Delegation, delegator, msg.validator, msg.amount);
    ctx_.emit("undelegate")
        .add("delegator", delegator.toBech32())
        .add("validator", msg.validator.toBech32(kValidatorPrefix))
        .add("amount", msg.amount.micro())
        .add("completion_height", ctx_.height() + ctx_.params.unbondingBlocks);
    return ResultCode::Ok;
}

ResultCode Staking::unjail(const Address& op) {
    auto v = validator(op);
    if (!v) return ResultCode::ValidatorNotFound;
    if (v->tombstoned) return ResultCode::Tombstoned;
    if (!v->jailed) return ResultCode::NotJailed;
    if (ctx_.height() < v->jailedUntil) return ResultCode::JailPeriodActive;
    if (delegationValue(op, op) < ctx_.params.minSelfStake) return ResultCode::SelfStakeTooLow;
    v->jailed = false;
    saveValidator(*v);
    ctx_.emit("validator_unjailed").add("operator", op.toBech32(kValidatorPrefix));
    return ResultCode::Ok;
}

void Staking::queueUnbonding(UnbondingKind kind, const Address& owner, const Address& val, Amount amount) {
    UnbondingEntry e;
    e.kind = kind;
    e.owner = owner;
    e.validator = val;
    e.amount = amount;
    e.creationHeight = ctx_.height();
    e.completionHeight = ctx_.height() + ctx_.params.unbondingBlocks;
    const std::uint64_t seq = ctx_.store.nextId(keys::Counter::Unbonding);
    ctx_.store.save(keys::unbondingQueue(e.completionHeight, seq), e);
    if (kind == UnbondingKind::Delegation) ctx_.store.mark(keys::unbondingByValidator(val, e.completionHeight, seq));
}

ResultCode Staking::slash(Validator& v, std::uint32_t bps, std::uint64_t infractionHeight, std::string_view reason) {
    Amount burned{};
    auto cut = v.tokens.mulDiv(bps, 10'000).value_or(Amount{});
    v.tokens = *v.tokens.checkedSub(cut);
    burned = cut;
    // Unbonding entries that started at or after the infraction were still at
    // stake when it happened: they lose the same fraction.
    for (const Bytes& idx : ctx_.store.keysWithPrefix(keys::unbondingByValidatorPrefix(v.operatorAddress))) {
        const std::size_t off = 1 + Address::kSize;
        const Bytes qkey = keys::unbondingQueue(keys::u64At(idx, off), keys::u64At(idx, off + 8));
        auto e = ctx_.store.load<UnbondingEntry>(qkey);
        if (!e || e->creationHeight < infractionHeight) continue;
        auto c = e->amount.mulDiv(bps, 10'000).value_or(Amount{});
        e->amount = *e->amount.checkedSub(c);
        ctx_.store.save(qkey, *e);
        burned = burned.checkedAdd(c).value_or(burned);
    }
    AGORA_TRY(Bank(ctx_).burn(burned));
    ctx_.emit("slash")
        .add("operator", v.operatorAddress.toBech32(kValidatorPrefix))
        .add("reason", std::string(reason))
        .add("fraction_bps", bps)
        .add("burned", burned.micro());
    return ResultCode::Ok;
}

void Staking::punishDoubleSign(const PublicKey& key, std::uint64_t infractionHeight) {
    auto v = validatorByKey(key);
    if (!v || v->tombstoned) return;  // already punished for good
    (void)slash(*v, ctx_.params.doubleSignSlashBps, infractionHeight, "double_sign");
    v->jailed = true;
    v->tombstoned = true;
    v->jailedUntil = UINT64_MAX;
    saveValidator(*v);
    ctx_.emit("validator_jailed")
        .add("operator", v->operatorAddress.toBech32(kValidatorPrefix))
        .add("reason", "double_sign")
        .add("until", v->jailedUntil);
}

void Staking::recordAbsence(const PublicKey& key) {
    auto v = validatorByKey(key);
    if (!v || v->power() == 0) return;
    const Bytes dkey = keys::downtime(v->operatorAddress);
    auto rec = ctx_.store.load<DowntimeRecord>(dkey).value_or(DowntimeRecord{ctx_.height(), 0});
    if (ctx_.height() >= rec.windowStart + ctx_.params.downtimeWindowBlocks) rec = DowntimeRecord{ctx_.height(), 0};
    ++rec.missed;
    if (rec.missed <= ctx_.params.downtimeMaxMissed) {
        ctx_.store.save(dkey, rec);
        return;
    }
    ctx_.store.erase(dkey);
    (void)slash(*v, ctx_.params.downtimeSlashBps, ctx_.height(), "downtime");
    v->jailed = true;
    v->jailedUntil = ctx_.height() + ctx_.params.jailBlocks;
    saveValidator(*v);
    ctx_.emit("validator_jailed")
        .add("operator", v->operatorAddress.toBech32(kValidatorPrefix))
        .add("reason", "downtime")
        .add("until", v->jailedUntil);
}

ResultCode Staking::completeUnbondings() {
    for (const Bytes& qkey : ctx_.store.keysWithPrefix(keys::atHeight(keys::prefix::kUnbondingQueue, ctx_.height()))) {
        auto e = ctx_.store.load<UnbondingEntry>(qkey);
        if (!e) continue;
        AGORA_TRY(Bank(ctx_).credit(e->owner, e->amount));
        ctx_.store.erase(qkey);
        if (e->kind == UnbondingKind::Delegation)
            ctx_.store.erase(keys::unbondingByValidator(e->validator, e->completionHeight, keys::u64At(qkey, 9)));
        ctx_.emit("unbonding_completed")
            .add("owner", e->owner.toBech32())
            .add("kind", e->kind == UnbondingKind::Delegation ? "delegation" : "provider_stake")
            .add("amount", e->amount.micro());
    }
    return ResultCode::Ok;
}

ResultCode Staking::distributeRewards() {
    Bank bank(ctx_);
    AGORA_TRY(bank.mint(ctx_.params.blockReward));
    auto pool = bank.feePool().checkedAdd(ctx_.params.blockReward);
    if (!pool) return ResultCode::Overflow;
    // The bonded set is bounded by what staking admits; this visits each
    // validator once per block.
    std::vector<Validator> active;
    U128 totalPower = 0;
    ctx_.store.raw().scan(keys::one(keys::prefix::kValidator), {}, [&](ByteSpan, ByteSpan value) {
        auto v = decode<Validator>(value);
        if (!v) std::abort();
        if (v->power() > 0) {
            totalPower += v->power();
            active.push_back(std::move(v).value());
        }
        return true;
    });
    if (totalPower == 0 || pool->isZero()) {
        bank.setFeePool(*pool);
        return ResultCode::Ok;
    }
    Amount paid{};
    for (Validator& v : active) {
        const auto share = static_cast<std::uint64_t>(static_cast<U128>(pool->micro()) * v.power() / totalPower);
        if (share == 0) continue;
        paid = *paid.checkedAdd(Amount(share));
        // Commission to the operator; the rest to all delegations (the
        // operator's own included) through the reward-per-share index.
        Amount commission = Amount(share).mulDiv(v.commissionBps, 10'000).value_or(Amount(share));
        Amount toDelegators = *Amount(share).checkedSub(commission);
        if (v.totalShares == 0) {
            commission = Amount(share);
            toDelegators = Amount{};
        }
        if (!commission.isZero()) AGORA_TRY(bank.credit(v.operatorAddress, commission));
        if (!toDelegators.isZero()) {
            auto pending = v.pendingRewards.checkedAdd(toDelegators);
            if (!pending) return ResultCode::Overflow;
            v.pendingRewards = *pending;
            v.rewardPerShare += static_cast<U128>(toDelegators.micro()) * kRewardScale / v.totalShares;
            // Power is unchanged: saved without marking the validator dirty.
            ctx_.store.save(keys::validator(v.operatorAddress), v);
        }
        ctx_.emit("reward")
            .add("operator", v.operatorAddress.toBech32(kValidatorPrefix))
            .add("amount", share)
            .add("commission", commission.micro());
    }
    // Rounding dust stays pending for the next block.
    bank.setFeePool(*pool->checkedSub(paid));
    return ResultCode::Ok;
}

static_assert(kMaxConsensusPower == ValidatorSet::kMaxTotalPower / ValidatorSet::kMaxValidators);

std::uint64_t consensusPower(std::uint64_t power) {
    return std::min(power, kMaxConsensusPower);
}

std::vector<ValidatorUpdate> Staking::collectValidatorUpdates() {
    // Nothing changed: nothing to recompute (O(1) per block).
    const auto dirty = ctx_.store.keysWithPrefix(keys::one(keys::prefix::kValidatorDirty));
    if (dirty.empty()) return {};
    for (const Bytes& dkey : dirty) ctx_.store.erase(dkey);

    // The set consensus should hold: the top max_validators of the power
    // index (ties: smaller operator address, the index order), each at its
    // power capped to kMaxConsensusPower. Then every batch is a valid change
    // of the set consensus holds (at most kMaxValidators members, total at
    // most kMaxTotalPower, removals only of members), so ChainState::next
    // never drops one and staking and consensus stay equal.
    const std::size_t cap = std::min<std::size_t>(ctx_.params.maxValidators, ValidatorSet::kMaxValidators);
    std::map<Address, std::uint64_t> wanted;  // operator -> consensus power
    constexpr std::size_t kPowerKeyBytes = 1 + 8;
    for (const Bytes& key : ctx_.store.keysWithPrefix(keys::one(keys::prefix::kValidatorByPower), cap)) {
        auto op = Address::fromSpan(ByteSpan(key).subspan(kPowerKeyBytes));
        if (!op) std::abort();  // written by saveValidator: corrupt state
        auto v = validator(*op);
        if (!v || v->power() == 0) std::abort();
        wanted.emplace(*op, consensusPower(v->power()));
    }
    // An empty set is no set: keep the one consensus has until a validator
    // is bonded again (a later change recomputes from the index).
    if (wanted.empty()) return {};

    std::vector<ValidatorUpdate> updates;
    auto handOver = [&](Validator& v, std::uint64_t power) {
        if (v.lastPower == power) return;
        if (v.lastPower == 0) ctx_.store.mark(keys::activeValidator(v.operatorAddress));
        if (power == 0) ctx_.store.erase(keys::activeValidator(v.operatorAddress));
        v.lastPower = power;
        ctx_.store.save(keys::validator(v.operatorAddress), v);  // power() unchanged: index as is
        updates.push_back(ValidatorUpdate{v.consensusKey, power});
    };
    // Members that fell out of the top (unbonded, jailed, outranked).
    for (const Bytes& key : ctx_.store.keysWithPrefix(keys::one(keys::prefix::kActiveValidator))) {
        auto op = Address::fromSpan(ByteSpan(key).subspan(1));
        if (!op) std::abort();
        if (wanted.count(*op) != 0) continue;
        auto v = validator(*op);
        if (!v) std::abort();
        handOver(*v, 0);
    }
    for (const auto& [op, power] : wanted) {
        auto v = validator(op);
        handOver(*v, power);
    }
    std::sort(updates.begin(), updates.end(),
              [](const ValidatorUpdate& a, const ValidatorUpdate& b) { return a.consensusKey < b.consensusKey; });
    return updates;
}

}  // namespace agora::contracts
