#include "node/events/EventSearch.h"

#include <algorithm>
#include <iterator>

namespace agora::node {

Expected<EventSearchResult, std::string> searchStoredEvents(const EventHistory& history, const EventMatcher& matches,
                                                            std::uint64_t minHeight, std::uint64_t maxHeight,
                                                            std::size_t limit, std::uint64_t maxBlocks) {
    EventSearchResult page;
    const std::uint64_t base = std::max<std::uint64_t>(history.baseHeight(), 1);
    const std::uint64_t low = std::max(minHeight, base);
    std::uint64_t h = std::min(maxHeight, history.latestHeight());
    for (std::uint64_t scanned = 0; h >= low && h > 0; --h, ++scanned) {
        if (scanned == maxBlocks) {
            page.nextMaxHeight = h;
            return page;
        }
        auto events = history.load(h);
        if (!events) return Unexpected("height " + std::to_string(h) + ": " + events.error());
        std::vector<IndexedEvent> matched;
        for (const auto& e : (*events)->events)
            if (matches(e)) matched.push_back(e);
        if (!page.events.empty() && page.events.size() + matched.size() > limit) {
            page.nextMaxHeight = h;
            return page;
        }
        page.events.insert(page.events.end(), std::make_move_iterator(matched.rbegin()),
                           std::make_move_iterator(matched.rend()));
        page.lowestScanned = h;
    }
    return page;
}

}  // namespace agora::node
