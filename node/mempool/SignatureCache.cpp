#include "node/mempool/SignatureCache.h"

namespace agora::node {

void SignatureCache::markVerified(const Hash256& txHash) {
    std::lock_guard lock(mu_);
    if (!verified_.insert(txHash).second) return;
    order_.push_back(txHash);
    while (order_.size() > capacity_) {
        verified_.erase(order_.front());
        order_.pop_front();
    }
}

bool SignatureCache::isVerified(const Hash256& txHash) const {
    std::lock_guard lock(mu_);
    return verified_.count(txHash) != 0;
}

std::size_t SignatureCache::size() const {
    std::lock_guard lock(mu_);
    return verified_.size();
}

}  // namespace agora::node
