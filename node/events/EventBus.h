#pragma once
// EventBus: fans committed blocks' events out to subscribers, independent of
// any transport (gRPC streams and the HTTP WebSocket both sit on it).
//
// Publishing (Node::onCommit, consensus thread) never waits for a consumer:
// under one short lock it appends each live subscriber's matching events to
// that subscriber's BOUNDED queue (counted in blocks, each a shared pointer to
// the block's events plus the matching indexes). A subscriber whose queue is
// full is dropped (state Dropped, queue freed) instead of blocking consensus
// or growing memory. Wake-up callbacks run through the dispatcher given at
// construction (a separate thread in the node), never under the bus lock.
//
// Resume (docs/events.md, "Resume rule"): a subscription from height F starts
// in replay: Subscription::next() reads stored blocks F, F+1, ... from the
// EventHistory on the consumer's thread. When its cursor passes the latest
// stored block it switches to live under the bus lock, but only if no block
// at or above the cursor has been published yet (otherwise it keeps
// replaying). From then on, publish() enqueues blocks with height >= the
// cursor. Blocks are stored before they are published, so every height is
// delivered exactly once, in order: no gap, no duplicate.

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "node/events/BlockEvents.h"
#include "node/events/EventFilter.h"

namespace agora::node {

class EventBus;

// One event handed to a consumer; keeps its block alive.
struct EventRef {
    std::shared_ptr<const BlockEvents> block;
    std::size_t index = 0;
    const IndexedEvent& event() const { return block->events[index]; }
};

class Subscription {
public:
    enum class State : std::uint8_t { Replaying = 0, Live = 1, Dropped = 2, Closed = 3, Failed = 4 };

    struct Poll {
        enum class Kind : std::uint8_t {
            Event = 0,    // `event` holds the next event
            Idle = 1,     // nothing now; the wake callback fires when there is
            Dropped = 2,  // fell behind (queue full): the stream must end
            Closed = 3,   // unsubscribed or the bus shut down
            Failed = 4,   // replay could not read history (`error`)
        };
        Kind kind = Kind::Idle;
        std::optional<EventRef> event;
        std::string error;
    };

    // Next event for the consumer. One consumer thread at a time. In replay
    // this reads stored blocks (I/O on the caller's thread).
    Poll next();
    // Unsubscribes; idempotent. No wake is started after it returns.
    void close();
    State state() const;
    std::size_t queueMax() const { return queueMax_; }

    Subscription(EventBus& bus, EventFilter filter, std::size_t queueMax, std::function<void()> wake)
        : bus_(bus), filter_(std::move(filter)), queueMax_(queueMax), wake_(std::move(wake)) {}

private:
    friend class EventBus;
    struct Queued {
        std::shared_ptr<const BlockEvents> block;
        std::vector<std::uint32_t> matching;
        std::size_t next = 0;
    };
    std::optional<Queued> matchBlock(const std::shared_ptr<const BlockEvents>& block) const;

    EventBus& bus_;
    const EventFilter filter_;
    const std::size_t queueMax_;
    std::function<void()> wake_;  // guarded by bus_.mu_

    // Guarded by bus_.mu_.
    State state_ = State::Live;
    std::uint64_t cursor_ = 0;  // next height to deliver
    std::deque<Queued> queue_;
    std::string error_;

    // Consumer side only (replay buffer: one stored block at a time).
    std::optional<Queued> replay_;
};

class EventBus {
public:
    // Runs a wake callback; the node posts it to its events thread.
    using Dispatcher = std::function<void(std::function<void()>)>;

    // lastPublished: the height already committed when the bus starts (the
    // first published block is lastPublished + 1).
    EventBus(std::shared_ptr<const EventHistory> history, std::uint64_t lastPublished, Dispatcher dispatch = {});
    ~EventBus();
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;

    // fromHeight nullopt: live from the next published block. Otherwise
    // replays stored blocks from fromHeight first (see the resume rule).
    // wake is called (via the dispatcher) when next() has something new.
    std::shared_ptr<Subscription> subscribe(EventFilter filter, std::size_t queueMax,
                                            std::optional<std::uint64_t> fromHeight, std::function<void()> wake);

    // Non-blocking for the caller: O(subscribers x events) matching under one lock.
    void publish(std::shared_ptr<const BlockEvents> block);

    // Ends every subscription (state Closed) and refuses new ones.
    void shutdown();

    std::uint64_t lastPublished() const;
    std::size_t subscriberCount() const;
    std::uint64_t droppedCount() const;
    const EventHistory& history() const { return *history_; }

private:
    friend class Subscription;
    void remove(Subscription* s);  // mu_ held
    void dispatch(std::vector<std::function<void()>> wakes);

    std::shared_ptr<const EventHistory> history_;
    Dispatcher dispatch_;
    mutable std::mutex mu_;
    std::uint64_t lastPublished_ = 0;
    std::uint64_t dropped_ = 0;
    bool shutdown_ = false;
    std::list<std::shared_ptr<Subscription>> subs_;
};

}  // namespace agora::node
