#pragma once
// The adversarial market simulation (issue 16, design decision 51,
// docs/market-simulation.md): seeded agents drive the real Ledger with signed
// txs, block by block, over an in-memory state from a genesis.
//
// Agents:
//   honest providers      serve every lease they win
//   flaky providers       silently stop serving a share of their leases
//   honest clients        lease from offers or post jobs, pick providers by
//                         reputation score (with some exploration), report
//                         provider_failed when a lease stops being served,
//                         settle and rate every lease
// and five attacks, each a coalition of accounts that can be switched on:
//   whitewash    a bad provider that drops its identity when its score sinks
//   wash_trade   a mediocre provider whose sybil clients buy completed leases
//   grief        sybil clients that file false provider_failed reports
//                against the best competitors of the coalition's provider
//   squat        sybil providers that fill every job's bid slots at a low
//                price and never serve the leases they win
//   spam         an account that writes new state records for a flat fee
//
// Checked at every block: checkInvariants (supply = everything held, per-lease
// conservation, indexes, capacity), minted grows by exactly the block reward,
// burned by exactly the burns the block's events announce.
//
// The value of an attack is measured against a counterfactual: the same seed
// with the coalition playing its honest counterpart (the provider serves as
// before without the attack; sybils stay idle). gain = the coalition's net
// receipts from outsiders' leases, minus the same in the counterfactual;
// cost = the extra the coalition spent (fees, takes burned on its own
// leases, payments to outsiders, slashed stake); net = the coalition's net
// worth at the end minus the counterfactual's, which the accounting makes
// equal to gain - cost exactly (checked).
//
// Deterministic: no clock, no unordered iteration, a seeded splitmix/xoshiro
// stream per agent; one seed replays exactly.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agora::contracts::sim {

enum class Attack : std::uint8_t { Whitewash = 0, WashTrade = 1, Grief = 2, Squat = 3, Spam = 4 };
inline constexpr Attack kAllAttacks[] = {Attack::Whitewash, Attack::WashTrade, Attack::Grief, Attack::Squat,
                                         Attack::Spam};
std::string_view attackName(Attack a);

struct MarketSimConfig {
    std::uint64_t seed = 1;
    std::uint64_t activeBlocks = 600;    // agents start new work
    std::uint64_t windDownBlocks = 140;  // then only finish: leases end, clients settle, unbondings complete
    std::uint64_t blockMs = 5'000;       // block time step
    std::uint32_t honestProviders = 8;
    std::uint32_t flakyProviders = 4;
    std::uint32_t clients = 24;
    std::vector<Attack> attacks;  // switched on in this run
    // Ledger parameters changed from the defaults, by name (docs/ledger.md),
    // canonical decimal values: for sweeps of a rule's parameters.
    std::vector<std::pair<std::string, std::string>> params;
    // Self-test only: mints 1 uagr outside any tx at this height (0 = never),
    // which the per-block checks must report.
    std::uint64_t plantedMintHeight = 0;
};

// One coalition's figures in one run (uagr).
struct CoalitionLedger {
    std::uint64_t netWorth = 0;         // at the end: balances + provider stakes + unbonding + deposits held
    std::uint64_t fromOutsiders = 0;    // net received on leases an outsider paid to a coalition provider
    std::uint64_t toOutsiders = 0;      // gross paid by coalition clients to outsider providers
    std::uint64_t takeOnOwnLeases = 0;  // burned on leases between coalition accounts
    std::uint64_t fees = 0;             // every tx fee the coalition paid
    std::uint64_t slashed = 0;          // provider stake burned
    std::uint64_t unservedPaid = 0;     // paid by outsiders for seconds the coalition did not serve
    std::uint32_t bestRank = 0;         // best rank of a coalition provider by score (1 = top; 0 = none active)
    std::uint64_t txs = 0;
    std::uint64_t stateRecordsAdded = 0;  // spam: account records the coalition created
    std::uint64_t genesis = 0;            // what its accounts were funded with
    // netWorth + toOutsiders + takeOnOwnLeases + fees + slashed == genesis + fromOutsiders
    bool booksClose = false;
};

// One provider identity at the end of a run.
struct ProviderFigure {
    std::string name;
    bool honest = false;  // serves every lease it takes
    bool active = false;  // bonded: a client can lease from it
    std::uint32_t score = 0;
    std::uint64_t completed = 0;
    std::uint64_t earlyCloses = 0;
    std::uint64_t leasesFromClients = 0;  // leases honest clients opened with it
};

struct RunReport {
    std::uint64_t blocks = 0;
    std::uint64_t txs = 0;
    std::uint64_t txsOk = 0;
    std::uint64_t leases = 0;
    std::uint64_t leasesFailed = 0;  // leases a provider stopped serving
    std::uint64_t invariantChecks = 0;
    std::optional<std::string> invariantViolation;  // the first, with its height
    std::uint64_t unsettledAtEnd = 0;               // leases not settled after the wind-down (should be 0)
    // Reputation's ranking at the end: the probability (ppm) that an honest
    // provider scores above a dishonest one, ties half, over the bonded
    // providers that honest clients leased from at least once (the others
    // have no evidence to rank by: Wilson scores them 0 by design).
    std::uint32_t aucPpm = 0;
    std::uint32_t aucAllPpm = 0;  // the same over every bonded provider
    std::vector<ProviderFigure> providers;
    std::uint32_t honestRanked = 0;
    std::uint32_t dishonestRanked = 0;
    std::uint64_t minted = 0;
    std::uint64_t burned = 0;
    CoalitionLedger coalition[5];  // by Attack
};

RunReport runMarket(const MarketSimConfig& config);

struct AttackFigures {
    Attack attack = Attack::Whitewash;
    std::int64_t gain = 0;      // extra net receipts from outsiders vs the counterfactual
    std::int64_t cost = 0;      // extra spending vs the counterfactual
    std::int64_t net = 0;       // net worth vs the counterfactual (= gain - cost)
    std::int64_t rankGain = 0;  // counterfactual best rank - attack best rank (positive = climbed)
    std::uint64_t unservedPaid = 0;
    std::uint64_t stateRecordsAdded = 0;
    bool accountingCloses = false;  // net == gain - cost
    bool pays() const { return net > 0; }
};

struct SeedReport {
    std::uint64_t seed = 0;
    RunReport baseline;  // every coalition plays its counterpart
    RunReport full;      // every attack at once: the ranking figure
    std::vector<AttackFigures> attacks;
    std::uint64_t runs = 0;
    std::uint64_t invariantChecks = 0;    // over every run
    std::vector<std::string> violations;  // invariants or coalition books, any run
    bool invariantsHeld() const;          // in every run of the seed
};

// Runs the baseline, the full run, and one run per attack with that attack only.
SeedReport runSeed(MarketSimConfig config);

// One JSON object (one line) with the seed's figures.
std::string toJsonLine(const SeedReport& r);

}  // namespace agora::contracts::sim
