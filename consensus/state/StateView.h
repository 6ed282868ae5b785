#pragma once
// The key/value view of ledger state that contracts read and write.
// Keys and values are canonical bytes. Iteration is in ascending byte order
// of keys, so it is deterministic across nodes and implementations.

#include <functional>
#include <optional>

#include "consensus/core/Bytes.h"

namespace agora::state {

// Return false from a visitor to stop the scan.
using ScanVisitor = std::function<bool(ByteSpan key, ByteSpan value)>;

class StateReader {
public:
    virtual ~StateReader() = default;
    virtual std::optional<Bytes> get(ByteSpan key) const = 0;
    // Visits every key that starts with `prefix` and is >= `start` (an empty
    // start means from the beginning of the prefix), in ascending order.
    virtual void scan(ByteSpan prefix, ByteSpan start, const ScanVisitor& visit) const = 0;
    bool contains(ByteSpan key) const { return get(key).has_value(); }
};

class StateWriter : public StateReader {
public:
    virtual void put(ByteSpan key, ByteSpan value) = 0;
    virtual void erase(ByteSpan key) = 0;
};

}  // namespace agora::state
