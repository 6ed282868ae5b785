#include "node/events/BlockEvents.h"

#include <charconv>

#include "node/app/Application.h"

namespace agora::node {

std::string_view eventPhaseName(EventPhase p) {
    switch (p) {
        case EventPhase::BeginBlock:
            return "begin_block";
        case EventPhase::Tx:
            return "tx";
        case EventPhase::EndBlock:
            return "end_block";
    }
    return "unknown";
}

namespace {
std::optional<std::uint32_t> msgIndexOf(const state::Event& e) {
    // The ledger appends msg_index last to every message event (docs/ledger.md).
    if (e.attributes.empty() || e.attributes.back().key != "msg_index") return std::nullopt;
    const std::string& v = e.attributes.back().value;
    std::uint32_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
    return n;
}
}  // namespace

std::shared_ptr<const BlockEvents> blockEventsOf(std::uint64_t height, const std::vector<Hash256>& txHashes,
                                                 const BlockResults& results) {
    auto out = std::make_shared<BlockEvents>();
    out->height = height;
    auto add = [&](EventPhase phase, std::uint32_t txIndex, const Hash256& hash, const state::Event& e) {
        out->events.push_back(IndexedEvent{height, phase, txIndex, hash, msgIndexOf(e), e});
    };
    for (const auto& e : results.beginEvents) add(EventPhase::BeginBlock, 0, Hash256{}, e);
    for (std::size_t i = 0; i < results.txs.size(); ++i) {
        const Hash256 hash = i < txHashes.size() ? txHashes[i] : Hash256{};
        for (const auto& e : results.txs[i].events) add(EventPhase::Tx, static_cast<std::uint32_t>(i), hash, e);
    }
    for (const auto& e : results.endEvents) add(EventPhase::EndBlock, 0, Hash256{}, e);
    return out;
}

std::uint64_t StoredEventHistory::baseHeight() const {
    return app_.lastHeight() == 0 ? 0 : app_.blocks().baseHeight();
}
std::uint64_t StoredEventHistory::latestHeight() const {
    return app_.lastHeight();
}

Expected<std::shared_ptr<const BlockEvents>, std::string> StoredEventHistory::load(std::uint64_t height) const {
    auto block = app_.blocks().block(height);
    auto raw = app_.blocks().results(height);
    if (!block || !raw) return Unexpected("block " + std::to_string(height) + " is not stored");
    auto results = decode<BlockResults>(*raw);
    if (!results) return Unexpected("stored results of block " + std::to_string(height) + " do not decode");
    std::vector<Hash256> hashes;
    hashes.reserve(block->txs.size());
    for (const auto& tx : block->txs) hashes.push_back(sha256(tx));
    return blockEventsOf(height, hashes, *results);
}

}  // namespace agora::node
