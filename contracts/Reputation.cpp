#include "contracts/Reputation.h"

#include "consensus/core/CodecTypes.h"

namespace agora::contracts {

namespace {
__extension__ using U128 = unsigned __int128;

std::uint64_t saturatingAdd(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}
}  // namespace

std::uint32_t ProviderReputation::score() const {
    const U128 ratingPpm = ratedValue == 0
                               ? kNeutralRatingPpm
                               : static_cast<U128>(ratingSum) * kScoreScale / (static_cast<U128>(ratedValue) * 5);
    const U128 good = static_cast<U128>(completed) + 1;
    const U128 bad = static_cast<U128>(earlyCloses) * 2 + static_cast<U128>(slashes) * 4;
    const U128 reliability = good * kScoreScale / (good + bad);
    const U128 s = ratingPpm * reliability / kScoreScale;
    return static_cast<std::uint32_t>(s > kScoreScale ? kScoreScale : s);
}

void ProviderReputation::encodeTo(Writer& w) const {
    w.u64(completed);
    w.u64(earlyCloses);
    w.u64(slashes);
    codec::put(w, totalPaid);
    w.u64(ratedValue);
    w.u64(ratingSum);
    w.u64(lastDecayHeight);
}
ProviderReputation ProviderReputation::decodeFrom(Reader& r) {
    ProviderReputation p;
    p.completed = r.u64();
    p.earlyCloses = r.u64();
    p.slashes = r.u64();
    p.totalPaid = codec::getAmount(r);
    p.ratedValue = r.u64();
    p.ratingSum = r.u64();
    p.lastDecayHeight = r.u64();
    return p;
}

void ClientRecord::encodeTo(Writer& w) const {
    w.u64(leasesSettled);
    codec::put(w, totalPaid);
    w.u64(earlyCloses);
}
ClientRecord ClientRecord::decodeFrom(Reader& r) {
    ClientRecord c;
    c.leasesSettled = r.u64();
    c.totalPaid = codec::getAmount(r);
    c.earlyCloses = r.u64();
    return c;
}

ProviderReputation Reputation::provider(const Address& a) const {
    return ctx_.store.load<ProviderReputation>(keys::providerReputation(a)).value_or(ProviderReputation{});
}

ClientRecord Reputation::client(const Address& a) const {
    return ctx_.store.load<ClientRecord>(keys::clientRecord(a)).value_or(ClientRecord{});
}

ProviderReputation Reputation::decayed(const Address& a) const {
    ProviderReputation rep = provider(a);
    const std::uint64_t halfLife = ctx_.params.reputationHalfLifeBlocks;
    if (ctx_.height() > rep.lastDecayHeight && halfLife > 0) {
        const std::uint64_t halvings = (ctx_.height() - rep.lastDecayHeight) / halfLife;
        if (halvings >= 64) {
            rep.ratedValue = 0;
            rep.ratingSum = 0;
        } else {
            rep.ratedValue >>= halvings;
            rep.ratingSum >>= halvings;
        }
        // Keep the remainder of a partial half-life for the next update.
        rep.lastDecayHeight += halvings * halfLife;
    }
    return rep;
}

void Reputation::save(const Address& a, const ProviderReputation& rep) {
    ctx_.store.save(keys::providerReputation(a), rep);
    ctx_.emit("reputation_updated")
        .add("provider", a.toBech32())
        .add("score", rep.score())
        .add("completed", rep.completed)
        .add("early_closes", rep.earlyCloses)
        .add("slashes", rep.slashes);
}

void Reputation::recordSettlement(const Address& prov, const Address& cli, Amount paid, std::uint8_t rating,
                                  bool countsCompleted) {
    ProviderReputation rep = decayed(prov);
    if (countsCompleted) ++rep.completed;
    rep.totalPaid = rep.totalPaid.checkedAdd(paid).value_or(Amount(UINT64_MAX));
    rep.ratedValue = saturatingAdd(rep.ratedValue, paid.micro());
    const U128 weighted = static_cast<U128>(paid.micro()) * rating;
    rep.ratingSum =
        saturatingAdd(rep.ratingSum, weighted > UINT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(weighted));
    save(prov, rep);

    ClientRecord c = client(cli);
    ++c.leasesSettled;
    c.totalPaid = c.totalPaid.checkedAdd(paid).value_or(Amount(UINT64_MAX));
    ctx_.store.save(keys::clientRecord(cli), c);
}

void Reputation::recordEarlyClose(const Address& prov) {
    ProviderReputation rep = decayed(prov);
    ++rep.earlyCloses;
    save(prov, rep);
}

void Reputation::recordClientEarlyClose(const Address& cli) {
    ClientRecord c = client(cli);
    ++c.earlyCloses;
    ctx_.store.save(keys::clientRecord(cli), c);
}

void Reputation::recordSlash(const Address& prov) {
    ProviderReputation rep = decayed(prov);
    ++rep.slashes;
    save(prov, rep);
}

}  // namespace agora::contracts
