#include "node/gateway/GatewayEvents.h"

#include "node/chain/BlockStore.h"
#include "node/events/EventSearch.h"

namespace agora::node {

std::vector<WsEvent> wsEventsOf(const BlockEvents& events, const Block* block) {
    std::vector<WsEvent> out;
    out.reserve(events.events.size() + 1);
    if (block) {
        const auto& h = block->header;
        WsEvent nb;
        nb.type = "new_block";
        nb.height = h.height;
        nb.attributes["height"] = std::to_string(h.height);
        nb.attributes["proposer"] = h.proposer.toBech32(kValidatorPrefix);
        nb.data = nlohmann::json{{"height", h.height},
                                 {"block_id", h.id().toHex()},
                                 {"time_ms", h.timeMs},
                                 {"num_txs", block->txs.size()},
                                 {"proposer", h.proposer.toBech32(kValidatorPrefix)},
                                 {"app_hash", h.appHash.toHex()}};
        out.push_back(std::move(nb));
    }
    for (const auto& ie : events.events) out.push_back(wsEventOf(ie));
    return out;
}

WsEvent wsEventOf(const IndexedEvent& ie) {
    WsEvent e;
    e.type = ie.event.type;
    e.height = ie.height;
    // First value of a repeated key wins (the filter's view of the event).
    for (const auto& a : ie.event.attributes) e.attributes.emplace(a.key, a.value);
    nlohmann::json attrs = nlohmann::json::array();
    for (const auto& a : ie.event.attributes) attrs.push_back(nlohmann::json{{"key", a.key}, {"value", a.value}});
    e.data = nlohmann::json{{"phase", std::string(eventPhaseName(ie.phase))}, {"attributes", std::move(attrs)}};
    if (ie.phase == EventPhase::Tx) {
        e.attributes.emplace("tx_hash", ie.txHash.toHex());
        e.data["tx_hash"] = ie.txHash.toHex();
        e.data["tx_index"] = ie.txIndex;
        if (ie.msgIndex) e.data["msg_index"] = *ie.msgIndex;
    }
    return e;
}

Expected<ReplayResult, std::string> replayEvents(const EventHistory& history, const BlockStore& blocks,
                                                 std::uint64_t fromHeight, const WsEventFilter& filter,
                                                 std::uint64_t maxBlocks) {
    const std::uint64_t from = fromHeight == 0 ? 1 : fromHeight;
    const std::uint64_t latest = history.latestHeight();
    const std::uint64_t base = history.baseHeight();
    ReplayResult r;
    if (from > latest) {
        // Nothing stored yet at from: everything from there on comes live.
        r.throughHeight = from - 1;
        return r;
    }
    if (base != 0 && from < base)
        return Unexpected("height " + std::to_string(from) + " is pruned (earliest stored " + std::to_string(base) +
                          ")");
    if (latest - from + 1 > maxBlocks)
        return Unexpected("from_height " + std::to_string(from) + " is more than " + std::to_string(maxBlocks) +
                          " blocks back (latest " + std::to_string(latest) + ")");
    for (std::uint64_t h = from; h <= latest; ++h) {
        auto events = history.load(h);
        if (!events) return Unexpected("height " + std::to_string(h) + ": " + events.error());
        const auto block = blocks.block(h);
        for (auto& e : wsEventsOf(**events, block ? &*block : nullptr)) {
            if (filter.matches(e)) r.events.push_back(std::move(e));
        }
    }
    r.throughHeight = latest;
    return r;
}

Expected<EventSearchPage, std::string> searchEvents(const EventHistory& history, const WsEventFilter& filter,
                                                    std::uint64_t minHeight, std::uint64_t maxHeight, std::size_t limit,
                                                    std::uint64_t maxBlocks) {
    auto found = searchStoredEvents(
        history, [&filter](const IndexedEvent& e) { return filter.matches(wsEventOf(e)); }, minHeight, maxHeight, limit,
        maxBlocks);
    if (!found) return Unexpected(found.error());
    EventSearchPage page;
    page.events.reserve(found->events.size());
    for (const auto& e : found->events) page.events.push_back(wsEventOf(e));
    page.nextMaxHeight = found->nextMaxHeight;
    page.lowestScanned = found->lowestScanned;
    return page;
}

}  // namespace agora::node
