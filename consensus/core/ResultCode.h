#pragma once
// Stable numeric result codes of the apply pipeline. Never renumber: codes are
// stored in block results and shown to clients. Groups by range:
//
//   0          success
//   100..199   malformed: stateless check failed; never enters a block
//   200..299   rejected:  read-only precheck failed (nonce, fee, balance);
//                         nothing is charged
//   300..499   failed, fee charged: a message failed in apply; the fee is
//                         paid and the nonce advances, message effects roll back
//
// One table, as rippled's TER.cpp: AGORA_RESULT_CODES lists every code once as
// X(Enumerator, number, "snake_case_name", "short English message"), in
// ascending number order. The enum, resultName, resultMessage and
// resultCodeTable() are all made from it, and the static_asserts below refuse
// a table with a repeated number or name. docs/ledger.md's table is checked
// against it by test/consensus/core/ResultCodeTest.cpp. The codes sit in core,
// not with the ledger, because they are protocol numbers like wire tags: the
// client CLI compares them without linking the ledger.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

// clang-format off
#define AGORA_RESULT_CODES(X) \
    X(Ok, 0, "ok", "ok") \
    /* malformed (check) */ \
    X(WrongChainId, 100, "wrong_chain_id", "tx is for another chain") \
    X(NoMessages, 101, "no_messages", "tx carries no message") \
    X(TooManyMessages, 102, "too_many_messages", "tx carries too many messages") \
    X(MemoTooLong, 103, "memo_too_long", "memo too long") \
    X(TxTooLarge, 104, "tx_too_large", "tx too large") \
    X(BadSignature, 105, "bad_signature", "signature does not verify") \
    X(InvalidSignerKey, 106, "invalid_signer_key", "signer key is not a valid point") \
    X(ZeroAmount, 107, "zero_amount", "amount must be positive") \
    X(InvalidField, 108, "invalid_field", "field out of range") \
    X(UnsortedList, 109, "unsorted_list", "list not strictly sorted by key") \
    X(InvalidRating, 110, "invalid_rating", "rating must be 1..5") \
    X(InvalidCommission, 111, "invalid_commission", "commission must be 0..10000 bps") \
    X(InvalidCloseReason, 112, "invalid_close_reason", "close reason not allowed in a message") \
    X(InvalidDuration, 113, "invalid_duration", "duration out of range") \
    X(InvalidBiddingWindow, 114, "invalid_bidding_window", "bidding window out of range") \
    X(DepositBelowMaxCost, 115, "deposit_below_max_cost", "deposit below max price x duration") \
    X(AmountOverflow, 116, "amount_overflow", "amount arithmetic overflows") \
    X(InvalidResources, 117, "invalid_resources", "resources invalid or empty") \
    X(InvalidAvailability, 118, "invalid_availability", "availability must be 0..10000 bps") \
    X(InvalidConsensusKey, 119, "invalid_consensus_key", "consensus key is not a valid point") \
    X(UnknownParam, 120, "unknown_param", "no ledger parameter has this name") \
    X(InvalidParamValue, 121, "invalid_param_value", "parameter value is not a decimal number in the parameter's range") \
    /* rejected (precheck) */ \
    X(BadNonce, 200, "bad_nonce", "nonce is not the account next nonce") \
    X(FeeTooLow, 201, "fee_too_low", "fee below the minimum fee") \
    X(InsufficientFeeBalance, 202, "insufficient_fee_balance", "balance does not cover the fee") \
    /* failed, fee charged (apply): general */ \
    X(InsufficientFunds, 300, "insufficient_funds", "insufficient funds") \
    X(Overflow, 301, "overflow", "amount overflow in state") \
    /* staking */ \
    X(ValidatorExists, 310, "validator_exists", "validator already exists") \
    X(ValidatorNotFound, 311, "validator_not_found", "validator not found") \
    X(SelfStakeTooLow, 312, "self_stake_too_low", "self stake below the minimum") \
    X(DelegationTooSmall, 313, "delegation_too_small", "delegation smaller than the amount") \
    X(NotJailed, 314, "not_jailed", "validator is not jailed") \
    X(JailPeriodActive, 315, "jail_period_active", "jail period not over") \
    X(Tombstoned, 316, "tombstoned", "validator is tombstoned") \
    X(ConsensusKeyInUse, 317, "consensus_key_in_use", "consensus key already in use") \
    X(ValidatorHasNoTokens, 318, "validator_has_no_tokens", "validator has no tokens left") \
    /* providers */ \
    X(ProviderExists, 320, "provider_exists", "provider already registered") \
    X(ProviderNotFound, 321, "provider_not_found", "provider not found") \
    X(ProviderStakeTooLow, 322, "provider_stake_too_low", "provider stake below the minimum") \
    X(UnbondBelowLeaseNeeds, 323, "unbond_below_lease_needs", "unbond would leave less stake than open leases need") \
    X(OfferNotFound, 324, "offer_not_found", "offer not found") \
    X(CapacityBelowReserved, 325, "capacity_below_reserved", "capacity below what leases reserve") \
    X(TooManyOffers, 326, "too_many_offers", "too many offers") \
    X(OfferLacksGpuModel, 327, "offer_lacks_gpu_model", "offer has no price for a requested gpu model") \
    X(ZeroPrice, 328, "zero_price", "lease price would be zero") \
    /* market */ \
    X(JobNotFound, 330, "job_not_found", "job not found") \
    X(JobNotOpen, 331, "job_not_open", "job is not open") \
    X(NotJobClient, 332, "not_job_client", "signer is not the job client") \
    X(BiddingClosed, 333, "bidding_closed", "bidding window is over") \
    X(PriceAboveMax, 334, "price_above_max", "price above the job max price") \
    X(DuplicateBid, 335, "duplicate_bid", "provider already bid on this job") \
    X(TooManyBids, 336, "too_many_bids", "job has the maximum number of open bids") \
    X(InsufficientCapacity, 337, "insufficient_capacity", "provider lacks free capacity") \
    X(AttributesMismatch, 338, "attributes_mismatch", "provider attributes do not match the job constraints") \
    X(ReputationTooLow, 339, "reputation_too_low", "provider reputation below the job minimum") \
    X(BidNotFound, 340, "bid_not_found", "bid not found") \
    X(BidNotOpen, 341, "bid_not_open", "bid is not open") \
    X(NotBidProvider, 342, "not_bid_provider", "signer is not the bid provider") \
    X(BidDepositTooLow, 343, "bid_deposit_too_low", "bid deposit below the minimum") \
    X(DepositBelowOneSecond, 344, "deposit_below_one_second", "deposit does not cover one second") \
    X(SelfDealing, 345, "self_dealing", "client and provider are the same account") \
    X(DurationTooLong, 346, "duration_too_long", "duration above max_duration_seconds") \
    X(BiddingWindowTooLong, 347, "bidding_window_too_long", "bidding window above max_bidding_window_blocks") \
    /* leases and escrow */ \
    X(LeaseNotFound, 350, "lease_not_found", "lease not found") \
    X(LeaseClosed, 351, "lease_closed", "lease is closed") \
    X(LeaseNotClosed, 352, "lease_not_closed", "lease is not closed") \
    X(NotLeaseParty, 353, "not_lease_party", "signer is neither client nor provider of the lease") \
    X(AlreadySettled, 354, "already_settled", "lease already settled") \
    X(NothingToWithdraw, 355, "nothing_to_withdraw", "nothing accrued to withdraw") \
    X(NotLeaseClient, 356, "not_lease_client", "signer is not the lease client") \
    X(NotLeaseProvider, 357, "not_lease_provider", "signer is not the lease provider") \
    X(CloseReasonNotAllowed, 358, "close_reason_not_allowed", "close reason not allowed for this party") \
    X(StaleUsageReport, 359, "stale_usage_report", "usage report height not after the last one or in the future") \
    /* governance */ \
    X(ProposalNotFound, 370, "proposal_not_found", "proposal not found") \
    X(ProposalNotInDepositPeriod, 371, "proposal_not_in_deposit_period", "proposal is not in its deposit period") \
    X(ProposalNotInVotingPeriod, 372, "proposal_not_in_voting_period", "proposal is not in its voting period") \
    X(InvalidParams, 373, "invalid_params", "the changed parameters are inconsistent") \
    /* staking, continued: commission promises */ \
    X(CommissionAboveMax, 380, "commission_above_max", "commission above the validator's max_commission_bps") \
    X(CommissionChangeTooLarge, 381, "commission_change_too_large", "commission change above the validator's max_commission_change_bps") \
    X(CommissionChangeTooSoon, 382, "commission_change_too_soon", "commission changed less than commission_change_interval_blocks ago") \
    /* market, continued: bid commitments */ \
    X(BidsAboveCapacity, 390, "bids_above_capacity", "open bids would commit more than bid_capacity_multiple x free capacity") \
    X(OfferVersionMismatch, 391, "offer_version_mismatch", "the offer changed since the version the lease names")
