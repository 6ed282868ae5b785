#include "contracts/Params.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"
#include "consensus/core/ValidatorSet.h"

#include <limits>
#include <type_traits>
#include <variant>

namespace agora::contracts {

void Params::encodeTo(Writer& w) const {
    codec::put(w, minFee);
    codec::put(w, blockReward);
    codec::put(w, minSelfStake);
    w.u64(unbondingBlocks);
    w.u64(jailBlocks);
    w.u32(doubleSignSlashBps);
    w.u32(downtimeSlashBps);
    w.u64(downtimeWindowBlocks);
    w.u64(downtimeMaxMissed);
    codec::put(w, minProviderStake);
    codec::put(w, providerStakePerLease);
    w.u32(providerEarlyCloseSlashBps);
    w.u32(maxOffersPerProvider);
    w.u32(maxBidsPerJob);
    codec::put(w, minBidDeposit);
    w.u64(maxBiddingWindowBlocks);
    w.u64(maxDurationSeconds);
    w.u64(graceSeconds);
    w.u64(reputationHalfLifeSeconds);
    w.u32(maxValidators);
    codec::put(w, govMinDeposit);
    w.u64(govDepositPeriodBlocks);
    w.u64(govVotingPeriodBlocks);
    w.u32(govQuorumBps);
    w.u32(govThresholdBps);
    w.u32(govVetoBps);
    w.u64(reputationMinPaidSeconds);
    w.u64(commissionChangeIntervalBlocks);
    w.u32(leaseTakeRatePpm);
    w.u32(bidCapacityMultiple);
    codec::put(w, feePerMsg);
    codec::put(w, feePerByte);
    w.u64(recordRetentionBlocks);
    codec::put(w, reputationReferencePaid);
    codec::put(w, reputationClientStanding);
}

Params Params::decodeFrom(Reader& r) {
    Params p;
    p.minFee = codec::getAmount(r);
    p.blockReward = codec::getAmount(r);
    p.minSelfStake = codec::getAmount(r);
    p.unbondingBlocks = r.u64();
    p.jailBlocks = r.u64();
    p.doubleSignSlashBps = r.u32();
    p.downtimeSlashBps = r.u32();
    p.downtimeWindowBlocks = r.u64();
    p.downtimeMaxMissed = r.u64();
    p.minProviderStake = codec::getAmount(r);
    p.providerStakePerLease = codec::getAmount(r);
    p.providerEarlyCloseSlashBps = r.u32();
    p.maxOffersPerProvider = r.u32();
    p.maxBidsPerJob = r.u32();
    p.minBidDeposit = codec::getAmount(r);
    p.maxBiddingWindowBlocks = r.u64();
    p.maxDurationSeconds = r.u64();
    p.graceSeconds = r.u64();
    p.reputationHalfLifeSeconds = r.u64();
    p.maxValidators = r.u32();
    p.govMinDeposit = codec::getAmount(r);
    p.govDepositPeriodBlocks = r.u64();
    p.govVotingPeriodBlocks = r.u64();
    p.govQuorumBps = r.u32();
    p.govThresholdBps = r.u32();
    p.govVetoBps = r.u32();
    p.reputationMinPaidSeconds = r.u64();
    p.commissionChangeIntervalBlocks = r.u64();
    p.leaseTakeRatePpm = r.u32();
    p.bidCapacityMultiple = r.u32();
    p.feePerMsg = codec::getAmount(r);
    p.feePerByte = codec::getAmount(r);
    p.recordRetentionBlocks = r.u64();
    p.reputationReferencePaid = codec::getAmount(r);
    p.reputationClientStanding = codec::getAmount(r);
    return p;
}

std::optional<std::string> Params::validate() const {
    if (doubleSignSlashBps > 10'000) return "double_sign_slash_bps above 10000";
    if (downtimeSlashBps > 10'000) return "downtime_slash_bps above 10000";
    if (providerEarlyCloseSlashBps > 10'000) return "provider_early_close_slash_bps above 10000";
    if (downtimeWindowBlocks == 0) return "downtime_window_blocks must be positive";
    if (downtimeMaxMissed >= downtimeWindowBlocks) return "downtime_max_missed must be below downtime_window_blocks";
    if (maxBidsPerJob == 0) return "max_bids_per_job must be positive";
    if (bidCapacityMultiple == 0) return "bid_capacity_multiple must be positive";
    if (maxBiddingWindowBlocks == 0) return "max_bidding_window_blocks must be positive";
    if (maxDurationSeconds == 0) return "max_duration_seconds must be positive";
    if (recordRetentionBlocks == 0) return "record_retention_blocks must be positive";
    if (leaseTakeRatePpm > 1'000'000) return "lease_take_rate_ppm above 1000000";
    if (reputationHalfLifeSeconds == 0) return "reputation_half_life_seconds must be positive";
    if (reputationReferencePaid.isZero()) return "reputation_reference_paid must be positive";
    if (minSelfStake.isZero()) return "min_self_stake must be positive";
    if (maxValidators == 0 || maxValidators > ValidatorSet::kMaxValidators)
        return "max_validators must be between 1 and " + std::to_string(ValidatorSet::kMaxValidators);
    if (minProviderStake.isZero()) return "min_provider_stake must be positive";
    if (govMinDeposit.isZero()) return "gov_min_deposit must be positive";
    if (govDepositPeriodBlocks == 0) return "gov_deposit_period_blocks must be positive";
    if (govVotingPeriodBlocks == 0) return "gov_voting_period_blocks must be positive";
    if (govQuorumBps == 0 || govQuorumBps > 10'000) return "gov_quorum_bps must be between 1 and 10000";
    if (govThresholdBps >= 10'000) return "gov_threshold_bps must be below 10000";
    if (govVetoBps == 0 || govVetoBps > 10'000) return "gov_veto_bps must be between 1 and 10000";
    // The fee of the heaviest tx must be representable, or no fee could pay it.
    const auto perMsgMax = feePerMsg.checkedMul(limits::kMsgsPerTxMax);
    const auto perByteMax = feePerByte.checkedMul(limits::kTxBytesMax);
    const auto weightMax = perMsgMax && perByteMax ? perMsgMax->checkedAdd(*perByteMax) : std::nullopt;
    if (!weightMax || !minFee.checkedAdd(*weightMax))
        return "min_fee + fee_per_msg x " + std::to_string(limits::kMsgsPerTxMax) + " + fee_per_byte x " +
               std::to_string(limits::kTxBytesMax) + " overflows";
    return std::nullopt;
}

namespace {

using Member = std::variant<Amount Params::*, std::uint64_t Params::*, std::uint32_t Params::*>;

struct ParamEntry {
    ParamInfo info;
    Member member;
};

template <typename T>
constexpr ParamKind kindOf() {
    if constexpr (std::is_same_v<T, Amount>) return ParamKind::Amount;
    if constexpr (std::is_same_v<T, std::uint64_t>) return ParamKind::U64;
    return ParamKind::U32;
}

template <typename T>
ParamEntry entry(std::string_view name, T Params::*member) {
    return {{name, kindOf<T>()}, member};
}

const std::vector<ParamEntry>& table() {
    using P = Params;
    static const std::vector<ParamEntry> t = {
        entry("min_fee", &P::minFee),
        entry("fee_per_msg", &P::feePerMsg),
        entry("fee_per_byte", &P::feePerByte),
        entry("block_reward", &P::blockReward),
        entry("min_self_stake", &P::minSelfStake),
        entry("unbonding_blocks", &P::unbondingBlocks),
        entry("jail_blocks", &P::jailBlocks),
        entry("double_sign_slash_bps", &P::doubleSignSlashBps),
        entry("downtime_slash_bps", &P::downtimeSlashBps),
        entry("downtime_window_blocks", &P::downtimeWindowBlocks),
        entry("downtime_max_missed", &P::downtimeMaxMissed),
        entry("max_validators", &P::maxValidators),
        entry("commission_change_interval_blocks", &P::commissionChangeIntervalBlocks),
        entry("min_provider_stake", &P::minProviderStake),
        entry("provider_stake_per_lease", &P::providerStakePerLease),
        entry("provider_early_close_slash_bps", &P::providerEarlyCloseSlashBps),
        entry("max_offers_per_provider", &P::maxOffersPerProvider),
        entry("max_bids_per_job", &P::maxBidsPerJob),
        entry("bid_capacity_multiple", &P::bidCapacityMultiple),
        entry("min_bid_deposit", &P::minBidDeposit),
        entry("max_bidding_window_blocks", &P::maxBiddingWindowBlocks),
        entry("max_duration_seconds", &P::maxDurationSeconds),
        entry("record_retention_blocks", &P::recordRetentionBlocks),
        entry("grace_seconds", &P::graceSeconds),
        entry("lease_take_rate_ppm", &P::leaseTakeRatePpm),
        entry("reputation_half_life_seconds", &P::reputationHalfLifeSeconds),
        entry("reputation_min_paid_seconds", &P::reputationMinPaidSeconds),
        entry("reputation_reference_paid", &P::reputationReferencePaid),
        entry("reputation_client_standing", &P::reputationClientStanding),
        entry("gov_min_deposit", &P::govMinDeposit),
        entry("gov_deposit_period_blocks", &P::govDepositPeriodBlocks),
        entry("gov_voting_period_blocks", &P::govVotingPeriodBlocks),
        entry("gov_quorum_bps", &P::govQuorumBps),
        entry("gov_threshold_bps", &P::govThresholdBps),
        entry("gov_veto_bps", &P::govVetoBps),
    };
    return t;
}

const ParamEntry* find(std::string_view name) {
    for (const auto& e : table())
        if (e.info.name == name) return &e;
    return nullptr;
}

// Canonical decimal: 1..20 digits, no leading zero unless "0", at most `max`.
std::optional<std::uint64_t> parseDecimal(std::string_view text, std::uint64_t max) {
    if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

}  // namespace

const std::vector<ParamInfo>& paramInfos() {
    static const std::vector<ParamInfo> infos = [] {
        std::vector<ParamInfo> out;
        for (const auto& e : table()) out.push_back(e.info);
        return out;
    }();
    return infos;
}

std::optional<ParamKind> paramKind(std::string_view name) {
    const ParamEntry* e = find(name);
    if (e == nullptr) return std::nullopt;
    return e->info.kind;
}

std::optional<std::string> paramValue(const Params& p, std::string_view name) {
    const ParamEntry* e = find(name);
    if (e == nullptr) return std::nullopt;
    return std::visit(
        [&p](auto member) -> std::string {
            using T = std::remove_cvref_t<decltype(p.*member)>;
            if constexpr (std::is_same_v<T, Amount>)
                return (p.*member).toString();
            else
                return std::to_string(p.*member);
        },
        e->member);
}

state::ResultCode setParam(Params& p, std::string_view name, std::string_view decimal) {
    const ParamEntry* e = find(name);
    if (e == nullptr) return state::ResultCode::UnknownParam;
    return std::visit(
        [&](auto member) {
            using T = std::remove_cvref_t<decltype(p.*member)>;
            if constexpr (std::is_same_v<T, Amount>) {
                auto v = parseDecimal(decimal, std::numeric_limits<std::uint64_t>::max());
                if (!v) return state::ResultCode::InvalidParamValue;
                p.*member = Amount(*v);
            } else {
                auto v = parseDecimal(decimal, std::numeric_limits<T>::max());
                if (!v) return state::ResultCode::InvalidParamValue;
                p.*member = static_cast<T>(*v);
            }
            return state::ResultCode::Ok;
        },
        e->member);
}

}  // namespace agora::contracts
