#include "consensus/core/Messages.h"

#include <array>

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"

namespace agora {

using codec::getAddress;
using codec::getAmount;
using codec::put;

namespace {
void putString(Writer& w, const std::string& s) {
    w.string(s);
}
void putU32(Writer& w, std::uint32_t v) {
    w.u32(v);
}
void putResources(Writer& w, const Resources& r) {
    r.encodeTo(w);
}
}  // namespace

void MsgSend::encodeTo(Writer& w) const {
    put(w, to);
    put(w, amount);
}
MsgSend MsgSend::decodeFrom(Reader& r) {
    MsgSend m;
    m.to = getAddress(r);
    m.amount = getAmount(r);
    return m;
}

void MsgCreateValidator::encodeTo(Writer& w) const {
    put(w, consensusKey);
    w.string(moniker);
    w.u32(commissionBps);
    put(w, selfStake);
    w.u32(maxCommissionBps);
    w.u32(maxCommissionChangeBps);
}
MsgCreateValidator MsgCreateValidator::decodeFrom(Reader& r) {
    MsgCreateValidator m;
    m.consensusKey = codec::getPublicKey(r);
    m.moniker = r.string(limits::kMonikerMax, 1);
    m.commissionBps = r.u32();
    m.selfStake = getAmount(r);
    m.maxCommissionBps = r.u32();
    m.maxCommissionChangeBps = r.u32();
    return m;
}

void MsgEditValidator::encodeTo(Writer& w) const {
    codec::putOptional(w, moniker, putString);
    codec::putOptional(w, commissionBps, putU32);
}
MsgEditValidator MsgEditValidator::decodeFrom(Reader& r) {
    MsgEditValidator m;
    m.moniker = codec::getOptional<std::string>(r, [](Reader& rr) { return rr.string(limits::kMonikerMax, 1); });
    m.commissionBps = codec::getOptional<std::uint32_t>(r, [](Reader& rr) { return rr.u32(); });
    return m;
}

void MsgDelegate::encodeTo(Writer& w) const {
    put(w, validator);
    put(w, amount);
}
MsgDelegate MsgDelegate::decodeFrom(Reader& r) {
    MsgDelegate m;
    m.validator = getAddress(r);
    m.amount = getAmount(r);
    return m;
}

void MsgUndelegate::encodeTo(Writer& w) const {
    put(w, validator);
    put(w, amount);
}
MsgUndelegate MsgUndelegate::decodeFrom(Reader& r) {
    MsgUndelegate m;
    m.validator = getAddress(r);
    m.amount = getAmount(r);
    return m;
}

void MsgUnjail::encodeTo(Writer&) const {}
MsgUnjail MsgUnjail::decodeFrom(Reader&) {
    return {};
}

void MsgProviderRegister::encodeTo(Writer& w) const {
    w.string(hostUri);
    putAttributes(w, attributes);
    capacity.encodeTo(w);
    put(w, stake);
}
MsgProviderRegister MsgProviderRegister::decodeFrom(Reader& r) {
    MsgProviderRegister m;
    m.hostUri = r.string(limits::kHostUriMax, 1);
    m.attributes = getAttributes(r);
    m.capacity = Resources::decodeFrom(r);
    m.stake = getAmount(r);
    return m;
}

void MsgProviderUpdate::encodeTo(Writer& w) const {
    codec::putOptional(w, hostUri, putString);
    codec::putOptional(w, attributes, putAttributes);
    codec::putOptional(w, capacity, putResources);
    put(w, addStake);
}
MsgProviderUpdate MsgProviderUpdate::decodeFrom(Reader& r) {
    MsgProviderUpdate m;
    m.hostUri = codec::getOptional<std::string>(r, [](Reader& rr) { return rr.string(limits::kHostUriMax, 1); });
    m.attributes = codec::getOptional<std::vector<Attribute>>(r, getAttributes);
    m.capacity = codec::getOptional<Resources>(r, Resources::decodeFrom);
    m.addStake = getAmount(r);
    return m;
}

void MsgProviderUnbond::encodeTo(Writer& w) const {
    put(w, amount);
}
MsgProviderUnbond MsgProviderUnbond::decodeFrom(Reader& r) {
    MsgProviderUnbond m;
    m.amount = getAmount(r);
    return m;
}

void MsgOfferSet::encodeTo(Writer& w) const {
    w.u32(offerId);
    prices.encodeTo(w);
}
MsgOfferSet MsgOfferSet::decodeFrom(Reader& r) {
    MsgOfferSet m;
    m.offerId = r.u32();
    m.prices = PriceSchedule::decodeFrom(r);
    return m;
}

void MsgOfferRemove::encodeTo(Writer& w) const {
    w.u32(offerId);
}
MsgOfferRemove MsgOfferRemove::decodeFrom(Reader& r) {
    MsgOfferRemove m;
    m.offerId = r.u32();
    return m;
}

void MsgJobCreate::encodeTo(Writer& w) const {
    resources.encodeTo(w);
    putAttributes(w, constraints);
    put(w, maxPricePerSecond);
    w.u64(durationSeconds);
    w.u64(biddingWindowBlocks);
    w.u32(minReputation);
    put(w, deposit);
    put(w, manifestHash);
}
MsgJobCreate MsgJobCreate::decodeFrom(Reader& r) {
    MsgJobCreate m;
    m.resources = Resources::decodeFrom(r);
    m.constraints = getAttributes(r);
    m.maxPricePerSecond = getAmount(r);
    m.durationSeconds = r.u64();
    m.biddingWindowBlocks = r.u64();
    m.minReputation = r.u32();
    m.deposit = getAmount(r);
    m.manifestHash = codec::getHash(r);
    return m;
}

void MsgJobCancel::encodeTo(Writer& w) const {
    w.u64(jobId);
}
MsgJobCancel MsgJobCancel::decodeFrom(Reader& r) {
    MsgJobCancel m;
    m.jobId = r.u64();
    return m;
}

void MsgBidPlace::encodeTo(Writer& w) const {
    w.u64(jobId);
    put(w, pricePerSecond);
    put(w, deposit);
}
MsgBidPlace MsgBidPlace::decodeFrom(Reader& r) {
    MsgBidPlace m;
    m.jobId = r.u64();
    m.pricePerSecond = getAmount(r);
    m.deposit = getAmount(r);
    return m;
}

void MsgBidWithdraw::encodeTo(Writer& w) const {
    w.u64(bidId);
}
MsgBidWithdraw MsgBidWithdraw::decodeFrom(Reader& r) {
    MsgBidWithdraw m;
    m.bidId = r.u64();
    return m;
}

void MsgBidAccept::encodeTo(Writer& w) const {
    w.u64(bidId);
}
MsgBidAccept MsgBidAccept::decodeFrom(Reader& r) {
    MsgBidAccept m;
    m.bidId = r.u64();
    return m;
}

void MsgLeaseFromOffer::encodeTo(Writer& w) const {
    put(w, provider);
    w.u32(offerId);
    resources.encodeTo(w);
    w.u64(durationSeconds);
    put(w, deposit);
    put(w, manifestHash);
    put(w, maxPricePerSecond);
    w.u64(offerVersion);
}
MsgLeaseFromOffer MsgLeaseFromOffer::decodeFrom(Reader& r) {
    MsgLeaseFromOffer m;
    m.provider = getAddress(r);
    m.offerId = r.u32();
    m.resources = Resources::decodeFrom(r);
    m.durationSeconds = r.u64();
    m.deposit = getAmount(r);
    m.manifestHash = codec::getHash(r);
    m.maxPricePerSecond = getAmount(r);
    m.offerVersion = r.u64();
    return m;
}

void MsgLeaseTopUp::encodeTo(Writer& w) const {
    w.u64(leaseId);
    put(w, amount);
}
MsgLeaseTopUp MsgLeaseTopUp::decodeFrom(Reader& r) {
    MsgLeaseTopUp m;
    m.leaseId = r.u64();
    m.amount = getAmount(r);
    return m;
}

void MsgLeaseSetAutoTopUp::encodeTo(Writer& w) const {
    w.u64(leaseId);
    put(w, perTopUp);
    put(w, cap);
}
MsgLeaseSetAutoTopUp MsgLeaseSetAutoTopUp::decodeFrom(Reader& r) {
    MsgLeaseSetAutoTopUp m;
    m.leaseId = r.u64();
    m.perTopUp = getAmount(r);
    m.cap = getAmount(r);
    return m;
}

void MsgUsageReport::encodeTo(Writer& w) const {
    w.u64(leaseId);
    w.u64(upToHeight);
    w.u32(availabilityBps);
    put(w, metricsHash);
}
MsgUsageReport MsgUsageReport::decodeFrom(Reader& r) {
    MsgUsageReport m;
    m.leaseId = r.u64();
    m.upToHeight = r.u64();
    m.availabilityBps = r.u32();
    m.metricsHash = codec::getHash(r);
    return m;
}

void MsgLeaseClose::encodeTo(Writer& w) const {
    w.u64(leaseId);
    w.u8(static_cast<std::uint8_t>(reason));
}
MsgLeaseClose MsgLeaseClose::decodeFrom(Reader& r) {
    MsgLeaseClose m;
    m.leaseId = r.u64();
    const std::uint8_t reason = r.u8();
    if (reason > kCloseReasonMax) r.fail(CodecError::InvalidEnum);
    m.reason = static_cast<CloseReason>(reason);
    return m;
}

void MsgLeaseSettle::encodeTo(Writer& w) const {
    w.u64(leaseId);
    w.u8(rating);
}
MsgLeaseSettle MsgLeaseSettle::decodeFrom(Reader& r) {
    MsgLeaseSettle m;
    m.leaseId = r.u64();
    m.rating = r.u8();
    return m;
}

void MsgProviderWithdraw::encodeTo(Writer& w) const {
    w.u64(leaseId);
}
MsgProviderWithdraw MsgProviderWithdraw::decodeFrom(Reader& r) {
    MsgProviderWithdraw m;
    m.leaseId = r.u64();
    return m;
}

void ParamChange::encodeTo(Writer& w) const {
    w.string(key);
    w.string(value);
}
ParamChange ParamChange::decodeFrom(Reader& r) {
    ParamChange c;
    c.key = r.string(limits::kParamKeyMax, 1);
    c.value = r.string(limits::kParamValueMax, 1);
    return c;
}

void MsgGovSubmit::encodeTo(Writer& w) const {
    w.string(title);
    codec::putList(w, changes, [](Writer& ww, const ParamChange& c) { c.encodeTo(ww); });
    put(w, deposit);
}
MsgGovSubmit MsgGovSubmit::decodeFrom(Reader& r) {
    MsgGovSubmit m;
    m.title = r.string(limits::kProposalTitleMax);
    m.changes = codec::getList<ParamChange>(r, limits::kParamChangesMax, ParamChange::decodeFrom);
    // Sorted by key, no key twice: one canonical encoding of a set of changes.
    for (std::size_t i = 1; i < m.changes.size(); ++i)
        if (!(m.changes[i - 1].key < m.changes[i].key)) r.fail(CodecError::NotSorted);
    m.deposit = getAmount(r);
    return m;
}

void MsgGovDeposit::encodeTo(Writer& w) const {
    w.u64(proposalId);
    put(w, amount);
}
MsgGovDeposit MsgGovDeposit::decodeFrom(Reader& r) {
    MsgGovDeposit m;
    m.proposalId = r.u64();
    m.amount = getAmount(r);
    return m;
}

void MsgGovVote::encodeTo(Writer& w) const {
    w.u64(proposalId);
    w.u8(static_cast<std::uint8_t>(option));
}
MsgGovVote MsgGovVote::decodeFrom(Reader& r) {
    MsgGovVote m;
    m.proposalId = r.u64();
    const std::uint8_t option = r.u8();
    if (option < kVoteOptionMin || option > kVoteOptionMax) r.fail(CodecError::InvalidEnum);
    m.option = static_cast<VoteOption>(option);
    return m;
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
