#pragma once
// Remembers which signed txs (by tx hash) have a verified signature, so a tx
// is verified once between mempool admission and block execution. The tx
// hash covers body and signature, so a hit means these exact bytes verified.
// Bounded: the oldest entries are forgotten first. Thread-safe.

#include <cstddef>
#include <deque>
#include <mutex>
#include <set>

#include "consensus/core/Hash256.h"

namespace agora::node {

class SignatureCache {
public:
    explicit SignatureCache(std::size_t capacity = 200'000) : capacity_(capacity) {}

    void markVerified(const Hash256& txHash);
    bool isVerified(const Hash256& txHash) const;
    std::size_t size() const;

private:
    std::size_t capacity_;
    mutable std::mutex mu_;
    std::set<Hash256> verified_;
    std::deque<Hash256> order_;
};

}  // namespace agora::node
