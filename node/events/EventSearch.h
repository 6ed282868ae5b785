#pragma once
// One page of a search through stored events, newest first: heights
// maxHeight, maxHeight-1, ... down to minHeight, at most maxBlocks of them and
// at most `limit` events (a block's matches are never split across pages, so a
// page can exceed `limit` by what one block holds when it is the first).
// The one implementation behind GET /v1/events/search (WebSocket event shape
// and filter) and EventService.Search (gRPC Event and EventFilter).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "node/events/BlockEvents.h"

namespace agora::node {

// Most blocks one search page examines (both transports answer on a thread
// that must not scan a whole chain).
inline constexpr std::uint64_t kEventSearchBlocksMax = 1'000;
// Most events a caller may ask one page for.
inline constexpr std::uint64_t kEventSearchLimitMax = 1'000;

struct EventSearchResult {
    std::vector<IndexedEvent> events;  // newest first; a block's events in reverse emission order
    std::uint64_t nextMaxHeight = 0;   // pass as max_height to continue; 0 = minHeight reached
    std::uint64_t lowestScanned = 0;   // lowest height examined by this page (0 if none)
};

using EventMatcher = std::function<bool(const IndexedEvent&)>;

Expected<EventSearchResult, std::string> searchStoredEvents(const EventHistory& history, const EventMatcher& matches,
                                                            std::uint64_t minHeight, std::uint64_t maxHeight,
                                                            std::size_t limit, std::uint64_t maxBlocks);

}  // namespace agora::node
