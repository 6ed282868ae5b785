// EventBus without a transport: filters, bounded queues and slow-consumer
// drops, and the replay -> live handover over an in-memory history.
#include <catch2/catch.hpp>
#include <map>
#include <mutex>

#include "node/events/EventBus.h"

using namespace agora;
using namespace agora::node;

namespace {

// Blocks "stored" before they are published, as the node does.
class MemoryHistory final : public EventHistory {
public:
    std::uint64_t baseHeight() const override {
        std::lock_guard lock(mu_);
        return blocks_.empty() ? 0 : blocks_.begin()->first;
    }
    std::uint64_t latestHeight() const override {
        std::lock_guard lock(mu_);
        return blocks_.empty() ? 0 : blocks_.rbegin()->first;
    }
    Expected<std::shared_ptr<const BlockEvents>, std::string> load(std::uint64_t h) const override {
        std::lock_guard lock(mu_);
        auto it = blocks_.find(h);
        if (it == blocks_.end()) return Unexpected(std::string("not stored"));
        return it->second;
    }
    void store(std::shared_ptr<const BlockEvents> b) {
        std::lock_guard lock(mu_);
        blocks_[b->height] = std::move(b);
    }

private:
    mutable std::mutex mu_;
    std::map<std::uint64_t, std::shared_ptr<const BlockEvents>> blocks_;
};

// One transfer per block from `from`, plus a reward event at the end.
std::shared_ptr<const BlockEvents> makeBlock(std::uint64_t height, const std::string& from = "alice") {
    BlockResults r;
    TxOutcome tx;
    tx.events.push_back(state::Event("tx_fee").add("payer", from).add("fee", 10).add("nonce", height));
    tx.events.push_back(
        state::Event("transfer").add("from", from).add("to", "bob").add("amount", height).add("msg_index", 0));
    r.txs.push_back(tx);
    r.endEvents.push_back(state::Event("reward").add("operator", "val").add("amount", 1));
    return blockEventsOf(height, {sha256(asBytes("tx" + std::to_string(height)))}, r);
}

EventFilter filterOf(std::vector<std::string> types, std::vector<state::EventAttribute> attrs = {}) {
    auto f = EventFilter::make(std::move(types), std::move(attrs));
    REQUIRE(f.hasValue());
    return *f;
}

// Drains what is ready now.
std::vector<IndexedEvent> drain(Subscription& s) {
    std::vector<IndexedEvent> out;
    for (;;) {
        auto p = s.next();
        if (p.kind != Subscription::Poll::Kind::Event) return out;
        out.push_back(p.event->event());
    }
}

}  // namespace

TEST_CASE("a filter matches by type and by every attribute equality", "[events]") {
    const auto block = makeBlock(1);
    const auto& fee = block->events[0].event;
    const auto& transfer = block->events[1].event;
    REQUIRE(filterOf({}).matches(fee));
    REQUIRE(filterOf({"transfer", "reward"}).matches(transfer));
    REQUIRE_FALSE(filterOf({"reward"}).matches(transfer));
    REQUIRE(filterOf({}, {{"from", "alice"}, {"to", "bob"}}).matches(transfer));
    REQUIRE_FALSE(filterOf({}, {{"from", "alice"}, {"to", "carol"}}).matches(transfer));
    REQUIRE_FALSE(filterOf({"transfer"}, {{"payer", "alice"}}).matches(transfer));
    REQUIRE(block->events[1].msgIndex == 0u);
    REQUIRE_FALSE(block->events[0].msgIndex.has_value());
    REQUIRE(block->events[2].phase == EventPhase::EndBlock);
}

TEST_CASE("invalid filters are refused with a message", "[events]") {
    REQUIRE_FALSE(EventFilter::make({"Transfer"}, {}).hasValue());
    REQUIRE_FALSE(EventFilter::make({""}, {}).hasValue());
    REQUIRE_FALSE(EventFilter::make({}, {{"", "x"}}).hasValue());
    REQUIRE_FALSE(EventFilter::make({}, {{"k", std::string(1025, 'x')}}).hasValue());
    REQUIRE_FALSE(EventFilter::make(std::vector<std::string>(33, "a"), {}).hasValue());
    REQUIRE(EventFilter::make({"job_created"}, {{"job_id", "7"}}).hasValue());
}

