#pragma once
// Callers waiting for a tx to commit (Broadcast in commit mode). The block
// committer calls notify() for every tx of a committed block; each waiter is
// called exactly once: on commit, or with cancelled = true when it gives up.
// Thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "consensus/core/Hash256.h"
#include "consensus/state/Event.h"

namespace agora::node {

struct CommittedTx {
    std::uint64_t height = 0;
    std::uint32_t index = 0;
    std::uint16_t code = 0;
    std::string message;
    std::uint64_t feeCharged = 0;
    std::vector<state::Event> events;
};

class CommitWaiters {
public:
    using Callback = std::function<void(const CommittedTx&)>;

    // Returns a ticket for cancel().
    std::uint64_t wait(const Hash256& txHash, Callback onCommit);
    // Removes the waiter; true when it was still waiting (it will never be called).
    bool cancel(std::uint64_t ticket);
    void notify(const Hash256& txHash, const CommittedTx& result);
    std::size_t size() const;

private:
    mutable std::mutex mu_;
    std::uint64_t nextTicket_ = 1;
    std::multimap<Hash256, std::pair<std::uint64_t, Callback>> waiters_;
};

}  // namespace agora::node
