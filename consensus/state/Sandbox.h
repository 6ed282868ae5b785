#pragma once
// Sandbox: a write overlay over a parent state. Reads see the overlay first,
// then the parent. Nothing reaches the parent until commit(); dropping the
// sandbox discards every write. Sandboxes nest (a sandbox's parent may be a
// sandbox), which is how a failing message is rolled back while its tx fee,
// charged in the outer sandbox, stays.

#include <map>
#include <optional>

#include "consensus/state/StateView.h"

namespace agora::state {

class Sandbox final : public StateWriter {
public:
    // Overlay over a writable parent: commit() writes into it.
    explicit Sandbox(StateWriter& parent) : base_(parent), parent_(&parent) {}
    // Overlay over a read-only base (e.g. a committed snapshot): take the
    // result with changes() or commitTo().
    explicit Sandbox(const StateReader& base) : base_(base) {}
    // Sandbox inner(outer) stacks on outer (it is not a copy). Copies and
    // moves would silently fork the overlay, so there are none.
    explicit Sandbox(Sandbox& parent) : Sandbox(static_cast<StateWriter&>(parent)) {}
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    std::optional<Bytes> get(ByteSpan key) const override;
    void scan(ByteSpan prefix, ByteSpan start, const ScanVisitor& visit) const override;
    void put(ByteSpan key, ByteSpan value) override;
    void erase(ByteSpan key) override;

    // Writes every change into the parent (in key order) and clears the overlay.
    // Only for a sandbox built over a writable parent.
    void commit();
    // Writes every change into target (in key order) and clears the overlay.
    void commitTo(StateWriter& target);
    // Discards every change.
    void discard() { writes_.clear(); }

    // Pending changes: key -> new value, or nullopt for a deletion.
    const std::map<Bytes, std::optional<Bytes>>& changes() const { return writes_; }

private:
    const StateReader& base_;
    StateWriter* parent_ = nullptr;
    std::map<Bytes, std::optional<Bytes>> writes_;
};

// A plain in-memory state (tests, genesis building, simulations).
class MemoryState final : public StateWriter {
public:
    std::optional<Bytes> get(ByteSpan key) const override;
    void scan(ByteSpan prefix, ByteSpan start, const ScanVisitor& visit) const override;
    void put(ByteSpan key, ByteSpan value) override;
    void erase(ByteSpan key) override;

    const std::map<Bytes, Bytes>& entries() const { return entries_; }

private:
    std::map<Bytes, Bytes> entries_;
};

}  // namespace agora::state