// clang-format on

namespace agora {

enum class ResultCode : std::uint16_t {
#define AGORA_RESULT_CODE_ENUMERATOR(id, number, name, message) id = (number),
    AGORA_RESULT_CODES(AGORA_RESULT_CODE_ENUMERATOR)
#undef AGORA_RESULT_CODE_ENUMERATOR
};

enum class ResultGroup : std::uint8_t { Success, Malformed, Rejected, FailedFeeCharged };

struct ResultCodeInfo {
    ResultCode code;
    std::string_view name;     // snake_case, e.g. "bad_nonce"
    std::string_view message;  // short English, stable, for logs and clients
};

namespace detail {
inline constexpr std::array kResultCodes{
#define AGORA_RESULT_CODE_ENTRY(id, number, name, message) ResultCodeInfo{ResultCode::id, name, message},
    AGORA_RESULT_CODES(AGORA_RESULT_CODE_ENTRY)
#undef AGORA_RESULT_CODE_ENTRY
};

consteval bool codesAscending() {
    for (std::size_t i = 1; i < kResultCodes.size(); ++i)
        if (static_cast<std::uint16_t>(kResultCodes[i - 1].code) >= static_cast<std::uint16_t>(kResultCodes[i].code))
            return false;
    return true;
}
consteval bool namesUniqueAndSet() {
    for (std::size_t i = 0; i < kResultCodes.size(); ++i) {
        if (kResultCodes[i].name.empty() || kResultCodes[i].message.empty()) return false;
        for (std::size_t j = i + 1; j < kResultCodes.size(); ++j)
            if (kResultCodes[i].name == kResultCodes[j].name) return false;
    }
    return true;
}
static_assert(codesAscending(), "AGORA_RESULT_CODES: numbers must be unique and listed in ascending order");
static_assert(namesUniqueAndSet(), "AGORA_RESULT_CODES: every code needs a name and a message; names are unique");
}  // namespace detail

// Every code, in ascending number order.
constexpr std::span<const ResultCodeInfo> resultCodeTable() {
    return detail::kResultCodes;
}

// The table's row for a code; nullptr for a number outside the table (a
// ResultCode cast from untrusted input).
constexpr const ResultCodeInfo* findResultCode(ResultCode code) {
    const auto* it = std::lower_bound(detail::kResultCodes.begin(), detail::kResultCodes.end(), code,
                                      [](const ResultCodeInfo& info, ResultCode c) { return info.code < c; });
    return it != detail::kResultCodes.end() && it->code == code ? it : nullptr;
}

constexpr ResultGroup resultGroup(ResultCode code) {
    const auto v = static_cast<std::uint16_t>(code);
    if (v == 0) return ResultGroup::Success;
    if (v < 200) return ResultGroup::Malformed;
    if (v < 300) return ResultGroup::Rejected;
    return ResultGroup::FailedFeeCharged;
}
// Short English message for the code (stable, for logs and clients); "unknown"
// for a number outside the table.
constexpr std::string_view resultMessage(ResultCode code) {
    const auto* info = findResultCode(code);
    return info != nullptr ? info->message : "unknown";
}
// snake_case name, e.g. "bad_nonce"; "unknown" for a number outside the table.
constexpr std::string_view resultName(ResultCode code) {
    const auto* info = findResultCode(code);
    return info != nullptr ? info->name : "unknown";
}

}  // namespace agora
