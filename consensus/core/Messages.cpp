#include "consensus/core/Messages.h"

#include <array>

#include "consensus/core/Fields.h"
#include "consensus/core/Limits.h"

namespace agora {

using codec::limited;
using codec::oneOf;
using codec::sortedList;

namespace {
struct ParamKey {
    const std::string& operator()(const ParamChange& c) const { return c.key; }
};
}  // namespace

// Each message's fields in wire order, once for encoding and decoding
// (consensus/core/Fields.h; the byte layout is docs/encoding.md's).

AGORA_CODEC_FIELDS(MsgSend)
template <typename IO, typename Self>
void MsgSend::fields(IO& io, Self& m) {
    io(m.to, m.amount);
}

AGORA_CODEC_FIELDS(MsgCreateValidator)
template <typename IO, typename Self>
void MsgCreateValidator::fields(IO& io, Self& m) {
    io(m.consensusKey, limited(m.moniker, limits::kMonikerMax, 1), m.commissionBps, m.selfStake, m.maxCommissionBps,
       m.maxCommissionChangeBps);
}

AGORA_CODEC_FIELDS(MsgEditValidator)
template <typename IO, typename Self>
void MsgEditValidator::fields(IO& io, Self& m) {
    io(limited(m.moniker, limits::kMonikerMax, 1), m.commissionBps);
}

AGORA_CODEC_FIELDS(MsgDelegate)
template <typename IO, typename Self>
void MsgDelegate::fields(IO& io, Self& m) {
    io(m.validator, m.amount);
}

AGORA_CODEC_FIELDS(MsgUndelegate)
template <typename IO, typename Self>
void MsgUndelegate::fields(IO& io, Self& m) {
    io(m.validator, m.amount);
}

AGORA_CODEC_FIELDS(MsgUnjail)
template <typename IO, typename Self>
void MsgUnjail::fields(IO&, Self&) {}

AGORA_CODEC_FIELDS(MsgProviderRegister)
template <typename IO, typename Self>
void MsgProviderRegister::fields(IO& io, Self& m) {
    io(limited(m.hostUri, limits::kHostUriMax, 1), sortedList(m.attributes, limits::kAttributesMax, AttributeKey{}),
       m.capacity, m.stake);
}

AGORA_CODEC_FIELDS(MsgProviderUpdate)
template <typename IO, typename Self>
void MsgProviderUpdate::fields(IO& io, Self& m) {
    io(limited(m.hostUri, limits::kHostUriMax, 1), sortedList(m.attributes, limits::kAttributesMax, AttributeKey{}),
       m.capacity, m.addStake);
}

AGORA_CODEC_FIELDS(MsgProviderUnbond)
template <typename IO, typename Self>
void MsgProviderUnbond::fields(IO& io, Self& m) {
    io(m.amount);
}

AGORA_CODEC_FIELDS(MsgOfferSet)
template <typename IO, typename Self>
void MsgOfferSet::fields(IO& io, Self& m) {
    io(m.offerId, m.prices);
}

AGORA_CODEC_FIELDS(MsgOfferRemove)
template <typename IO, typename Self>
void MsgOfferRemove::fields(IO& io, Self& m) {
    io(m.offerId);
}

AGORA_CODEC_FIELDS(MsgJobCreate)
template <typename IO, typename Self>
void MsgJobCreate::fields(IO& io, Self& m) {
    io(m.resources, sortedList(m.constraints, limits::kAttributesMax, AttributeKey{}), m.maxPricePerSecond,
       m.durationSeconds, m.biddingWindowBlocks, m.minReputation, m.deposit, m.manifestHash);
}

AGORA_CODEC_FIELDS(MsgJobCancel)
template <typename IO, typename Self>
void MsgJobCancel::fields(IO& io, Self& m) {
    io(m.jobId);
}

AGORA_CODEC_FIELDS(MsgBidPlace)
template <typename IO, typename Self>
void MsgBidPlace::fields(IO& io, Self& m) {
    io(m.jobId, m.pricePerSecond, m.deposit);
}

AGORA_CODEC_FIELDS(MsgBidWithdraw)
template <typename IO, typename Self>
void MsgBidWithdraw::fields(IO& io, Self& m) {
    io(m.bidId);
}

AGORA_CODEC_FIELDS(MsgBidAccept)
template <typename IO, typename Self>
void MsgBidAccept::fields(IO& io, Self& m) {
    io(m.bidId);
}

AGORA_CODEC_FIELDS(MsgLeaseFromOffer)
template <typename IO, typename Self>
void MsgLeaseFromOffer::fields(IO& io, Self& m) {
    io(m.provider, m.offerId, m.resources, m.durationSeconds, m.deposit, m.manifestHash, m.maxPricePerSecond,
       m.offerVersion);
}

AGORA_CODEC_FIELDS(MsgLeaseTopUp)
template <typename IO, typename Self>
void MsgLeaseTopUp::fields(IO& io, Self& m) {
    io(m.leaseId, m.amount);
}

AGORA_CODEC_FIELDS(MsgLeaseSetAutoTopUp)
template <typename IO, typename Self>
void MsgLeaseSetAutoTopUp::fields(IO& io, Self& m) {
    io(m.leaseId, m.perTopUp, m.cap);
}

AGORA_CODEC_FIELDS(MsgUsageReport)
template <typename IO, typename Self>
void MsgUsageReport::fields(IO& io, Self& m) {
    io(m.leaseId, m.upToHeight, m.availabilityBps, m.metricsHash);
}

AGORA_CODEC_FIELDS(MsgLeaseClose)
template <typename IO, typename Self>
void MsgLeaseClose::fields(IO& io, Self& m) {
    io(m.leaseId, oneOf(m.reason, 0, kCloseReasonMax));
}

AGORA_CODEC_FIELDS(MsgLeaseSettle)
template <typename IO, typename Self>
void MsgLeaseSettle::fields(IO& io, Self& m) {
    io(m.leaseId, m.rating);
}

AGORA_CODEC_FIELDS(MsgProviderWithdraw)
template <typename IO, typename Self>
void MsgProviderWithdraw::fields(IO& io, Self& m) {
    io(m.leaseId);
}

AGORA_CODEC_FIELDS(ParamChange)
template <typename IO, typename Self>
void ParamChange::fields(IO& io, Self& m) {
    io(limited(m.key, limits::kParamKeyMax, 1), limited(m.value, limits::kParamValueMax, 1));
}

AGORA_CODEC_FIELDS(MsgGovSubmit)
template <typename IO, typename Self>
void MsgGovSubmit::fields(IO& io, Self& m) {
    // Sorted by key, no key twice: one canonical encoding of a set of changes.
    io(limited(m.title, limits::kProposalTitleMax), sortedList(m.changes, limits::kParamChangesMax, ParamKey{}),
       m.deposit);
}

AGORA_CODEC_FIELDS(MsgGovDeposit)
template <typename IO, typename Self>
void MsgGovDeposit::fields(IO& io, Self& m) {
    io(m.proposalId, m.amount);
}

AGORA_CODEC_FIELDS(MsgGovVote)
template <typename IO, typename Self>
void MsgGovVote::fields(IO& io, Self& m) {
    io(m.proposalId, oneOf(m.option, kVoteOptionMin, kVoteOptionMax));
}

MsgType msgType(const Msg& msg) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, msg);
}

