#pragma once
// Every tunable of the ledger, stored in state under one key (docs/ledger.md
// lists the defaults). Genesis writes them; modules read them per block.

#include <cstdint>
#include <optional>
#include <string>

#include "consensus/core/Amount.h"
#include "consensus/core/Codec.h"

namespace agora::contracts {

struct Params {
    // bank / fees
    Amount minFee{1'000};           // per tx, uagr
    Amount blockReward{1'000'000};  // minted each block, paid to validators by stake
    // staking
    Amount minSelfStake{1'000'000'000};
    std::uint64_t unbondingBlocks = 100;
    std::uint64_t jailBlocks = 50;
    std::uint32_t doubleSignSlashBps = 500;  // 5%
    std::uint32_t downtimeSlashBps = 10;     // 0.1%
    std::uint64_t downtimeWindowBlocks = 100;
    std::uint64_t downtimeMaxMissed = 50;  // missed > this within a window -> slash + jail
    // Validators handed to consensus: the top max_validators by power (ties:
    // smaller operator address); 1..ValidatorSet::kMaxValidators.
    std::uint32_t maxValidators = 100;
    // providers
    Amount minProviderStake{100'000'000};
    Amount providerStakePerLease{10'000'000};  // extra stake each open lease keeps bonded
    std::uint32_t providerEarlyCloseSlashBps = 100;
    std::uint32_t maxOffersPerProvider = 16;
    // market
    std::uint32_t maxBidsPerJob = 32;
    Amount minBidDeposit{1'000'000};
    std::uint64_t maxBiddingWindowBlocks = 10'000;
    std::uint64_t maxDurationBlocks = 10'000'000;
    // leases / escrow
    std::uint64_t graceBlocks = 20;
    // reputation
    std::uint64_t reputationHalfLifeBlocks = 100'000;

    void encodeTo(Writer& w) const;
    static Params decodeFrom(Reader& r);
    bool operator==(const Params&) const = default;

    // Empty when consistent, else a description of the first bad field.
    std::optional<std::string> validate() const;
};

}  // namespace agora::contracts
