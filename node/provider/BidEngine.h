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
#include <string>
#include <vector>

#include "agora/market/v1/market.pb.h"
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
    void handle(const contracts::Job& job, std::uint64_t height, const ProviderView& view);

    const ProviderConfig& config_;
    ChainClient& chain_;
    TxSender& tx_;
    AgentStore& store_;
    const PricePolicy& prices_;

    mutable std::mutex queueMutex_;
    std::deque<agora::market::v1::JobNotice> queue_;
    std::vector<OpenBid> open_;  // agent thread only
    Resources held_;             // sum of open_'s resources
    BidStats stats_;             // guarded by queueMutex_
};

}  // namespace agora::provider