namespace {
struct NamedType {
    MsgType type;
    std::string_view name;
};
constexpr std::array<NamedType, std::variant_size_v<Msg>> kNames{{
    {MsgType::Send, "send"},
    {MsgType::CreateValidator, "create_validator"},
    {MsgType::EditValidator, "edit_validator"},
    {MsgType::Delegate, "delegate"},
    {MsgType::Undelegate, "undelegate"},
    {MsgType::Unjail, "unjail"},
    {MsgType::ProviderRegister, "provider_register"},
    {MsgType::ProviderUpdate, "provider_update"},
    {MsgType::ProviderUnbond, "provider_unbond"},
    {MsgType::OfferSet, "offer_set"},
    {MsgType::OfferRemove, "offer_remove"},
    {MsgType::JobCreate, "job_create"},
    {MsgType::JobCancel, "job_cancel"},
    {MsgType::BidPlace, "bid_place"},
    {MsgType::BidWithdraw, "bid_withdraw"},
    {MsgType::BidAccept, "bid_accept"},
    {MsgType::LeaseFromOffer, "lease_from_offer"},
    {MsgType::LeaseTopUp, "lease_top_up"},
    {MsgType::UsageReport, "usage_report"},
    {MsgType::LeaseClose, "lease_close"},
    {MsgType::LeaseSettle, "lease_settle"},
    {MsgType::ProviderWithdraw, "provider_withdraw"},
    {MsgType::GovSubmit, "gov_submit"},
    {MsgType::GovDeposit, "gov_deposit"},
    {MsgType::GovVote, "gov_vote"},
    {MsgType::LeaseSetAutoTopUp, "lease_set_auto_top_up"},
}};

template <std::size_t I = 0>
Msg decodeByTag(std::uint8_t tag, Reader& r) {
    if constexpr (I == std::variant_size_v<Msg>) {
        r.fail(CodecError::UnknownTag);
        return MsgUnjail{};
    } else {
        using T = std::variant_alternative_t<I, Msg>;
        if (tag == static_cast<std::uint8_t>(T::kType)) return T::decodeFrom(r);
        return decodeByTag<I + 1>(tag, r);
    }
}
}  // namespace

std::string_view msgTypeName(MsgType type) {
    for (const auto& n : kNames)
        if (n.type == type) return n.name;
    return "unknown";
}

std::optional<MsgType> msgTypeFromName(std::string_view name) {
    for (const auto& n : kNames)
        if (n.name == name) return n.type;
    return std::nullopt;
}

void encodeMsg(Writer& w, const Msg& msg) {
    w.u8(static_cast<std::uint8_t>(msgType(msg)));
    std::visit([&w](const auto& m) { m.encodeTo(w); }, msg);
}

Msg decodeMsg(Reader& r) {
    const std::uint8_t tag = r.u8();
    if (!r.ok()) return MsgUnjail{};
    return decodeByTag(tag, r);
}

std::string_view voteOptionName(VoteOption o) {
    switch (o) {
        case VoteOption::Yes:
            return "yes";
        case VoteOption::Abstain:
            return "abstain";
        case VoteOption::No:
            return "no";
        case VoteOption::NoWithVeto:
            return "no_with_veto";
    }
    return "unknown";
}

std::optional<VoteOption> voteOptionFromName(std::string_view name) {
    for (std::uint8_t i = kVoteOptionMin; i <= kVoteOptionMax; ++i) {
        const auto o = static_cast<VoteOption>(i);
        if (voteOptionName(o) == name) return o;
    }
    return std::nullopt;
}

}  // namespace agora
