#pragma once
// reputation: per provider, from settled and closed leases, a score in parts
// per million (0..1,000,000) that costs real money to fake (decision 46).
//
//   weight of a client's lease = 1e6 / (k + 1) x paid / reputation_reference_paid
//                                x min(1, paid elsewhere / reputation_client_standing),
//                                k = that client's leases already weighed for this
//                                provider (decayed): one client or a ring cannot make or
//                                break a provider, a lease weighs by the money it paid,
//                                and a client by what it paid other providers (decision
//                                55): faking either side costs money, and sybils weigh 0
//   success  = sum of weights of completed leases (ppm of a lease)
//   failure  = 2 x weights of provider_failed reports + 2e6 x provider terminations
//              + 4e6 x slashes
//   reliability = Wilson lower bound (z = 2) of success among success + failure:
//              (P + 2S - 2 isqrt(S P Q / N + S^2)) x 1e6 / (N + 4S), S = 1e6, N = P + Q;
//              0 with no history, so a whitewashed new provider starts at 0
//   rating_ppm  = rating_sum x 1e6 / (rated_value x 5)     (600,000 with no rating yet)
//   score       = reliability x rating_ppm / 1e6
//
// success, failure, rated_value and rating_sum halve every
// reputation_half_life_seconds of block time (applied lazily, the remainder
// kept), as do the per-client counts. Integer arithmetic only.

#include <cstdint>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "contracts/ApplyContext.h"

namespace agora::contracts {

inline constexpr std::uint32_t kScoreScale = 1'000'000;
inline constexpr std::uint32_t kNeutralRatingPpm = 600'000;
// The default of the parameter reputation_min_paid_seconds: a lease weighs in
// reputation (completed, or a client's provider_failed report) only once the
// client paid for this many seconds of block time.
inline constexpr std::uint64_t kReputationMinPaidSeconds = Params{}.reputationMinPaidSeconds;

// The Wilson lower bound (z = 2) of `success` among `success + failure`
// trials, both in ppm of a trial; result in ppm, 0 with no trials.
std::uint32_t wilsonLowerBoundPpm(std::uint64_t success, std::uint64_t failure);

struct ProviderReputation {
    std::uint64_t completed = 0;      // lifetime: settled leases that counted completed
    std::uint64_t earlyCloses = 0;    // lifetime: provider terminated early or reported failed (weighing)
    std::uint64_t slashes = 0;        // lifetime
    Amount totalPaid;                 // lifetime amount paid out of leases to the provider (gross)
    std::uint64_t successWeight = 0;  // decayed, ppm of a lease
    std::uint64_t failureWeight = 0;  // decayed, ppm of a lease
    std::uint64_t ratedValue = 0;     // decayed sum of money x client weight over rated leases (saturating)
    std::uint64_t ratingSum = 0;      // decayed sum of money x client weight x rating (saturating)
    std::uint64_t lastDecayTime = 0;  // block time (ms) the decay was last applied at

    std::uint32_t reliability() const { return wilsonLowerBoundPpm(successWeight, failureWeight); }
    std::uint32_t score() const;
    void encodeTo(Writer& w) const;
    static ProviderReputation decodeFrom(Reader& r);
    bool operator==(const ProviderReputation&) const = default;
};

// One client's weighed leases with one provider.
struct ReputationPair {
    std::uint64_t count = 0;  // decayed with the provider's half-life
    std::uint64_t lastDecayTime = 0;
    Amount paid;  // lifetime: what the client paid this provider on settled leases (its standing excludes it)
    void encodeTo(Writer& w) const;
    static ReputationPair decodeFrom(Reader& r);
    bool operator==(const ReputationPair&) const = default;
};

struct ClientRecord {
    std::uint64_t leasesSettled = 0;
    Amount totalPaid;
    std::uint64_t earlyCloses = 0;  // leases the client cancelled before their end
    void encodeTo(Writer& w) const;
    static ClientRecord decodeFrom(Reader& r);
    bool operator==(const ClientRecord&) const = default;
};

class Reputation {
public:
    explicit Reputation(ApplyContext& ctx) : ctx_(ctx) {}

    // As stored (decayed to its last update).
    ProviderReputation provider(const Address& a) const;
    ClientRecord client(const Address& a) const;
    // Decayed to this block's time: what min_reputation compares against.
    std::uint32_t score(const Address& a) const { return decayed(a).score(); }

    // `countsCompleted`: the lease closed completed after reputation_min_paid_seconds paid seconds.
    // `alreadyWeighed`: its provider_failed report already counted this client's lease.
    // A lease counts as one of the client's leases with the provider when it
    // counts completed or paid anything; a lease that paid nothing weighs
    // nothing and is not counted.
    void recordSettlement(const Address& provider, const Address& client, Amount paid, std::uint8_t rating,
                          bool countsCompleted, bool alreadyWeighed);
    // A client's provider_failed report that weighs (paid for the minimum);
    // `paid`: what the client paid for the lease up to the report.
    void recordFailureReport(const Address& provider, const Address& client, Amount paid);
    // The provider closed a lease provider_terminated.
    void recordTermination(const Address& provider);
    void recordClientEarlyClose(const Address& client);
    void recordSlash(const Address& provider);

private:
    ProviderReputation decayed(const Address& a) const;
    enum class PairUse : std::uint8_t { Count, Reuse, Peek };
    // The weight (ppm) of this client's lease with the provider, 1/k for its
    // k-th: Count counts a new lease, Reuse is the lease counted last
    // (its provider_failed report), Peek counts nothing.
    std::uint64_t clientWeight(const Address& provider, const Address& client, PairUse use);
    std::uint64_t halvingsSince(std::uint64_t& lastDecayTime) const;
    // What a lease that paid `paid` weighs, ppm of a lease: one lease per
    // reputation_reference_paid, in proportion (decision 55).
    std::uint64_t moneyWeight(Amount paid) const;
    // The client's standing toward the provider, ppm: what it paid on settled
    // leases with other providers over reputation_client_standing, at most 1e6.
    std::uint64_t standing(const Address& provider, const Address& client) const;
    // weight x moneyWeight(paid) x standing, ppm of a lease.
    std::uint64_t leaseWeight(std::uint64_t clientWeight, Amount paid, std::uint64_t standingPpm) const;
    void save(const Address& a, const ProviderReputation& rep);
    ApplyContext& ctx_;
};

}  // namespace agora::contracts
