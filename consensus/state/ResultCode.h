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

#include <cstdint>
#include <string_view>

namespace agora::state {

enum class ResultCode : std::uint16_t {
    Ok = 0,

    // malformed (check)
    WrongChainId = 100,
    NoMessages = 101,
    TooManyMessages = 102,
    MemoTooLong = 103,
    TxTooLarge = 104,
    BadSignature = 105,
    InvalidSignerKey = 106,
    ZeroAmount = 107,
    InvalidField = 108,
    UnsortedList = 109,
    InvalidRating = 110,
    InvalidCommission = 111,
    InvalidCloseReason = 112,
    InvalidDuration = 113,
    InvalidBiddingWindow = 114,
    DepositBelowMaxCost = 115,
    AmountOverflow = 116,
    InvalidResources = 117,
    InvalidAvailability = 118,
    InvalidConsensusKey = 119,
    UnknownParam = 120,
    InvalidParamValue = 121,

    // rejected (precheck)
    BadNonce = 200,
    FeeTooLow = 201,
    InsufficientFeeBalance = 202,

    // failed, fee charged (apply): general
    InsufficientFunds = 300,
    Overflow = 301,
    // staking
    ValidatorExists = 310,
    ValidatorNotFound = 311,
    SelfStakeTooLow = 312,
    DelegationTooSmall = 313,
    NotJailed = 314,
    JailPeriodActive = 315,
    Tombstoned = 316,
    ConsensusKeyInUse = 317,
    ValidatorHasNoTokens = 318,
    // providers
    ProviderExists = 320,
    ProviderNotFound = 321,
    ProviderStakeTooLow = 322,
    UnbondBelowLeaseNeeds = 323,
    OfferNotFound = 324,
    CapacityBelowReserved = 325,
    TooManyOffers = 326,
    OfferLacksGpuModel = 327,
    ZeroPrice = 328,
    // market
    JobNotFound = 330,
    JobNotOpen = 331,
    NotJobClient = 332,
    BiddingClosed = 333,
    PriceAboveMax = 334,
    DuplicateBid = 335,
    TooManyBids = 336,
    InsufficientCapacity = 337,
    AttributesMismatch = 338,
    ReputationTooLow = 339,
    BidNotFound = 340,
    BidNotOpen = 341,
    NotBidProvider = 342,
    BidDepositTooLow = 343,
    DepositBelowOneBlock = 344,
    SelfDealing = 345,
    DurationTooLong = 346,
    BiddingWindowTooLong = 347,
    // leases and escrow
    LeaseNotFound = 350,
    LeaseClosed = 351,
    LeaseNotClosed = 352,
    NotLeaseParty = 353,
    AlreadySettled = 354,
    NothingToWithdraw = 355,
    NotLeaseClient = 356,
    NotLeaseProvider = 357,
    CloseReasonNotAllowed = 358,
    StaleUsageReport = 359,
    // governance
    ProposalNotFound = 370,
    ProposalNotInDepositPeriod = 371,
    ProposalNotInVotingPeriod = 372,
    InvalidParams = 373,
    // staking, continued: commission promises
    CommissionAboveMax = 380,
    CommissionChangeTooLarge = 381,
    CommissionChangeTooSoon = 382,
};

enum class ResultGroup : std::uint8_t { Success, Malformed, Rejected, FailedFeeCharged };

ResultGroup resultGroup(ResultCode code);
// Short English message for the code (stable, for logs and clients).
std::string_view resultMessage(ResultCode code);
// snake_case name, e.g. "bad_nonce".
std::string_view resultName(ResultCode code);

}  // namespace agora::state
