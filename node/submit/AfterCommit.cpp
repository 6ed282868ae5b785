#include "node/submit/AfterCommit.h"

#include "node/base/Logging.h"

namespace agora::node {

std::size_t AfterCommit::apply(const CommitOutcome& o) {
    mempool_.update(o.txHashes, *ledger_());
    std::size_t expired = 0;
    if (evidence_) {
        if (o.block) evidence_->markCommitted(o.block->evidence);
        // Expiry: what the next block may no longer carry leaves the pool.
        expired = evidence_->prune(admissible_);
        if (expired > 0) moduleLog("consensus")->info("{} pending evidence expired (no longer admissible)", expired);
    }
    for (std::size_t i = 0; i < o.txHashes.size() && i < o.results.txs.size(); ++i) {
        const auto& r = o.results.txs[i];
        waiters_.notify(o.txHashes[i], CommittedTx{o.height, static_cast<std::uint32_t>(i), r.code, r.message,
                                                   r.feeCharged, r.events});
    }
    auto events = blockEventsOf(o.height, o.txHashes, o.results);
    if (events_) events_->publish(events);
    for (const auto& observer : observers_) observer(o, events);
    return expired;
}

}  // namespace agora::node
