#pragma once
// The bid engine (docs/provider.md "Bidding"): screens every open job the
// node reports for this provider, prices it and bids once. Jobs come from
// WatchJobs, which starts with a listing of the open jobs and then follows new
// ones; the agent re-opens it after every disconnect and restart, so a job
// created while the agent was away is still seen. A bid placed is recorded
// before the tx is sent, so a restarted agent never bids twice on a job.

#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agora/market/v1/market.pb.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/MarketTypes.h"
#include "contracts/Market.h"
#include "node/provider/AgentStore.h"
#include "node/provider/ChainClient.h"
#include "node/provider/PricePolicy.h"
#include "node/provider/ProviderConfig.h"
#include "node/provider/TxSender.h"

namespace agora::provider {

// What the chain says about this provider, read once per block.
struct ProviderView {
    Resources capacity;
    Resources reserved;
    std::vector<Attribute> attributes;
    Amount stake;
    std::uint64_t openLeases = 0;
    Amount minProviderStake;
    Amount stakePerLease;
};

struct BidStats {
    std::uint64_t seen = 0;
    std::uint64_t bids = 0;
    std::uint64_t skipped = 0;
    std::uint64_t withdrawn = 0;
    std::uint64_t bidTxs = 0;      // txs that carried bids
    std::uint64_t failedBids = 0;  // bids whose tx was refused or failed
};

// Why a job gets no bid; nullopt = bid.
std::optional<std::string> screenJob(const contracts::Job& job, const Address& self, const ProviderView& view,
                                     const Resources& heldByBids, std::uint64_t height, std::size_t openBids,
                                     std::uint32_t maxOpenBids);

class BidEngine {
public:
    BidEngine(const ProviderConfig& config, ChainClient& chain, TxSender& tx, AgentStore& store,
              const PricePolicy& prices);

    // From the WatchJobs thread.
    void enqueue(const agora::market::v1::JobNotice& notice);
    // On the agent thread: screens and bids on what is queued.
    void processQueue(std::uint64_t height, const ProviderView& view);
    // Every reconcile interval: forgets bids whose job closed and withdraws
    // open bids the provider could no longer serve.
    void reconcile(std::uint64_t height, const ProviderView& view);

    BidStats stats() const;
    std::size_t openBidCount() const;

private:
    struct OpenBid {
        std::uint64_t jobId = 0;
        Resources resources;
        std::uint64_t biddingEndHeight = 0;
    };
    Resources heldByBids() const;
    // Stops holding capacity for bids whose job can no longer take them: once
    // the bidding window has passed, the job is leased (the chain's
    // `reserved` then counts the lease) or expired.
    void releaseEnded(std::uint64_t height);
    // A bid screened, priced and recorded, not yet sent.
    struct PlannedBid {
        contracts::Job job;
        Amount price;
        nlohmann::json record;
    };
    // A bid tx in flight: its result decides whether its bids stand.
    struct SentBids {
        Hash256 txHash;
        std::uint64_t sentHeight = 0;
        std::vector<contracts::Job> jobs;
    };
    // Screens and prices a job; nullopt = no bid. A job with a bid record is
    // skipped unless `retry` (its earlier tx failed: nothing was placed).
    std::optional<PlannedBid> plan(const contracts::Job& job, std::uint64_t height, const ProviderView& view,
                                   bool retry);
    // Records the planned bids (one synced write per tx) and sends them in txs
    // of up to kBidsPerTx messages.
    void sendBids(std::vector<PlannedBid> planned, std::uint64_t height, std::size_t bidsPerTx);
    // Reads the results of the bid txs in flight; the bids of a failed tx are
    // dropped and, when the tx carried several, each is tried again alone (one
    // job gone from under a batch must not cost the others their bid).
    void checkSent(std::uint64_t height);
    void dropBid(std::uint64_t jobId, const std::string& state, const std::string& why);

    const ProviderConfig& config_;
    ChainClient& chain_;
    TxSender& tx_;
    AgentStore& store_;
    const PricePolicy& prices_;

    mutable std::mutex queueMutex_;
    std::deque<agora::market::v1::JobNotice> queue_;
    std::vector<OpenBid> open_;          // agent thread only
    std::vector<SentBids> sent_;         // agent thread only
    std::vector<contracts::Job> retry_;  // agent thread only: bid again, alone
    std::uint64_t lastChecked_ = 0;
    Resources held_;  // sum of open_'s resources
    BidStats stats_;  // guarded by queueMutex_
};

}  // namespace agora::provider
