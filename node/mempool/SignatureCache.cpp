#include "node/mempool/SignatureCache.h"

#include <cstring>
#include <random>

namespace agora::node {

namespace {
// splitmix64's finaliser: every output bit depends on every input bit.
std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
}  // namespace

std::size_t SignatureCache::KeyedHash::operator()(const Hash256& h) const {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::memcpy(&a, h.bytes().data(), sizeof a);
    std::memcpy(&b, h.bytes().data() + sizeof a, sizeof b);
    return static_cast<std::size_t>(mix(mix(a ^ seed) ^ b));
}

SignatureCache::SignatureCache(std::size_t capacity)
    : capacity_(capacity),
      verified_(0, KeyedHash{(std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()}) {
    verified_.reserve(capacity_ + 1);
}

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
