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
std::vector<WsEvent> wsEventsOf(const BlockEvents& events, const std::optional<Block>& block);

// Replay for WsHub: heights from..latest of history, at most maxBlocks of them.
Expected<ReplayResult, std::string> replayEvents(const EventHistory& history, const BlockStore& blocks,
                                                 std::uint64_t fromHeight, const WsEventFilter& filter,
                                                 std::uint64_t maxBlocks);

}  // namespace agora::node
