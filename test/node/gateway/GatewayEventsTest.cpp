// GET /v1/events/search pages (searchEvents): newest first, bounded by a
// block budget, a block's events never split, and a cursor that continues
// exactly where a page stopped.
#include <catch2/catch.hpp>

#include <map>

#include "node/gateway/GatewayEvents.h"

using namespace agora;
using namespace agora::node;

namespace {

// Heights base..latest; height h holds h % 3 `transfer` events (so 0, 1 or 2) and one `reward`.
class FakeHistory final : public EventHistory {
public:
    FakeHistory(std::uint64_t base, std::uint64_t latest) : base_(base), latest_(latest) {}
    std::uint64_t baseHeight() const override { return base_; }
    std::uint64_t latestHeight() const override { return latest_; }
    Expected<std::shared_ptr<const BlockEvents>, std::string> load(std::uint64_t height) const override {
        ++loads[height];
        if (height < base_ || height > latest_) return Unexpected(std::string("not stored"));
        auto b = std::make_shared<BlockEvents>();
        b->height = height;
        for (std::uint64_t i = 0; i < height % 3; ++i) {
            IndexedEvent e;
            e.height = height;
            e.phase = EventPhase::Tx;
            e.event.type = "transfer";
            e.event.attributes = {{"n", std::to_string(i)}, {"to", height % 2 == 0 ? "even" : "odd"}};
            b->events.push_back(e);
        }
        IndexedEvent r;
        r.height = height;
        r.phase = EventPhase::EndBlock;
        r.event.type = "reward";
        b->events.push_back(r);
        return std::shared_ptr<const BlockEvents>(std::move(b));
    }
    mutable std::map<std::uint64_t, int> loads;

private:
    std::uint64_t base_;
    std::uint64_t latest_;
};

WsEventFilter transfers(std::map<std::string, std::string> attrs = {}) {
    WsEventFilter f;
    f.types = {"transfer"};
    f.attributes = std::move(attrs);
    return f;
}

}  // namespace

TEST_CASE("event search lists matches newest first, a block's events in reverse order, without new_block",
          "[gateway]") {
    FakeHistory history(1, 10);
    auto page = searchEvents(history, WsEventFilter{}, 9, 10, 100, 1000);
    REQUIRE(page.hasValue());
    // Height 10: one transfer + reward; height 9: reward only.
    REQUIRE(page->events.size() == 3);
    CHECK(page->events[0].height == 10);
    CHECK(page->events[0].type == "reward");
    CHECK(page->events[1].type == "transfer");
    CHECK(page->events[2].height == 9);
    CHECK(page->nextMaxHeight == 0);
    CHECK(page->lowestScanned == 9);
}

TEST_CASE("event search pages never split a block and continue exactly where they stopped", "[gateway]") {
    FakeHistory history(1, 30);
    std::vector<std::pair<std::uint64_t, std::string>> all;
    std::uint64_t maxHeight = 30;
    int pages = 0;
    do {
        auto page = searchEvents(history, transfers(), 1, maxHeight, 3, 1000);
        REQUIRE(page.hasValue());
        REQUIRE(page->events.size() <= 3);
        for (const auto& e : page->events) all.emplace_back(e.height, e.attributes.at("n"));
        maxHeight = page->nextMaxHeight;
        ++pages;
    } while (maxHeight != 0 && pages < 100);
    // Every transfer once: heights with h % 3 == 1 hold one, h % 3 == 2 hold two.
    std::vector<std::pair<std::uint64_t, std::string>> expected;
    for (std::uint64_t h = 30; h >= 1; --h) {
        for (std::uint64_t i = h % 3; i-- > 0;) expected.emplace_back(h, std::to_string(i));
    }
    REQUIRE(all == expected);
}

TEST_CASE("event search examines at most its block budget per page and filters by attribute", "[gateway]") {
    FakeHistory history(5, 100);
    auto page = searchEvents(history, transfers({{"to", "even"}}), 1, 100, 1000, 10);
    REQUIRE(page.hasValue());
    CHECK(history.loads.size() == 10);
    CHECK(page->nextMaxHeight == 90);
    CHECK(page->lowestScanned == 91);
    for (const auto& e : page->events) CHECK(e.height % 2 == 0);

    // Below the oldest stored block nothing is read; the listing ends there.
    auto tail = searchEvents(history, transfers(), 1, 7, 1000, 10);
    REQUIRE(tail.hasValue());
    CHECK(tail->nextMaxHeight == 0);
    CHECK(tail->lowestScanned == 5);
    CHECK(history.loads.count(4) == 0);
}