TEST_CASE("a subscriber whose bounded queue is full is dropped while a fast one keeps receiving", "[events]") {
    auto history = std::make_shared<MemoryHistory>();
    EventBus bus(history, 0);
    int fastWakes = 0;
    int slowWakes = 0;
    auto fast = bus.subscribe(filterOf({"transfer"}), 2, std::nullopt, [&] { ++fastWakes; });
    auto slow = bus.subscribe(filterOf({"transfer"}), 2, std::nullopt, [&] { ++slowWakes; });
    std::vector<std::uint64_t> fastHeights;
    for (std::uint64_t h = 1; h <= 6; ++h) {
        history->store(makeBlock(h));
        bus.publish(makeBlock(h));  // returns at once whatever the consumers do
        for (const auto& e : drain(*fast)) fastHeights.push_back(e.height);
        if (h <= 2) REQUIRE(slow->state() == Subscription::State::Live);
    }
    // Queue of 2 blocks: the third block overflowed it.
    REQUIRE(slow->state() == Subscription::State::Dropped);
    REQUIRE(slow->next().kind == Subscription::Poll::Kind::Dropped);
    REQUIRE(bus.droppedCount() == 1);
    REQUIRE(bus.subscriberCount() == 1);
    REQUIRE(fastHeights == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});
    REQUIRE(fastWakes == 6);
    REQUIRE(slowWakes == 2);  // once when its queue became non-empty, once when dropped
}

TEST_CASE("a resumed subscription replays stored blocks then goes live without gap or duplicate", "[events]") {
    auto history = std::make_shared<MemoryHistory>();
    EventBus bus(history, 0);
    std::uint64_t height = 0;
    auto commit = [&] {
        ++height;
        history->store(makeBlock(height));
        bus.publish(makeBlock(height));
    };
    for (int i = 0; i < 5; ++i) commit();
    auto sub = bus.subscribe(filterOf({"transfer"}), 16, 2, [] {});
    REQUIRE(sub->state() == Subscription::State::Replaying);
    std::vector<std::uint64_t> seen;
    // Interleave: blocks commit while the consumer is still replaying, and
    // one block is stored but not yet published when the consumer catches up.
    auto take = [&] {
        auto p = sub->next();
        if (p.kind == Subscription::Poll::Kind::Event) seen.push_back(p.event->event().height);
        return p.kind;
    };
    REQUIRE(take() == Subscription::Poll::Kind::Event);  // 2
    commit();                                            // 6
    REQUIRE(take() == Subscription::Poll::Kind::Event);  // 3
    history->store(makeBlock(7));                        // stored, not yet published
    while (take() == Subscription::Poll::Kind::Event) {
    }
    REQUIRE(sub->state() == Subscription::State::Live);
    bus.publish(makeBlock(7));  // replayed already: must not come twice
    height = 7;
    commit();  // 8
    commit();  // 9
    while (take() == Subscription::Poll::Kind::Event) {
    }
    REQUIRE(seen == std::vector<std::uint64_t>{2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("a subscription from a height not yet reached waits for it", "[events]") {
    auto history = std::make_shared<MemoryHistory>();
    EventBus bus(history, 0);
    auto sub = bus.subscribe(filterOf({"reward"}), 4, 3, [] {});
    for (std::uint64_t h = 1; h <= 4; ++h) {
        history->store(makeBlock(h));
        bus.publish(makeBlock(h));
    }
    const auto got = drain(*sub);
    REQUIRE(got.size() == 2);
    REQUIRE(got[0].height == 3);
    REQUIRE(got[1].height == 4);
}

TEST_CASE("replaying a height that is not stored fails the subscription, shutdown closes the rest", "[events]") {
    auto history = std::make_shared<MemoryHistory>();
    history->store(makeBlock(5));
    EventBus bus(history, 5);
    auto sub = bus.subscribe(filterOf({}), 4, 4, [] {});
    auto p = sub->next();
    REQUIRE(p.kind == Subscription::Poll::Kind::Failed);
    REQUIRE(p.error == "not stored");
    int woken = 0;
    auto live = bus.subscribe(filterOf({}), 4, std::nullopt, [&] { ++woken; });
    bus.shutdown();
    REQUIRE(woken == 1);
    REQUIRE(live->next().kind == Subscription::Poll::Kind::Closed);
    REQUIRE(bus.subscribe(filterOf({}), 4, std::nullopt, [] {})->next().kind == Subscription::Poll::Kind::Closed);
}
