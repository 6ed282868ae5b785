#include "consensus/state/Sandbox.h"

#include <algorithm>
#include <cstdlib>

namespace agora::state {
namespace {

bool hasPrefix(ByteSpan key, ByteSpan prefix) {
    return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

Bytes toBytes(ByteSpan s) {
    return Bytes(s.begin(), s.end());
}

// The first key to visit: max(prefix, start).
Bytes scanFrom(ByteSpan prefix, ByteSpan start) {
    Bytes p = toBytes(prefix);
    Bytes s = toBytes(start);
    return s > p ? s : p;
}

}  // namespace

std::optional<Bytes> Sandbox::get(ByteSpan key) const {
    auto it = writes_.find(toBytes(key));
    if (it != writes_.end()) return it->second;
    return base_.get(key);
}

void Sandbox::scan(ByteSpan prefix, ByteSpan start, const ScanVisitor& visit) const {
    // Merge the parent's ordered scan with the overlay's ordered writes.
    const Bytes from = scanFrom(prefix, start);
    auto ov = writes_.lower_bound(from);
    auto overlayLive = [&] { return ov != writes_.end() && hasPrefix(ov->first, prefix); };
    bool stopped = false;

    // Emits overlay entries with key < bound (or all when bound is null); false when the visitor stopped.
    auto drainOverlayBelow = [&](const Bytes* bound) {
        while (overlayLive() && (bound == nullptr || ov->first < *bound)) {
            if (ov->second && !visit(ov->first, *ov->second)) return false;
            ++ov;
        }
        return true;
    };

    base_.scan(prefix, start, [&](ByteSpan key, ByteSpan value) {
        const Bytes k = toBytes(key);
        if (!drainOverlayBelow(&k)) {
            stopped = true;
            return false;
        }
        if (overlayLive() && ov->first == k) {
            const auto& entry = *ov++;
            if (!entry.second) return true;  // deleted in the overlay
            if (!visit(entry.first, *entry.second)) {
                stopped = true;
                return false;
            }
            return true;
        }
        if (!visit(key, value)) {
            stopped = true;
            return false;
        }
        return true;
    });
    if (!stopped) drainOverlayBelow(nullptr);
}

void Sandbox::put(ByteSpan key, ByteSpan value) {
    writes_[toBytes(key)] = toBytes(value);
}

void Sandbox::erase(ByteSpan key) {
    writes_[toBytes(key)] = std::nullopt;
}

void Sandbox::commit() {
    if (parent_ == nullptr) std::abort();  // programming error: read-only base
    commitTo(*parent_);
}

void Sandbox::commitTo(StateWriter& target) {
    for (const auto& [key, value] : writes_) {
        if (value)
            target.put(key, *value);
        else
            target.erase(key);
    }
    writes_.clear();
}

std::optional<Bytes> MemoryState::get(ByteSpan key) const {
    auto it = entries_.find(toBytes(key));
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

void MemoryState::scan(ByteSpan prefix, ByteSpan start, const ScanVisitor& visit) const {
    for (auto it = entries_.lower_bound(scanFrom(prefix, start)); it != entries_.end() && hasPrefix(it->first, prefix);
         ++it)
        if (!visit(it->first, it->second)) return;
}

void MemoryState::put(ByteSpan key, ByteSpan value) {
    entries_[toBytes(key)] = toBytes(value);
}

void MemoryState::erase(ByteSpan key) {
    entries_.erase(toBytes(key));
}

}  // namespace agora::state
