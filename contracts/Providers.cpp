#include "contracts/Providers.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"
#include "contracts/Bank.h"
#include "contracts/Reputation.h"
#include "contracts/ResourceMath.h"
#include "contracts/Staking.h"

namespace agora::contracts {

void Provider::encodeTo(Writer& w) const {
    codec::put(w, address);
    w.string(hostUri);
    putAttributes(w, attributes);
    capacity.encodeTo(w);
    reserved.encodeTo(w);
    codec::put(w, stake);
    w.u32(offerCount);
    w.u64(openLeases);
    w.u64(registeredHeight);
    w.u64(offerVersionSeq);
}

void Offer::encodeTo(Writer& w) const {
    prices.encodeTo(w);
    w.u64(version);
}

Offer Offer::decodeFrom(Reader& r) {
    Offer o;
    o.prices = PriceSchedule::decodeFrom(r);
    o.version = r.u64();
    return o;
}

Provider Provider::decodeFrom(Reader& r) {
    Provider p;
    p.address = codec::getAddress(r);
    p.hostUri = r.string(limits::kHostUriMax, 1);
    p.attributes = getAttributes(r);
    p.capacity = Resources::decodeFrom(r);
    p.reserved = Resources::decodeFrom(r);
    p.stake = codec::getAmount(r);
    p.offerCount = r.u32();
    p.openLeases = r.u64();
    p.registeredHeight = r.u64();
    p.offerVersionSeq = r.u64();
    return p;
}

bool attributesMatch(const std::vector<Attribute>& provider, const std::vector<Attribute>& constraints) {
    // Both lists are sorted by key: one merge pass.
    std::size_t i = 0;
    for (const auto& c : constraints) {
        while (i < provider.size() && provider[i].key < c.key) ++i;
        if (i == provider.size() || provider[i].key != c.key || provider[i].value != c.value) return false;
    }
    return true;
}

std::optional<Provider> Providers::get(const Address& a) const {
    return ctx_.store.load<Provider>(keys::provider(a));
}

void Providers::save(const Provider& p) {
    ctx_.store.save(keys::provider(p.address), p);
}

std::optional<PriceSchedule> Providers::offer(const Address& a, std::uint32_t offerId) const {
    auto o = offerRecord(a, offerId);
    if (!o) return std::nullopt;
    return std::move(o->prices);
}

std::optional<Offer> Providers::offerRecord(const Address& a, std::uint32_t offerId) const {
    return ctx_.store.load<Offer>(keys::offer(a, offerId));
}

ResultCode Providers::registerProvider(const Address& a, const MsgProviderRegister& msg) {
    if (get(a)) return ResultCode::ProviderExists;
    if (msg.stake < ctx_.params.minProviderStake) return ResultCode::ProviderStakeTooLow;
    AGORA_TRY(Bank(ctx_).debit(a, msg.stake));
    Provider p;
    p.address = a;
    p.hostUri = msg.hostUri;
    p.attributes = msg.attributes;
    p.capacity = msg.capacity;
    p.stake = msg.stake;
    p.registeredHeight = ctx_.height();
    save(p);
    ctx_.emit("provider_registered")
        .add("provider", a.toBech32())
        .add("host_uri", msg.hostUri)
        .add("stake", msg.stake.micro());
    return ResultCode::Ok;
}

ResultCode Providers::update(const Address& a, const MsgProviderUpdate& msg) {
    auto p = get(a);
    if (!p) return ResultCode::ProviderNotFound;
    if (msg.hostUri) p->hostUri = *msg.hostUri;
    if (msg.attributes) p->attributes = *msg.attributes;
    if (msg.capacity) {
        if (!covers(*msg.capacity, p->reserved)) return ResultCode::CapacityBelowReserved;
        p->capacity = *msg.capacity;
    }
    if (!msg.addStake.isZero()) {
        AGORA_TRY(Bank(ctx_).debit(a, msg.addStake));
        auto s = p->stake.checkedAdd(msg.addStake);
        if (!s) return ResultCode::Overflow;
        p->stake = *s;
    }
    save(*p);
    ctx_.emit("provider_updated").add("provider", a.toBech32()).add("stake", p->stake.micro());
    return ResultCode::Ok;
}

Amount Providers::requiredStake(std::uint64_t openLeases) const {
    if (openLeases == 0) return Amount{};
    auto perLease = ctx_.params.providerStakePerLease.checkedMul(openLeases);
    auto total = perLease ? ctx_.params.minProviderStake.checkedAdd(*perLease) : std::nullopt;
    return total.value_or(Amount(UINT64_MAX));
}

ResultCode Providers::unbond(const Address& a, const MsgProviderUnbond& msg) {
    auto p = get(a);
    if (!p) return ResultCode::ProviderNotFound;
    auto rest = p->stake.checkedSub(msg.amount);
    if (!rest) return ResultCode::InsufficientFunds;
    if (*rest < requiredStake(p->openLeases)) return ResultCode::UnbondBelowLeaseNeeds;
    p->stake = *rest;
    save(*p);
    Staking(ctx_).queueUnbonding(UnbondingKind::ProviderStake, a, Address{}, msg.amount);
    ctx_.emit("provider_unbond")
        .add("provider", a.toBech32())
        .add("amount", msg.amount.micro())
        .add("completion_height", ctx_.height() + ctx_.params.unbondingBlocks);
    return ResultCode::Ok;
}

ResultCode Providers::setOffer(const Address& a, const MsgOfferSet& msg) {
    auto p = get(a);
    if (!p) return ResultCode::ProviderNotFound;
    if (!ctx_.store.contains(keys::offer(a, msg.offerId))) {
        if (p->offerCount >= ctx_.params.maxOffersPerProvider) return ResultCode::TooManyOffers;
        ++p->offerCount;
    }
    // A new version on every set: a lease_from_offer names the version its
    // client read, so a re-priced offer (at any price) refuses it.
    if (p->offerVersionSeq == UINT64_MAX) return ResultCode::Overflow;
    ++p->offerVersionSeq;
    save(*p);
    ctx_.store.save(keys::offer(a, msg.offerId), Offer{msg.prices, p->offerVersionSeq});
    ctx_.emit("offer_set")
        .add("provider", a.toBech32())
        .add("offer_id", msg.offerId)
        .add("version", p->offerVersionSeq);
    return ResultCode::Ok;
}

ResultCode Providers::removeOffer(const Address& a, const MsgOfferRemove& msg) {
    auto p = get(a);
    if (!p) return ResultCode::ProviderNotFound;
    if (!ctx_.store.contains(keys::offer(a, msg.offerId))) return ResultCode::OfferNotFound;
    ctx_.store.erase(keys::offer(a, msg.offerId));
    --p->offerCount;
    save(*p);
    ctx_.emit("offer_removed").add("provider", a.toBech32()).add("offer_id", msg.offerId);
    return ResultCode::Ok;
}

ResultCode Providers::canTakeLease(const Provider& p, const Resources& need) const {
    if (p.stake < requiredStake(p.openLeases + 1)) return ResultCode::ProviderStakeTooLow;
    auto freeCap = subResources(p.capacity, p.reserved);
    if (!freeCap || !covers(*freeCap, need)) return ResultCode::InsufficientCapacity;
    return ResultCode::Ok;
}

ResultCode Providers::reserve(const Address& a, const Resources& need) {
    auto p = get(a);
    if (!p) return ResultCode::ProviderNotFound;
    AGORA_TRY(canTakeLease(*p, need));
    auto r = addResources(p->reserved, need);
    if (!r) return ResultCode::Overflow;
    p->reserved = *r;
    ++p->openLeases;
    save(*p);
    return ResultCode::Ok;
}

ResultCode Providers::release(const Address& a, const Resources& need) {
    auto p = get(a);
    if (!p) return ResultCode::ProviderNotFound;
    auto r = subResources(p->reserved, need);
    if (!r || p->openLeases == 0) std::abort();  // reservation bookkeeping broken: would diverge
    p->reserved = *r;
    --p->openLeases;
    save(*p);
    return ResultCode::Ok;
}

Amount Providers::slashStake(const Address& a, std::uint32_t bps, std::string_view reason) {
    auto p = get(a);
    if (!p) return Amount{};
    const Amount cut = p->stake.mulDiv(bps, 10'000).value_or(Amount{});
    if (cut.isZero()) return cut;
    p->stake = *p->stake.checkedSub(cut);
    save(*p);
    if (Bank(ctx_).burn(cut) != ResultCode::Ok) std::abort();
    Reputation(ctx_).recordSlash(a);
    ctx_.emit("provider_slashed")
        .add("provider", a.toBech32())
        .add("reason", std::string(reason))
        .add("amount", cut.micro());
    return cut;
}

}  // namespace agora::contracts
