#pragma once
// Every tunable of the ledger, stored in state under one key (docs/ledger.md
// lists the defaults). Genesis writes them; modules read them per block.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Amount.h"
#include "consensus/core/Codec.h"
#include "consensus/state/ResultCode.h"

namespace agora::contracts {

struct Params {
    // bank / fees
    Amount minFee{1'000};  // per tx, uagr
    // Fees by weight: a tx must pay min_fee + fee_per_msg x messages +
    // fee_per_byte x signed bytes (requiredFee), so filling state costs in
    // proportion. 0 by default, raised by governance (decision 50).
    Amount feePerMsg{0};
    Amount feePerByte{0};
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
    // A validator's commission changes at most once per this many blocks.
    std::uint64_t commissionChangeIntervalBlocks = 86'400;
    // providers
    Amount minProviderStake{100'000'000};
    Amount providerStakePerLease{10'000'000};  // extra stake each open lease keeps bonded
    std::uint32_t providerEarlyCloseSlashBps = 100;
    std::uint32_t maxOffersPerProvider = 16;
    // market
    std::uint32_t maxBidsPerJob = 32;
    // A provider's open bids may commit at most this multiple of its free
    // capacity (capacity - reserved), per resource: bid slots cannot be
    // squatted across many jobs with one machine's worth of capacity.
    std::uint32_t bidCapacityMultiple = 4;
    Amount minBidDeposit{1'000'000};
    std::uint64_t maxBiddingWindowBlocks = 10'000;
    std::uint64_t maxDurationSeconds = 10'000'000;  // of block time
    // Settled leases and ended jobs are erased this many blocks after they
    // ended (events and the tx index keep their history): state stays bounded.
    std::uint64_t recordRetentionBlocks = 100'000;
    // leases / escrow: lease time is block time (seconds of header time), not blocks
    std::uint64_t graceSeconds = 20;
    // The protocol's take: this share (parts per million, rounded up) of every
    // payment out of a lease's escrow to its provider is burned, so a client
    // the provider funds cannot wash-trade ratings for free (decision 46).
    std::uint32_t leaseTakeRatePpm = 20'000;  // 2 %
    // reputation
    // Reputation weights and counts halve every this many seconds of block time.
    std::uint64_t reputationHalfLifeSeconds = 2'592'000;  // 30 days
    // A lease weighs in reputation (completed, or a client's provider_failed
    // report) only once the client paid for this many seconds of block time.
    std::uint64_t reputationMinPaidSeconds = 10;
    // A lease weighs in reputation in proportion to what its client paid: one
    // lease per this amount (decision 55). A tiny lease weighs tiny, so a
    // completed lease or a provider_failed report costs real money.
    Amount reputationReferencePaid{1'000'000};  // 1 agr
    // A client's lease weighs in full only once the client has paid this
    // much on settled leases with other providers (its standing, decision 55):
    // a fresh account, which is free, weighs nothing, so sybils cannot make or
    // break a provider. 0 turns the rule off.
    Amount reputationClientStanding{10'000'000};  // 10 agr
    // governance (docs/ledger.md, "Governance")
    Amount govMinDeposit{1'000'000'000};           // deposits that open the vote
    std::uint64_t govDepositPeriodBlocks = 1'000;  // to reach gov_min_deposit
    std::uint64_t govVotingPeriodBlocks = 1'000;
    std::uint32_t govQuorumBps = 3'340;     // of bonded stake that must vote
    std::uint32_t govThresholdBps = 5'000;  // yes share of non-abstaining votes to pass (strictly above)
    std::uint32_t govVetoBps = 3'340;       // no_with_veto share of all votes that rejects and burns (strictly above)

    void encodeTo(Writer& w) const;
    static Params decodeFrom(Reader& r);
    bool operator==(const Params&) const = default;

    // Empty when consistent, else a description of the first bad field.
    std::optional<std::string> validate() const;
};

// Every parameter by its name in genesis, queries and governance proposals.
enum class ParamKind : std::uint8_t { Amount, U64, U32 };
struct ParamInfo {
    std::string_view name;
    ParamKind kind;
};
// In the order docs/ledger.md lists them.
const std::vector<ParamInfo>& paramInfos();
std::optional<ParamKind> paramKind(std::string_view name);
// The value as canonical decimal text (amounts in uagr); nullopt for an unknown name.
std::optional<std::string> paramValue(const Params& p, std::string_view name);
// Sets one parameter from canonical decimal text (digits only, no leading
// zero, within the field's width): Ok, UnknownParam or InvalidParamValue.
// The whole is not validate()d.
state::ResultCode setParam(Params& p, std::string_view name, std::string_view decimal);

}  // namespace agora::contracts
