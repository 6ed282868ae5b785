#pragma once
// StateQueries: the ledger reads of the service layer (design decision 39),
// shared by gRPC (QueryService, StakingService), the HTTP gateway's routes
// and, through gRPC, the CLI. Over ONE committed state snapshot, so every
// answer of a call belongs to one height. Returns the typed views of
// node/views (filled by node/query/RecordViews, design decision 40), never
// JSON or protobuf: those are made at the edges with each view's mapping. Records are read through the
// contracts' own accessors (Providers::get, Market::bid, ...) and derived
// values (free capacity, lease accrual, reputation score) come from the
// contracts' functions, never from a second copy of the math.
//
// Listings are paginated by state key: a page starts at PageSpec::start (an
// opaque cursor = the next state key to examine, from the previous page's
// nextKey) and nextKey is empty when nothing is left. Listings that filter
// (providers, leases of a client and a provider, closed bids, validators without the jailed)
// examine at most kScanBudget records per page, so a page may hold fewer
// than `limit` items, even none, while nextKey is not empty: keep paging
// until it is. Indexed listings (open jobs, the open bids of a job) never
// come short.
//
// Thread-safe: every call reads only the snapshot.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Expected.h"
#include "consensus/state/StateStore.h"
#include "contracts/Bank.h"
#include "contracts/Gov.h"
#include "contracts/Leases.h"
#include "contracts/Market.h"
#include "contracts/Params.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/Staking.h"
#include "node/query/QueryTypes.h"
#include "node/views/AccountView.h"
#include "node/views/GovViews.h"
#include "node/views/MarketViews.h"
#include "node/views/StakingViews.h"

namespace agora::node {

struct ProviderFilter {
    std::vector<Attribute> attributes;  // all must be among the provider's (exact key and value)
    std::uint64_t minFreeCpuMillicores = 0;
    std::uint64_t minFreeMemoryMib = 0;
    std::uint64_t minFreeStorageGib = 0;
    std::string gpuModel;           // empty = no GPU requirement
    std::uint32_t minFreeGpus = 0;  // of gpuModel (1 when gpuModel is set and this is 0)
};

// The mempool's next nonce for a sender (nullopt: nothing pending).
using PendingNonce = std::function<std::optional<std::uint64_t>(const Address&)>;

// A lease's escrow as the ledger would settle it at `height` (at its block time).
struct EscrowView {
    contracts::Lease lease;         // as stored (accrual is lazy)
    Amount accrued;                 // stored accrued + what accrues up to height
    Amount remaining;               // escrow left after that accrual
    std::uint64_t paidThrough = 0;  // block time (ms)
    std::uint64_t dryTime = 0;      // see EscrowResponse.dry_time
    std::uint64_t height = 0;
    std::uint64_t time = 0;  // block time (ms) of `height`
};

// "" -> no filter; else a proposal status name (InvalidArgument otherwise).
QueryResult<std::optional<contracts::ProposalStatus>> proposalStatusFilter(std::string_view name);

// Parses a bech32 account address; `field` names it in the error.
QueryResult<Address> parseAddress(std::string_view text, std::string_view field);

class StateQueries {
public:
    explicit StateQueries(std::shared_ptr<const state::StateSnapshot> snapshot);

    std::uint64_t height() const { return snapshot_->version(); }
    const std::shared_ptr<const state::StateSnapshot>& snapshot() const { return snapshot_; }
    const contracts::Params& params() const { return params_; }
    // Every parameter by name, in contracts::paramInfos order.
    ParamsView paramsView() const;

    // DataLoss when the stored record does not decode. Without `pending`
    // (no mempool) pendingNonce is the account's nonce.
    QueryResult<AccountView> account(const Address& a, const PendingNonce& pending = {}) const;
    QueryResult<ProviderView> provider(const Address& a) const;
    QueryResult<Page<ProviderView>> providers(const ProviderFilter& filter, const PageSpec& page) const;
    QueryResult<JobView> job(std::uint64_t id) const;
    // Jobs open for bidding, from the open-jobs index (by bidding end height,
    // then id); never short.
    QueryResult<Page<JobView>> openJobs(const PageSpec& page) const;
    // Open bids from the job's index; includeClosed scans every bid (budgeted).
    QueryResult<Page<BidView>> bids(std::uint64_t jobId, bool includeClosed, const PageSpec& page) const;
    QueryResult<LeaseView> lease(std::uint64_t id) const;
    // Leases whose client is `client` and/or whose provider is `provider`
    // (at least one), in lease id order, from the ledger's party indexes:
    // O(that party's leases). One party: never short; both: budgeted filter.
    QueryResult<Page<LeaseView>> leases(const std::optional<Address>& client, const std::optional<Address>& provider,
                                        const PageSpec& page) const;
    // `blockTimeMs` is the time of the block this state is at (the state does
    // not hold it: Application::blockTimeMs): accrual runs to it, as the
    // ledger's would.
    QueryResult<EscrowView> escrow(std::uint64_t leaseId, std::uint64_t blockTimeMs) const;
    // NotFound unless the address is a registered provider or has a record.
    QueryResult<ReputationView> reputation(const Address& provider) const;
    QueryResult<Page<ValidatorView>> validators(bool includeJailed, const PageSpec& page) const;
    // Zeros for an address without a record (never NotFound).
    ClientRecordView clientRecord(const Address& client) const;
    QueryResult<ProposalView> proposal(std::uint64_t id) const;
    // Every proposal by id, optionally only those of one status (budgeted scan).
    QueryResult<Page<ProposalView>> proposals(const std::optional<contracts::ProposalStatus>& status,
                                              const PageSpec& page) const;

private:
    std::shared_ptr<const state::StateSnapshot> snapshot_;
    contracts::Params params_;
    state::BlockContext block_;  // the latest committed height
};

}  // namespace agora::node
