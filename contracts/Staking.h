#pragma once
// staking: validators, delegations (share-based, so a slash reaches every
// delegation in O(1)), unbonding queue (also used for provider stake),
// jailing, slashing for double-sign and downtime, the validator set update
// handed to consensus, and the block reward payout by stake.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Messages.h"
#include "consensus/core/ValidatorUpdate.h"
#include "contracts/ApplyContext.h"

namespace agora::contracts {

__extension__ using RewardIndex = unsigned __int128;
inline constexpr std::uint64_t kRewardScale = 1'000'000'000'000'000'000ULL;  // 1e18

// The most power one validator gets in consensus: its stake in uagr, capped
// so that a full set (ValidatorSet::kMaxValidators) stays within
// ValidatorSet::kMaxTotalPower. Deterministic; no realistic stake reaches it
// (about 2.25e9 agr).
// (Spelled out: ValidatorSet.h here would make `Validator` ambiguous; Staking.cpp
// checks the value.)
inline constexpr std::uint64_t kMaxConsensusPower = ((std::uint64_t{1} << 60) - 1) / 512;
std::uint64_t consensusPower(std::uint64_t power);

struct Validator {
    Address operatorAddress;
    PublicKey consensusKey;
    std::string moniker;
    std::uint32_t commissionBps = 0;
    Amount tokens;                  // bonded stake of all delegations (after slashes)
    std::uint64_t totalShares = 0;  // delegation shares outstanding
    bool jailed = false;
    std::uint64_t jailedUntil = 0;  // first height at which unjail is allowed
    bool tombstoned = false;
    std::uint64_t lastPower = 0;  // power last handed to consensus
    // Delegators' share of rewards not yet claimed, and the cumulative reward
    // per share (scaled by kRewardScale, wrapping u128: only differences are used).
    Amount pendingRewards;
    RewardIndex rewardPerShare = 0;
    std::uint32_t maxCommissionBps = 10'000;
    std::uint32_t maxCommissionChangeBps = 10'000;
    std::uint64_t commissionChangedHeight = 0;  // creation or last commission change

    std::uint64_t power() const { return (jailed || tombstoned) ? 0 : tokens.micro(); }
    void encodeTo(Writer& w) const;
    static Validator decodeFrom(Reader& r);
    bool operator==(const Validator&) const = default;
};

struct Delegation {
    std::uint64_t shares = 0;
    RewardIndex rewardIndex = 0;  // validator's rewardPerShare when last claimed
    void encodeTo(Writer& w) const;
    static Delegation decodeFrom(Reader& r);
};

enum class UnbondingKind : std::uint8_t { Delegation = 0, ProviderStake = 1 };

struct UnbondingEntry {
    UnbondingKind kind = UnbondingKind::Delegation;
    Address owner;      // paid at completion
    Address validator;  // zero for provider stake
    Amount amount;
    std::uint64_t creationHeight = 0;
    std::uint64_t completionHeight = 0;
    void encodeTo(Writer& w) const;
    static UnbondingEntry decodeFrom(Reader& r);
};

struct DowntimeRecord {
    std::uint64_t windowStart = 0;
    std::uint64_t missed = 0;
    void encodeTo(Writer& w) const {
        w.u64(windowStart);
        w.u64(missed);
    }
    static DowntimeRecord decodeFrom(Reader& r) {
        DowntimeRecord d;
        d.windowStart = r.u64();
        d.missed = r.u64();
        return d;
    }
};

// The validator holding consensus key `key` in `state` (any status: bonded,
// jailed, unbonding, tombstoned), or nullopt.
std::optional<Validator> validatorByConsensusKey(const state::StateReader& state, const PublicKey& key);

class Staking {
public:
    explicit Staking(ApplyContext& ctx) : ctx_(ctx) {}

    std::optional<Validator> validator(const Address& op) const;
    std::optional<Validator> validatorByKey(const PublicKey& key) const;
    // Current value in uagr of a delegation.
    Amount delegationValue(const Address& validator, const Address& delegator) const;

    ResultCode createValidator(const Address& op, const MsgCreateValidator& msg);
    ResultCode editValidator(const Address& op, const MsgEditValidator& msg);
    ResultCode delegate(const Address& delegator, const MsgDelegate& msg);
    ResultCode undelegate(const Address& delegator, const MsgUndelegate& msg);
    ResultCode unjail(const Address& op);

    // Queues `amount` for payment to owner after unbonding_blocks.
    void queueUnbonding(UnbondingKind kind, const Address& owner, const Address& validator, Amount amount);

    // Slashing entry points (called with evidence from the engine).
    void punishDoubleSign(const PublicKey& key, std::uint64_t infractionHeight);
    void recordAbsence(const PublicKey& key);

    // End of block work, each O(work due).
    ResultCode completeUnbondings();
    ResultCode distributeRewards();
    std::vector<ValidatorUpdate> collectValidatorUpdates();

    // Genesis: a bonded validator without debiting a balance.
    ResultCode addGenesisValidator(const Address& op, const PublicKey& key, const std::string& moniker,
                                   std::uint32_t commissionBps, Amount selfStake);

private:
    ResultCode bond(Validator& v, const Address& delegator, Amount amount);
    // Pays the delegation's accrued rewards and resets its index (before any share change).
    ResultCode claimRewards(Validator& v, const Address& delegator, Delegation& d);
    ResultCode slash(Validator& v, std::uint32_t bps, std::uint64_t infractionHeight, std::string_view reason);
    void saveValidator(const Validator& v);
    ApplyContext& ctx_;
};

}  // namespace agora::contracts
