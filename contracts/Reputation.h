#pragma once
// reputation: per provider, from settled and closed leases: completed count,
// money-weighted rating with time decay, provider-caused early closes and
// slashes, folded into a fixed-point score (parts per million, 0..1,000,000).
// Also a client record (leases settled, amount paid, early closes).
//
//   rating_ppm  = rating_sum * 1e6 / (rated_value * 5)     (600,000 with no rating yet)
//   reliability = 1e6 * (completed + 1) / (completed + 1 + 2 * early_closes + 4 * slashes)
//   score       = rating_ppm * reliability / 1e6
//
// rating_sum and rated_value halve every reputation_half_life_blocks (applied
// lazily when the record is next updated), so recent money weighs more.

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

struct ProviderReputation {
    std::uint64_t completed = 0;    // settled leases closed completed after reputation_min_paid_seconds paid seconds
    std::uint64_t earlyCloses = 0;  // provider terminated early or reported failed
    std::uint64_t slashes = 0;
    Amount totalPaid;              // lifetime amount paid to the provider on settled leases
    std::uint64_t ratedValue = 0;  // decayed sum of money over rated leases (saturating)
    std::uint64_t ratingSum = 0;   // decayed sum of money x rating (saturating)
    std::uint64_t lastDecayHeight = 0;

    std::uint32_t score() const;
    void encodeTo(Writer& w) const;
    static ProviderReputation decodeFrom(Reader& r);
    bool operator==(const ProviderReputation&) const = default;
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

    ProviderReputation provider(const Address& a) const;
    ClientRecord client(const Address& a) const;
    std::uint32_t score(const Address& a) const { return provider(a).score(); }

    // `countsCompleted`: the lease closed completed after reputation_min_paid_seconds paid seconds.
    void recordSettlement(const Address& provider, const Address& client, Amount paid, std::uint8_t rating,
                          bool countsCompleted);
    void recordEarlyClose(const Address& provider);
    void recordClientEarlyClose(const Address& client);
    void recordSlash(const Address& provider);

private:
    ProviderReputation decayed(const Address& a) const;
    void save(const Address& a, const ProviderReputation& rep);
    ApplyContext& ctx_;
};

}  // namespace agora::contracts
