#include "contracts/Reputation.h"

#include "consensus/core/CodecTypes.h"
#include "contracts/LeaseAccrual.h"

namespace agora::contracts {

namespace {
__extension__ using U128 = unsigned __int128;

constexpr std::uint64_t kOneLease = kScoreScale;  // a weight of one whole lease, ppm

std::uint64_t saturatingAdd(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

std::uint64_t saturate(U128 v) {
    return v > UINT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(v);
}

// floor(sqrt(n)), bit by bit: exact and deterministic.
U128 isqrt(U128 n) {
    U128 root = 0;
    U128 bit = static_cast<U128>(1) << 126;
    while (bit > n) bit >>= 2;
    while (bit != 0) {
        if (n >= root + bit) {
            n -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return root;
}

std::uint64_t halve(std::uint64_t v, std::uint64_t halvings) {
    return halvings >= 64 ? 0 : v >> halvings;
}
}  // namespace

std::uint32_t wilsonLowerBoundPpm(std::uint64_t success, std::uint64_t failure) {
    // With p = P/S successes and q = Q/S failures of n = N/S trials, z = 2:
    //   lower = (p + z^2/2 - z sqrt(p q / n + z^2/4)) / (n + z^2)
    // multiplied through by S. P Q / N <= min(P, Q) < 2^64, so nothing overflows.
    constexpr U128 S = kScoreScale;
    const U128 n = static_cast<U128>(success) + failure;
    if (n == 0) return 0;
    const U128 pq = static_cast<U128>(success) * failure / n;
    const U128 root = isqrt(pq * S + S * S);
    const U128 plus = static_cast<U128>(success) + 2 * S;
    if (plus <= 2 * root) return 0;
    const U128 lower = (plus - 2 * root) * S / (n + 4 * S);
    return static_cast<std::uint32_t>(lower > S ? S : lower);
}

std::uint32_t ProviderReputation::score() const {
    const U128 ratingPpm = ratedValue == 0
                               ? kNeutralRatingPpm
                               : static_cast<U128>(ratingSum) * kScoreScale / (static_cast<U128>(ratedValue) * 5);
    const U128 s = ratingPpm * reliability() / kScoreScale;
    return static_cast<std::uint32_t>(s > kScoreScale ? kScoreScale : s);
}

void ProviderReputation::encodeTo(Writer& w) const {
    w.u64(completed);
    w.u64(earlyCloses);
    w.u64(slashes);
    codec::put(w, totalPaid);
    w.u64(successWeight);
    w.u64(failureWeight);
    w.u64(ratedValue);
    w.u64(ratingSum);
    w.u64(lastDecayTime);
}
ProviderReputation ProviderReputation::decodeFrom(Reader& r) {
    ProviderReputation p;
    p.completed = r.u64();
    p.earlyCloses = r.u64();
    p.slashes = r.u64();
    p.totalPaid = codec::getAmount(r);
    p.successWeight = r.u64();
    p.failureWeight = r.u64();
    p.ratedValue = r.u64();
    p.ratingSum = r.u64();
    p.lastDecayTime = r.u64();
    return p;
}

void ReputationPair::encodeTo(Writer& w) const {
    w.u64(count);
    w.u64(lastDecayTime);
    codec::put(w, paid);
}
ReputationPair ReputationPair::decodeFrom(Reader& r) {
    ReputationPair p;
    p.count = r.u64();
    p.lastDecayTime = r.u64();
    p.paid = codec::getAmount(r);
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

std::uint64_t Reputation::halvingsSince(std::uint64_t& lastDecayTime) const {
    const std::uint64_t now = ctx_.block.time;
    const std::uint64_t halfLife = secondsToMs(ctx_.params.reputationHalfLifeSeconds);
    if (lastDecayTime == 0 || halfLife == 0) {
        // A new record starts its clock now.
        lastDecayTime = now;
        return 0;
    }
    if (now <= lastDecayTime) return 0;
    const std::uint64_t halvings = (now - lastDecayTime) / halfLife;
    // Keep the remainder of a partial half-life for the next update.
    lastDecayTime += halvings * halfLife;  // <= now
    return halvings;
}

ProviderReputation Reputation::decayed(const Address& a) const {
    ProviderReputation rep = provider(a);
    const std::uint64_t h = halvingsSince(rep.lastDecayTime);
    rep.successWeight = halve(rep.successWeight, h);
    rep.failureWeight = halve(rep.failureWeight, h);
    rep.ratedValue = halve(rep.ratedValue, h);
    rep.ratingSum = halve(rep.ratingSum, h);
    return rep;
}

std::uint64_t Reputation::clientWeight(const Address& prov, const Address& cli, PairUse use) {
    const Bytes key = keys::reputationPair(prov, cli);
    ReputationPair pair = ctx_.store.load<ReputationPair>(key).value_or(ReputationPair{});
    pair.count = halve(pair.count, halvingsSince(pair.lastDecayTime));
    // The k-th lease of one client weighs 1/k.
    std::uint64_t k = saturatingAdd(pair.count, 1);
    switch (use) {
        case PairUse::Count:
            pair.count = k;
            ctx_.store.save(key, pair);
            break;
        case PairUse::Reuse:
            // Its report counted it: the same weight again (unless it decayed away).
            if (pair.count > 0) k = pair.count;
            break;
        case PairUse::Peek:
            break;
    }
    return kOneLease / k;
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

std::uint64_t Reputation::moneyWeight(Amount paid) const {
    const std::uint64_t reference = ctx_.params.reputationReferencePaid.micro();
    if (reference == 0) return kOneLease;  // validate() refuses it; never divide by zero
    // Capped at a million leases so that weight x 1e6 stays within u64.
    constexpr U128 kMax = static_cast<U128>(kOneLease) * kOneLease;
    const U128 w = static_cast<U128>(paid.micro()) * kOneLease / reference;
    return static_cast<std::uint64_t>(w > kMax ? kMax : w);
}

std::uint64_t Reputation::standing(const Address& prov, const Address& cli) const {
    const std::uint64_t needed = ctx_.params.reputationClientStanding.micro();
    if (needed == 0) return kOneLease;  // the rule is off
    const std::uint64_t total = client(cli).totalPaid.micro();
    const auto pair = ctx_.store.load<ReputationPair>(keys::reputationPair(prov, cli));
    const std::uint64_t here = pair ? pair->paid.micro() : 0;
    const std::uint64_t elsewhere = total > here ? total - here : 0;
    if (elsewhere >= needed) return kOneLease;
    return saturate(static_cast<U128>(elsewhere) * kOneLease / needed);
}

std::uint64_t Reputation::leaseWeight(std::uint64_t clientWeight, Amount paid, std::uint64_t standingPpm) const {
    // <= 1e6 x 1e12 x 1e6 / 1e12: within u64 after the divisions.
    const U128 w = static_cast<U128>(clientWeight) * moneyWeight(paid) / kOneLease * standingPpm / kOneLease;
    return saturate(w);
}

void Reputation::recordSettlement(const Address& prov, const Address& cli, Amount paid, std::uint8_t rating,
                                  bool countsCompleted, bool alreadyWeighed) {
    ProviderReputation rep = decayed(prov);
    // The client's standing before this lease counts in it.
    const std::uint64_t standingPpm = standing(prov, cli);
    const PairUse use = alreadyWeighed                      ? PairUse::Reuse
                        : countsCompleted || !paid.isZero() ? PairUse::Count
                                                            : PairUse::Peek;
    const std::uint64_t weight = clientWeight(prov, cli, use);
    if (countsCompleted) {
        ++rep.completed;
        // One lease per reputation_reference_paid it paid, times the client's standing (decision 55).
        rep.successWeight = saturatingAdd(rep.successWeight, leaseWeight(weight, paid, standingPpm));
    }
    rep.totalPaid = rep.totalPaid.checkedAdd(paid).value_or(Amount(UINT64_MAX));
    const U128 weighedPaid = static_cast<U128>(paid.micro()) * weight / kOneLease * standingPpm / kOneLease;
    rep.ratedValue = saturatingAdd(rep.ratedValue, saturate(weighedPaid));
    rep.ratingSum = saturatingAdd(rep.ratingSum, saturate(weighedPaid * rating));
    save(prov, rep);

    ClientRecord c = client(cli);
    ++c.leasesSettled;
    c.totalPaid = c.totalPaid.checkedAdd(paid).value_or(Amount(UINT64_MAX));
    ctx_.store.save(keys::clientRecord(cli), c);
    if (!paid.isZero()) {
        const Bytes key = keys::reputationPair(prov, cli);
        ReputationPair pair = ctx_.store.load<ReputationPair>(key).value_or(ReputationPair{});
        if (pair.lastDecayTime == 0) pair.lastDecayTime = ctx_.block.time;
        pair.paid = pair.paid.checkedAdd(paid).value_or(Amount(UINT64_MAX));
        ctx_.store.save(key, pair);
    }
}

void Reputation::recordFailureReport(const Address& prov, const Address& cli, Amount paid) {
    ProviderReputation rep = decayed(prov);
    ++rep.earlyCloses;
    const std::uint64_t standingPpm = standing(prov, cli);
    // Two failures per lease, a lease weighing what the client paid up to the
    // report, times the client's standing (decision 55).
    const std::uint64_t weight = leaseWeight(clientWeight(prov, cli, PairUse::Count), paid, standingPpm);
    rep.failureWeight = saturatingAdd(rep.failureWeight, saturate(static_cast<U128>(weight) * 2));
    save(prov, rep);
}

void Reputation::recordTermination(const Address& prov) {
    ProviderReputation rep = decayed(prov);
    ++rep.earlyCloses;
    rep.failureWeight = saturatingAdd(rep.failureWeight, 2 * kOneLease);
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
    rep.failureWeight = saturatingAdd(rep.failureWeight, 4 * kOneLease);
    save(prov, rep);
}

}  // namespace agora::contracts
