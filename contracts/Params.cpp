#include "contracts/Params.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/core/ValidatorSet.h"

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
    w.u64(maxDurationBlocks);
    w.u64(graceBlocks);
    w.u64(reputationHalfLifeBlocks);
    w.u32(maxValidators);
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
    p.maxDurationBlocks = r.u64();
    p.graceBlocks = r.u64();
    p.reputationHalfLifeBlocks = r.u64();
    p.maxValidators = r.u32();
    return p;
}

std::optional<std::string> Params::validate() const {
    if (doubleSignSlashBps > 10'000) return "double_sign_slash_bps above 10000";
    if (downtimeSlashBps > 10'000) return "downtime_slash_bps above 10000";
    if (providerEarlyCloseSlashBps > 10'000) return "provider_early_close_slash_bps above 10000";
    if (downtimeWindowBlocks == 0) return "downtime_window_blocks must be positive";
    if (downtimeMaxMissed >= downtimeWindowBlocks) return "downtime_max_missed must be below downtime_window_blocks";
    if (maxBidsPerJob == 0) return "max_bids_per_job must be positive";
    if (maxBiddingWindowBlocks == 0) return "max_bidding_window_blocks must be positive";
    if (maxDurationBlocks == 0) return "max_duration_blocks must be positive";
    if (reputationHalfLifeBlocks == 0) return "reputation_half_life_blocks must be positive";
    if (minSelfStake.isZero()) return "min_self_stake must be positive";
    if (maxValidators == 0 || maxValidators > ValidatorSet::kMaxValidators)
        return "max_validators must be between 1 and " + std::to_string(ValidatorSet::kMaxValidators);
    if (minProviderStake.isZero()) return "min_provider_stake must be positive";
    return std::nullopt;
}

}  // namespace agora::contracts
