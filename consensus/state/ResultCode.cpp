#include "consensus/state/ResultCode.h"

namespace agora::state {

ResultGroup resultGroup(ResultCode code) {
    const auto v = static_cast<std::uint16_t>(code);
    if (v == 0) return ResultGroup::Success;
    if (v < 200) return ResultGroup::Malformed;
    if (v < 300) return ResultGroup::Rejected;
    return ResultGroup::FailedFeeCharged;
}

std::string_view resultMessage(ResultCode code) {
    switch (code) {
        case ResultCode::Ok:
            return "ok";
        case ResultCode::WrongChainId:
            return "tx is for another chain";
        case ResultCode::NoMessages:
            return "tx carries no message";
        case ResultCode::TooManyMessages:
            return "tx carries too many messages";
        case ResultCode::MemoTooLong:
            return "memo too long";
        case ResultCode::TxTooLarge:
            return "tx too large";
        case ResultCode::BadSignature:
            return "signature does not verify";
        case ResultCode::InvalidSignerKey:
            return "signer key is not a valid point";
        case ResultCode::ZeroAmount:
            return "amount must be positive";
        case ResultCode::InvalidField:
            return "field out of range";
        case ResultCode::UnsortedList:
            return "list not strictly sorted by key";
        case ResultCode::InvalidRating:
            return "rating must be 1..5";
        case ResultCode::InvalidCommission:
            return "commission must be 0..10000 bps";
        case ResultCode::InvalidCloseReason:
            return "close reason not allowed in a message";
        case ResultCode::InvalidDuration:
            return "duration out of range";
        case ResultCode::InvalidBiddingWindow:
            return "bidding window out of range";
        case ResultCode::DepositBelowMaxCost:
            return "deposit below max price x duration";
        case ResultCode::AmountOverflow:
            return "amount arithmetic overflows";
        case ResultCode::InvalidResources:
            return "resources invalid or empty";
        case ResultCode::InvalidAvailability:
            return "availability must be 0..10000 bps";
        case ResultCode::InvalidConsensusKey:
            return "consensus key is not a valid point";
        case ResultCode::BadNonce:
            return "nonce is not the account next nonce";
        case ResultCode::FeeTooLow:
            return "fee below the minimum fee";
        case ResultCode::InsufficientFeeBalance:
            return "balance does not cover the fee";
        case ResultCode::InsufficientFunds:
            return "insufficient funds";
        case ResultCode::Overflow:
            return "amount overflow in state";
        case ResultCode::ValidatorExists:
            return "validator already exists";
        case ResultCode::ValidatorNotFound:
            return "validator not found";
        case ResultCode::SelfStakeTooLow:
            return "self stake below the minimum";
        case ResultCode::DelegationTooSmall:
            return "delegation smaller than the amount";
        case ResultCode::NotJailed:
            return "validator is not jailed";
        case ResultCode::JailPeriodActive:
            return "jail period not over";
        case ResultCode::Tombstoned:
            return "validator is tombstoned";
        case ResultCode::ConsensusKeyInUse:
            return "consensus key already in use";
        case ResultCode::ValidatorHasNoTokens:
            return "validator has no tokens left";
        case ResultCode::ProviderExists:
            return "provider already registered";
        case ResultCode::ProviderNotFound:
            return "provider not found";
        case ResultCode::ProviderStakeTooLow:
            return "provider stake below the minimum";
        case ResultCode::UnbondBelowLeaseNeeds:
            return "unbond would leave less stake than open leases need";
        case ResultCode::OfferNotFound:
            return "offer not found";
        case ResultCode::CapacityBelowReserved:
            return "capacity below what leases reserve";
        case ResultCode::TooManyOffers:
            return "too many offers";
        case ResultCode::OfferLacksGpuModel:
            return "offer has no price for a requested gpu model";
        case ResultCode::ZeroPrice:
            return "lease price would be zero";
        case ResultCode::JobNotFound:
            return "job not found";
        case ResultCode::JobNotOpen:
            return "job is not open";
        case ResultCode::NotJobClient:
            return "signer is not the job client";
        case ResultCode::BiddingClosed:
            return "bidding window is over";
        case ResultCode::PriceAboveMax:
            return "price above the job max price";
        case ResultCode::DuplicateBid:
            return "provider already bid on this job";
        case ResultCode::TooManyBids:
            return "job has the maximum number of open bids";
        case ResultCode::InsufficientCapacity:
            return "provider lacks free capacity";
        case ResultCode::AttributesMismatch:
            return "provider attributes do not match the job constraints";
        case ResultCode::ReputationTooLow:
            return "provider reputation below the job minimum";
        case ResultCode::BidNotFound:
            return "bid not found";
        case ResultCode::BidNotOpen:
            return "bid is not open";
        case ResultCode::NotBidProvider:
            return "signer is not the bid provider";
        case ResultCode::BidDepositTooLow:
            return "bid deposit below the minimum";
        case ResultCode::DepositBelowOneBlock:
            return "deposit does not cover one block";
        case ResultCode::SelfDealing:
            return "client and provider are the same account";
        case ResultCode::DurationTooLong:
            return "duration above max_duration_blocks";
        case ResultCode::BiddingWindowTooLong:
            return "bidding window above max_bidding_window_blocks";
        case ResultCode::LeaseNotFound:
            return "lease not found";
        case ResultCode::LeaseClosed:
            return "lease is closed";
        case ResultCode::LeaseNotClosed:
            return "lease is not closed";
        case ResultCode::NotLeaseParty:
            return "signer is neither client nor provider of the lease";
        case ResultCode::AlreadySettled:
            return "lease already settled";
        case ResultCode::NothingToWithdraw:
            return "nothing accrued to withdraw";
        case ResultCode::NotLeaseClient:
            return "signer is not the lease client";
        case ResultCode::NotLeaseProvider:
            return "signer is not the lease provider";
        case ResultCode::CloseReasonNotAllowed:
            return "close reason not allowed for this party";
        case ResultCode::StaleUsageReport:
            return "usage report height not after the last one or in the future";
        case ResultCode::CommissionAboveMax:
            return "commission above the validator's max_commission_bps";
        case ResultCode::CommissionChangeTooLarge:
            return "commission change above the validator's max_commission_change_bps";
        case ResultCode::CommissionChangeTooSoon:
            return "commission changed less than commission_change_interval_blocks ago";
        case ResultCode::UnknownParam:
            return "no ledger parameter has this name";
        case ResultCode::InvalidParamValue:
            return "parameter value is not a decimal number in the parameter's range";
        case ResultCode::ProposalNotFound:
            return "proposal not found";
        case ResultCode::ProposalNotInDepositPeriod:
            return "proposal is not in its deposit period";
        case ResultCode::ProposalNotInVotingPeriod:
            return "proposal is not in its voting period";
        case ResultCode::InvalidParams:
            return "the changed parameters are inconsistent";
    }
    return "unknown";
}

std::string_view resultName(ResultCode code) {
    switch (code) {
        case ResultCode::Ok:
            return "ok";
        case ResultCode::WrongChainId:
            return "wrong_chain_id";
        case ResultCode::NoMessages:
            return "no_messages";
        case ResultCode::TooManyMessages:
            return "too_many_messages";
        case ResultCode::MemoTooLong:
            return "memo_too_long";
        case ResultCode::TxTooLarge:
            return "tx_too_large";
        case ResultCode::BadSignature:
            return "bad_signature";
        case ResultCode::InvalidSignerKey:
            return "invalid_signer_key";
        case ResultCode::ZeroAmount:
            return "zero_amount";
        case ResultCode::InvalidField:
            return "invalid_field";
        case ResultCode::UnsortedList:
            return "unsorted_list";
        case ResultCode::InvalidRating:
            return "invalid_rating";
        case ResultCode::InvalidCommission:
            return "invalid_commission";
        case ResultCode::InvalidCloseReason:
            return "invalid_close_reason";
        case ResultCode::InvalidDuration:
            return "invalid_duration";
        case ResultCode::InvalidBiddingWindow:
            return "invalid_bidding_window";
        case ResultCode::DepositBelowMaxCost:
            return "deposit_below_max_cost";
        case ResultCode::AmountOverflow:
            return "amount_overflow";
        case ResultCode::InvalidResources:
            return "invalid_resources";
        case ResultCode::InvalidAvailability:
            return "invalid_availability";
        case ResultCode::InvalidConsensusKey:
            return "invalid_consensus_key";
        case ResultCode::BadNonce:
            return "bad_nonce";
        case ResultCode::FeeTooLow:
            return "fee_too_low";
        case ResultCode::InsufficientFeeBalance:
            return "insufficient_fee_balance";
        case ResultCode::InsufficientFunds:
            return "insufficient_funds";
        case ResultCode::Overflow:
            return "overflow";
        case ResultCode::ValidatorExists:
            return "validator_exists";
        case ResultCode::ValidatorNotFound:
            return "validator_not_found";
        case ResultCode::SelfStakeTooLow:
            return "self_stake_too_low";
        case ResultCode::DelegationTooSmall:
            return "delegation_too_small";
        case ResultCode::NotJailed:
            return "not_jailed";
        case ResultCode::JailPeriodActive:
            return "jail_period_active";
        case ResultCode::Tombstoned:
            return "tombstoned";
        case ResultCode::ConsensusKeyInUse:
            return "consensus_key_in_use";
        case ResultCode::ValidatorHasNoTokens:
            return "validator_has_no_tokens";
        case ResultCode::ProviderExists:
            return "provider_exists";
        case ResultCode::ProviderNotFound:
            return "provider_not_found";
        case ResultCode::ProviderStakeTooLow:
            return "provider_stake_too_low";
        case ResultCode::UnbondBelowLeaseNeeds:
            return "unbond_below_lease_needs";
        case ResultCode::OfferNotFound:
            return "offer_not_found";
        case ResultCode::CapacityBelowReserved:
            return "capacity_below_reserved";
        case ResultCode::TooManyOffers:
            return "too_many_offers";
        case ResultCode::OfferLacksGpuModel:
            return "offer_lacks_gpu_model";
        case ResultCode::ZeroPrice:
            return "zero_price";
        case ResultCode::JobNotFound:
            return "job_not_found";
        case ResultCode::JobNotOpen:
            return "job_not_open";
        case ResultCode::NotJobClient:
            return "not_job_client";
        case ResultCode::BiddingClosed:
            return "bidding_closed";
        case ResultCode::PriceAboveMax:
            return "price_above_max";
        case ResultCode::DuplicateBid:
            return "duplicate_bid";
        case ResultCode::TooManyBids:
            return "too_many_bids";
        case ResultCode::InsufficientCapacity:
            return "insufficient_capacity";
        case ResultCode::AttributesMismatch:
            return "attributes_mismatch";
        case ResultCode::ReputationTooLow:
            return "reputation_too_low";
        case ResultCode::BidNotFound:
            return "bid_not_found";
        case ResultCode::BidNotOpen:
            return "bid_not_open";
        case ResultCode::NotBidProvider:
            return "not_bid_provider";
        case ResultCode::BidDepositTooLow:
            return "bid_deposit_too_low";
        case ResultCode::DepositBelowOneBlock:
            return "deposit_below_one_block";
        case ResultCode::SelfDealing:
            return "self_dealing";
        case ResultCode::DurationTooLong:
            return "duration_too_long";
        case ResultCode::BiddingWindowTooLong:
            return "bidding_window_too_long";
        case ResultCode::LeaseNotFound:
            return "lease_not_found";
        case ResultCode::LeaseClosed:
            return "lease_closed";
        case ResultCode::LeaseNotClosed:
            return "lease_not_closed";
        case ResultCode::NotLeaseParty:
            return "not_lease_party";
        case ResultCode::AlreadySettled:
            return "already_settled";
        case ResultCode::NothingToWithdraw:
            return "nothing_to_withdraw";
        case ResultCode::NotLeaseClient:
            return "not_lease_client";
        case ResultCode::NotLeaseProvider:
            return "not_lease_provider";
        case ResultCode::CloseReasonNotAllowed:
            return "close_reason_not_allowed";
        case ResultCode::StaleUsageReport:
            return "stale_usage_report";
        case ResultCode::CommissionAboveMax:
            return "commission_above_max";
        case ResultCode::CommissionChangeTooLarge:
            return "commission_change_too_large";
        case ResultCode::CommissionChangeTooSoon:
            return "commission_change_too_soon";
        case ResultCode::UnknownParam:
            return "unknown_param";
        case ResultCode::InvalidParamValue:
            return "invalid_param_value";
        case ResultCode::ProposalNotFound:
            return "proposal_not_found";
        case ResultCode::ProposalNotInDepositPeriod:
            return "proposal_not_in_deposit_period";
        case ResultCode::ProposalNotInVotingPeriod:
            return "proposal_not_in_voting_period";
        case ResultCode::InvalidParams:
            return "invalid_params";
    }
    return "unknown";
}

}  // namespace agora::state
