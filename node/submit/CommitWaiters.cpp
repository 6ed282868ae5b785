#include "node/submit/CommitWaiters.h"

#include <vector>

namespace agora::node {

std::uint64_t CommitWaiters::wait(const Hash256& txHash, Callback onCommit) {
    std::lock_guard lock(mu_);
    const std::uint64_t ticket = nextTicket_++;
    waiters_.emplace(txHash, std::make_pair(ticket, std::move(onCommit)));
    return ticket;
}

bool CommitWaiters::cancel(std::uint64_t ticket) {
    std::lock_guard lock(mu_);
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
        if (it->second.first == ticket) {
            waiters_.erase(it);
            return true;
        }
    }
    return false;
}

void CommitWaiters::notify(const Hash256& txHash, const CommittedTx& result) {
    std::vector<Callback> ready;
    {
        std::lock_guard lock(mu_);
        auto [begin, end] = waiters_.equal_range(txHash);
        for (auto it = begin; it != end; ++it) ready.push_back(std::move(it->second.second));
        waiters_.erase(begin, end);
    }
    // Outside the lock: a callback may finish an RPC.
    for (auto& cb : ready) cb(result);
}

std::size_t CommitWaiters::size() const {
    std::lock_guard lock(mu_);
    return waiters_.size();
}

}  // namespace agora::node
