#pragma once
// AfterCommit: the one step that runs after every committed block, whether
// consensus decided it or block sync applied it. In order:
//   1. the mempool drops the block's txs and re-checks the rest against the
//      new state (Mempool::update);
//   2. the evidence pool drops the evidence the block carried and what the
//      next block may no longer carry (EvidencePool::markCommitted, prune);
//   3. clients waiting for a tx in commit mode get its result (CommitWaiters);
//   4. the block's events go to the event bus (streams, WebSocket, history)
//      and to the observers (the HTTP gateway's metrics and WebSocket hub).
// It works from the CommitOutcome alone: the block as already decoded and
// its txs' hashes as already computed, so nothing is read back from LevelDB,
// decoded or hashed again after a commit (docs/architecture.md, "A tx's path").
// Runs on the committing thread (consensus executor or block sync); never
// blocks on a client (the event bus drops slow subscribers).

#include <functional>
#include <memory>
#include <vector>

#include "node/app/Application.h"
#include "node/consensus/EvidencePool.h"
#include "node/events/BlockEvents.h"
#include "node/events/EventBus.h"
#include "node/mempool/Mempool.h"
#include "node/submit/CommitWaiters.h"

namespace agora::node {

class AfterCommit {
public:
    using LedgerViewSource = std::function<std::shared_ptr<const MempoolLedgerView>()>;
    using Admissible = EvidencePool::Admissible;
    using Observer = std::function<void(const CommitOutcome&, const std::shared_ptr<const BlockEvents>&)>;

    // evidence and events may be null (a node part that is not there).
    AfterCommit(Mempool& mempool, LedgerViewSource ledger, EvidencePool* evidence, Admissible admissible,
                CommitWaiters& waiters, EventBus* events)
        : mempool_(mempool),
          ledger_(std::move(ledger)),
          evidence_(evidence),
          admissible_(std::move(admissible)),
          waiters_(waiters),
          events_(events) {}

    // Set up before the first commit (not thread-safe against apply()).
    void addObserver(Observer observer) { observers_.push_back(std::move(observer)); }

    // Returns how much pending evidence expired (for the committer's log).
    std::size_t apply(const CommitOutcome& outcome);

private:
    Mempool& mempool_;
    LedgerViewSource ledger_;
    EvidencePool* evidence_;
    Admissible admissible_;
    CommitWaiters& waiters_;
    EventBus* events_;
    std::vector<Observer> observers_;
};

}  // namespace agora::node
