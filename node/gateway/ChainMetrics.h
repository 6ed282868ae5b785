#pragma once
// The node's chain metrics (docs/api.md, "Metrics"), kept incrementally:
// commit-time values on the consensus thread (onCommit: height, block
// interval, txs, missed blocks from the block's commit certificate), the
// marketplace gauges from each block's ledger events on the events thread
// (onBlockEvents: open jobs, open leases, escrow locked), and cheap reads at
// scrape time (mempool, consensus round/step). The marketplace gauges are
// seeded ONCE from state at startup (seed()); scrapes never scan state.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "consensus/core/CommitCertificate.h"
#include "consensus/core/ValidatorSet.h"
#include "consensus/state/StateStore.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/events/BlockEvents.h"
#include "node/mempool/Mempool.h"
#include "node/metrics/MetricsRegistry.h"

namespace agora::node {

class ChainMetrics {
public:
    ChainMetrics(MetricsRegistry& registry, const Mempool& mempool, std::function<ConsensusStatus()> consensus);

    // Open jobs, open leases and escrow locked from the state at `snapshot`.
    void seed(const state::StateSnapshot& snapshot, std::uint64_t height, std::uint64_t timeMs, ValidatorSet nextSet);
    // Consensus thread, after a block committed: `cert` decided it; the set
    // the node used for that height is the one passed on the previous call
    // (or to seed), `nextSet` the set for the next height.
    void onCommit(std::uint64_t height, std::uint64_t timeMs, std::size_t txs, const CommitCertificate& cert,
                  ValidatorSet nextSet);
    // Events thread, in height order.
    void onBlockEvents(const BlockEvents& block);

    std::int64_t openJobs() const { return openJobs_.value(); }
    std::int64_t openLeases() const { return openLeases_.value(); }
    std::int64_t escrowLocked() const { return escrowLocked_.value(); }

private:
    MetricsRegistry& registry_;
    Gauge& height_;
    Histogram& blockInterval_;
    Gauge& lastInterval_;
    Counter& txsCommitted_;
    Gauge& mempoolTxs_;
    Gauge& mempoolBytes_;
    Gauge& peers_;
    Gauge& round_;
    Gauge& step_;
    CounterFamily& missed_;
    Gauge& openJobs_;
    Gauge& openLeases_;
    Gauge& escrowLocked_;

    // Consensus thread.
    ValidatorSet decidingSet_;
    std::uint64_t lastTimeMs_ = 0;
    // Events thread: uagr still held for each unsettled lease.
    std::map<std::uint64_t, std::uint64_t> leaseLocked_;
};

}  // namespace agora::node
