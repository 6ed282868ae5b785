#pragma once
// Remembers which signed txs (by tx hash) have a verified signature, so a tx
// is verified once between mempool admission and block execution. The tx
// hash covers body and signature, so a hit means these exact bytes verified.
// Bounded: the oldest entries are forgotten first. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_set>

#include "consensus/core/Hash256.h"

namespace agora::node {

class SignatureCache {
public:
    explicit SignatureCache(std::size_t capacity = 200'000);

    void markVerified(const Hash256& txHash);
    bool isVerified(const Hash256& txHash) const;
    std::size_t size() const;

private:
    // Every tx is looked up at admission and again at execution: a hash set
    // instead of an ordered set (32-byte memcmp per tree level). Keyed with a
    // per-process secret so that ground tx hashes cannot pile into one bucket.
    struct KeyedHash {
        std::uint64_t seed = 0;
        std::size_t operator()(const Hash256& h) const;
    };

    std::size_t capacity_;
    mutable std::mutex mu_;
    std::unordered_set<Hash256, KeyedHash> verified_;
    std::deque<Hash256> order_;
};

}  // namespace agora::node
