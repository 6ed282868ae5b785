#pragma once
// Typed access to ledger state: values are canonical codec bytes. A value
// that fails to decode was written by this code, so a failure means the
// node's state is corrupt and continuing would diverge: that aborts.

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "consensus/core/Codec.h"
#include "consensus/state/StateView.h"
#include "contracts/Keys.h"

namespace agora::contracts {

class Store {
public:
    explicit Store(state::StateWriter& state) : state_(state) {}

    template <typename T>
    std::optional<T> load(const Bytes& key) const {
        auto raw = state_.get(key);
        if (!raw) return std::nullopt;
        auto v = decode<T>(*raw);
        if (!v) std::abort();  // corrupt state: never continue on it
        return std::move(v).value();
    }
    template <typename T>
    void save(const Bytes& key, const T& value) {
        state_.put(key, encode(value));
    }
    void mark(const Bytes& key) { state_.put(key, Bytes{}); }
    void erase(const Bytes& key) { state_.erase(key); }
    bool contains(const Bytes& key) const { return state_.contains(key); }

    std::uint64_t loadU64(const Bytes& key) const;
    void saveU64(const Bytes& key, std::uint64_t v);
    // Returns the next id of a counter (starting at 1) and advances it.
    std::uint64_t nextId(keys::Counter c);

    // Keys under a prefix, in ascending order (at most `limit`).
    std::vector<Bytes> keysWithPrefix(const Bytes& prefix, std::size_t limit = SIZE_MAX) const;
    // Keys of an index laid out as `p u64(order) ...` whose order is <= `bound`,
    // in ascending order. Visits one key past them, so the cost is O(result).
    std::vector<Bytes> keysUpTo(std::uint8_t p, std::uint64_t bound) const;

    state::StateWriter& raw() { return state_; }
    const state::StateWriter& raw() const { return state_; }

private:
    state::StateWriter& state_;
};

}  // namespace agora::contracts
