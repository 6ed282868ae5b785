#pragma once
// The WebSocket form of a committed block's events (docs/api.md, "Events"):
// first a `new_block` event (header summary), then the block's ledger events
// in EventBus order. Built the same way live (from the EventBus's
// BlockEvents) and on replay (from the EventHistory), so a resumed client
// sees exactly what a live one saw.

#include <cstdint>
#include <optional>
#include <vector>

#include "consensus/core/Block.h"
#include "node/chain/BlockStore.h"
#include "node/events/BlockEvents.h"
#include "node/http/WsEvent.h"
#include "node/http/WsHub.h"

namespace agora::node {

// block may be absent (pruned or unreadable): no new_block event then.
std::vector<WsEvent> wsEventsOf(const BlockEvents& events, const Block* block);
// One ledger event in the WebSocket form (tx_hash joins its attributes).
WsEvent wsEventOf(const IndexedEvent& event);

// Replay for WsHub: heights from..latest of history, at most maxBlocks of them.
Expected<ReplayResult, std::string> replayEvents(const EventHistory& history, const BlockStore& blocks,
                                                 std::uint64_t fromHeight, const WsEventFilter& filter,
                                                 std::uint64_t maxBlocks);

// GET /v1/events/search: searchStoredEvents (node/events/EventSearch.h) with
// the WebSocket filter over the WebSocket form of each event.
// new_block events are not searched (GET /v1/blocks lists blocks).
struct EventSearchPage {
    std::vector<WsEvent> events;      // newest first; a block's events in reverse emission order
    std::uint64_t nextMaxHeight = 0;  // pass as max_height to continue; 0 = minHeight reached
    std::uint64_t lowestScanned = 0;  // lowest height examined by this page (0 if none)
};
Expected<EventSearchPage, std::string> searchEvents(const EventHistory& history, const WsEventFilter& filter,
                                                    std::uint64_t minHeight, std::uint64_t maxHeight, std::size_t limit,
                                                    std::uint64_t maxBlocks);

}  // namespace agora::node
