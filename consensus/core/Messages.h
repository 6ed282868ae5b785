#pragma once
// Every message a transaction can carry. The wire tag (MsgType) is a stable
// byte; never renumber. Behaviour lives in contracts/; this file only fixes
// the fields and their canonical encoding (docs/encoding.md).
//
// The sender of every message is the tx signer: a message never names its
// own author.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/MarketTypes.h"
#include "consensus/core/PublicKey.h"

namespace agora {

enum class MsgType : std::uint8_t {
    // bank
    Send = 0x01,
    // staking
    CreateValidator = 0x10,
    EditValidator = 0x11,
    Delegate = 0x12,
    Undelegate = 0x13,
    Unjail = 0x14,
    // providers
    ProviderRegister = 0x20,
    ProviderUpdate = 0x21,
    ProviderUnbond = 0x22,
    OfferSet = 0x23,
    OfferRemove = 0x24,
    // market
    JobCreate = 0x30,
    JobCancel = 0x31,
    BidPlace = 0x32,
    BidWithdraw = 0x33,
    BidAccept = 0x34,
    LeaseFromOffer = 0x35,
    // leases
    LeaseTopUp = 0x40,
    UsageReport = 0x41,
    LeaseClose = 0x42,
    LeaseSettle = 0x43,
    ProviderWithdraw = 0x44,
    LeaseSetAutoTopUp = 0x45,
    // governance
    GovSubmit = 0x50,
    GovDeposit = 0x51,
    GovVote = 0x52,
};

// A governance vote (the numbering of Cosmos SDK's gov module).
enum class VoteOption : std::uint8_t { Yes = 1, Abstain = 2, No = 3, NoWithVeto = 4 };
inline constexpr std::uint8_t kVoteOptionMin = 1;
inline constexpr std::uint8_t kVoteOptionMax = 4;
// "yes", "abstain", "no", "no_with_veto": the names in events, queries and the CLI.
std::string_view voteOptionName(VoteOption o);
std::optional<VoteOption> voteOptionFromName(std::string_view name);

// One parameter a proposal changes: its genesis name and the new value in
// decimal (amounts in uagr), e.g. {"min_fee", "2000"}.
struct ParamChange {
    std::string key;    // 1..64
    std::string value;  // 1..64
    AGORA_CODEC_FIELDS_DECL(ParamChange);
    bool operator==(const ParamChange&) const = default;
};

// Each message lists its fields once (Messages.cpp), for both directions.
#define AGORA_MSG_CODEC(Name)                       \
    static constexpr MsgType kType = MsgType::Name; \
    AGORA_CODEC_FIELDS_DECL(Msg##Name);             \
    bool operator==(const Msg##Name&) const = default

// Moves `amount` from the signer to `to`.
struct MsgSend {
    Address to;
    Amount amount;
    AGORA_MSG_CODEC(Send);
};

// Makes the signer a validator with a consensus key and a self-delegation.
struct MsgCreateValidator {
    PublicKey consensusKey;
    std::string moniker;              // 1..64
    std::uint32_t commissionBps = 0;  // 0..10000
    Amount selfStake;
    // Promises to delegators, fixed for the validator's life (as Cosmos'
    // max_rate and max_change_rate): commission never above maxCommissionBps,
    // and each edit moves it by at most maxCommissionChangeBps, at most once
    // per commission_change_interval_blocks.
    std::uint32_t maxCommissionBps = 10'000;        // commissionBps..10000
    std::uint32_t maxCommissionChangeBps = 10'000;  // 0..maxCommissionBps
    AGORA_MSG_CODEC(CreateValidator);
};

struct MsgEditValidator {
    std::optional<std::string> moniker;
    std::optional<std::uint32_t> commissionBps;
    AGORA_MSG_CODEC(EditValidator);
};

struct MsgDelegate {
    Address validator;  // operator address
    Amount amount;
    AGORA_MSG_CODEC(Delegate);
};

// Starts unbonding `amount` of the signer's delegation; paid out after unbonding_blocks.
struct MsgUndelegate {
    Address validator;
    Amount amount;
    AGORA_MSG_CODEC(Undelegate);
};

// Returns the signer's jailed validator to the active set after the jail period.
struct MsgUnjail {
    AGORA_MSG_CODEC(Unjail);
};

// Registers the signer as a compute provider, bonding `stake`.
struct MsgProviderRegister {
    std::string hostUri;                // 1..256
    std::vector<Attribute> attributes;  // sorted by key
    Resources capacity;
    Amount stake;
    AGORA_MSG_CODEC(ProviderRegister);
};

// Changes what is present; `addStake` may be zero.
struct MsgProviderUpdate {
    std::optional<std::string> hostUri;
    std::optional<std::vector<Attribute>> attributes;
    std::optional<Resources> capacity;
    Amount addStake;
    AGORA_MSG_CODEC(ProviderUpdate);
};

// Starts unbonding `amount` of provider stake.
struct MsgProviderUnbond {
    Amount amount;
    AGORA_MSG_CODEC(ProviderUnbond);
};

// Creates or replaces the signer's standing offer `offerId`.
struct MsgOfferSet {
    std::uint32_t offerId = 0;
    PriceSchedule prices;
    AGORA_MSG_CODEC(OfferSet);
};

struct MsgOfferRemove {
    std::uint32_t offerId = 0;
    AGORA_MSG_CODEC(OfferRemove);
};

// Posts a job; `deposit` (>= maxPricePerSecond x durationSeconds) moves into escrow.
struct MsgJobCreate {
    Resources resources;
    std::vector<Attribute> constraints;  // required provider attributes, sorted by key
    Amount maxPricePerSecond;
    std::uint64_t durationSeconds = 0;
    std::uint64_t biddingWindowBlocks = 0;
    std::uint32_t minReputation = 0;  // fixed point (see contracts/reputation); 0 = any
    Amount deposit;
    Hash256 manifestHash;  // canonical hash of the workload manifest (docs/manifest.md); zero = none
    AGORA_MSG_CODEC(JobCreate);
};

struct MsgJobCancel {
    std::uint64_t jobId = 0;
    AGORA_MSG_CODEC(JobCancel);
};

struct MsgBidPlace {
    std::uint64_t jobId = 0;
    Amount pricePerSecond;
    Amount deposit;  // anti-spam bid deposit, refunded when the bid closes
    AGORA_MSG_CODEC(BidPlace);
};

struct MsgBidWithdraw {
    std::uint64_t bidId = 0;
    AGORA_MSG_CODEC(BidWithdraw);
};

// The job's client accepts a bid: a lease is recorded, other bids close.
struct MsgBidAccept {
    std::uint64_t bidId = 0;
    AGORA_MSG_CODEC(BidAccept);
};

// "Lease now" at a provider's standing offer, without a bidding round.
struct MsgLeaseFromOffer {
    Address provider;
    std::uint32_t offerId = 0;
    Resources resources;
    std::uint64_t durationSeconds = 0;
    Amount deposit;
    Hash256 manifestHash;  // as in MsgJobCreate; carried by the lease
    // The most the client pays per second: refused when the offer prices the
    // resources higher, so a provider cannot re-price the offer in front of
    // a waiting lease_from_offer and take the deposit in one block.
    Amount maxPricePerSecond;
    // The offer's version the client read (>= 1; it grows on every offer_set):
    // refused when the offer changed since, whatever the new prices.
    std::uint64_t offerVersion = 0;
    AGORA_MSG_CODEC(LeaseFromOffer);
};

struct MsgLeaseTopUp {
    std::uint64_t leaseId = 0;
    Amount amount;
    AGORA_MSG_CODEC(LeaseTopUp);
};

// The client's standing allowance for a lease: whenever the lease's escrow
// would run dry, the ledger moves min(perTopUp, what is left of cap, the
// client's balance) from the client's balance into the escrow, until `cap`
// has been pulled in all. Replaces an earlier allowance; cap 0 removes it.
struct MsgLeaseSetAutoTopUp {
    std::uint64_t leaseId = 0;
    Amount perTopUp;  // > 0 unless cap is 0
    Amount cap;       // the most pulled in all; 0 = no allowance
    AGORA_MSG_CODEC(LeaseSetAutoTopUp);
};

// Provider's usage/availability report for a lease up to a height.
struct MsgUsageReport {
    std::uint64_t leaseId = 0;
    std::uint64_t upToHeight = 0;
    std::uint32_t availabilityBps = 0;  // 0..10000
    Hash256 metricsHash;                // digest of the off-chain usage record
    AGORA_MSG_CODEC(UsageReport);
};

struct MsgLeaseClose {
    std::uint64_t leaseId = 0;
    CloseReason reason = CloseReason::Completed;
    AGORA_MSG_CODEC(LeaseClose);
};

// The client settles a closed lease and rates the provider (1..5).
struct MsgLeaseSettle {
    std::uint64_t leaseId = 0;
    std::uint8_t rating = 0;
    AGORA_MSG_CODEC(LeaseSettle);
};

// The provider withdraws what has accrued on a lease.
struct MsgProviderWithdraw {
    std::uint64_t leaseId = 0;
    AGORA_MSG_CODEC(ProviderWithdraw);
};

// Proposes parameter changes; `deposit` (> 0) moves into the proposal. The
// vote opens once the deposits reach gov_min_deposit.
struct MsgGovSubmit {
    std::string title;                 // 0..140
    std::vector<ParamChange> changes;  // 1..16, sorted by key, no repeats
    Amount deposit;
    AGORA_MSG_CODEC(GovSubmit);
};

// Adds to a proposal's deposit while it is in its deposit period.
struct MsgGovDeposit {
    std::uint64_t proposalId = 0;
    Amount amount;
    AGORA_MSG_CODEC(GovDeposit);
};

// Votes (or changes the signer's vote) on a proposal in its voting period.
struct MsgGovVote {
    std::uint64_t proposalId = 0;
    VoteOption option = VoteOption::Yes;
    AGORA_MSG_CODEC(GovVote);
};

#undef AGORA_MSG_CODEC

using Msg = std::variant<MsgSend, MsgCreateValidator, MsgEditValidator, MsgDelegate, MsgUndelegate, MsgUnjail,
                         MsgProviderRegister, MsgProviderUpdate, MsgProviderUnbond, MsgOfferSet, MsgOfferRemove,
                         MsgJobCreate, MsgJobCancel, MsgBidPlace, MsgBidWithdraw, MsgBidAccept, MsgLeaseFromOffer,
                         MsgLeaseTopUp, MsgUsageReport, MsgLeaseClose, MsgLeaseSettle, MsgProviderWithdraw,
                         MsgGovSubmit, MsgGovDeposit, MsgGovVote, MsgLeaseSetAutoTopUp>;

MsgType msgType(const Msg& msg);
// Lower-snake name, e.g. "job_create"; used in events, logs and JSON.
std::string_view msgTypeName(MsgType type);
std::optional<MsgType> msgTypeFromName(std::string_view name);

// A message on the wire: tag byte then the message's fields.
void encodeMsg(Writer& w, const Msg& msg);
Msg decodeMsg(Reader& r);
// The same, as a field of another type (codec::Encoder / codec::Decoder).
inline void encodeField(Writer& w, const Msg& msg) {
    encodeMsg(w, msg);
}
inline void decodeField(Reader& r, Msg& msg) {
    msg = decodeMsg(r);
}

}  // namespace agora
