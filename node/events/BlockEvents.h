#pragma once
// Every event of one committed block, in the order a subscriber sees them:
// the begin-block events, then each tx's events (tx order, then emission
// order), then the end-block events. Built from a CommitOutcome when a block
// commits, or rebuilt from the block store (the block's txs and its stored
// BlockResults, key spaces 0x10 and 0x14), so no second copy is stored:
// the stored results are the event index, addressable by height.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "consensus/state/Event.h"
#include "node/chain/BlockResults.h"

namespace agora::node {

class Application;

enum class EventPhase : std::uint8_t { BeginBlock = 0, Tx = 1, EndBlock = 2 };
std::string_view eventPhaseName(EventPhase p);

struct IndexedEvent {
    std::uint64_t height = 0;
    EventPhase phase = EventPhase::BeginBlock;
    std::uint32_t txIndex = 0;              // Tx phase only
    Hash256 txHash;                         // Tx phase only
    std::optional<std::uint32_t> msgIndex;  // from the ledger's trailing `msg_index` attribute
    state::Event event;
};

struct BlockEvents {
    std::uint64_t height = 0;
    std::vector<IndexedEvent> events;
};

// txHashes[i] is the hash of the tx whose outcome is results.txs[i].
std::shared_ptr<const BlockEvents> blockEventsOf(std::uint64_t height, const std::vector<Hash256>& txHashes,
                                                 const BlockResults& results);

// Where a subscriber replays past heights from.
class EventHistory {
public:
    virtual ~EventHistory() = default;
    virtual std::uint64_t baseHeight() const = 0;    // oldest stored block (0 = none)
    virtual std::uint64_t latestHeight() const = 0;  // newest stored block (0 = none)
    virtual Expected<std::shared_ptr<const BlockEvents>, std::string> load(std::uint64_t height) const = 0;
};

// Reads the node's block store; thread-safe (point reads). The latest height
// comes from Application::lastHeight() (mutex-guarded, set after the block's
// batch is written), so every height it reports is readable.
class StoredEventHistory final : public EventHistory {
public:
    explicit StoredEventHistory(const Application& app) : app_(app) {}
    std::uint64_t baseHeight() const override;
    std::uint64_t latestHeight() const override;
    Expected<std::shared_ptr<const BlockEvents>, std::string> load(std::uint64_t height) const override;

private:
    const Application& app_;
};

}  // namespace agora::node
