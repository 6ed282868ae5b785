#pragma once
// Fan-out of node events to WebSocket sessions. The node calls publish()
// from any thread; every attached session receives every event in one global
// publish order and applies its own subscriptions' filters on its strand.
//
// Resuming: a subscribe message may carry from_height. The session then
// calls the replay callback (on its strand, so live events published
// meanwhile queue behind it) and sends the returned events, then live
// events with height > ReplayResult::throughHeight. That rule is gap- and
// duplicate-free when the node keeps this contract:
//   1. all events of a height become visible to replay() atomically, and
//      before any of them is passed to publish();
//   2. throughHeight is the last height replay() covered (every matching
//      event at heights fromHeight..throughHeight was returned);
//   3. publish() is called in height order.
// Then an event published before the subscribe was processed is visible to
// replay (1) and is returned if its height <= throughHeight; one published
// after is delivered live unless it is at or below throughHeight, where
// replay already returned it (2).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "node/http/WsEvent.h"
#include "node/http/WsEventFilter.h"

namespace agora::node {

// An event serialised once for all sessions.
struct PublishedEvent {
    WsEvent event;
    std::string json;  // event.toJson().dump()
};

// Implemented by WebSocket sessions: must not block (posts to the session's strand).
class WsSubscriber {
public:
    virtual ~WsSubscriber() = default;
    virtual void deliver(std::shared_ptr<const PublishedEvent> event) = 0;
};

struct ReplayResult {
    std::vector<WsEvent> events;      // matching events in order, heights >= fromHeight
    std::uint64_t throughHeight = 0;  // last height covered
};
// Errors (e.g. "height pruned") are sent to the client as a subscribe error.
using ReplayFn = std::function<Expected<ReplayResult, std::string>(std::uint64_t fromHeight, const WsEventFilter&)>;

class WsHub {
public:
    WsHub() = default;
    WsHub(const WsHub&) = delete;
    WsHub& operator=(const WsHub&) = delete;

    // Set before the server starts; without it subscribe with from_height is refused.
    void setReplay(ReplayFn replay) { replay_ = std::move(replay); }
    const ReplayFn& replay() const { return replay_; }

    // Thread-safe; never blocks on a client (slow clients overflow their own queue).
    void publish(WsEvent event);

    std::size_t clientCount() const;
    // Clients closed because their queue overflowed, since construction.
    std::uint64_t slowConsumerDisconnects() const;

    // Session side.
    std::uint64_t attach(std::weak_ptr<WsSubscriber> subscriber);
    void detach(std::uint64_t id);
    void noteSlowConsumer();

private:
    ReplayFn replay_;
    mutable std::mutex mu_;
    std::uint64_t nextId_ = 1;
    std::map<std::uint64_t, std::weak_ptr<WsSubscriber>> subscribers_;
    std::uint64_t slowConsumers_ = 0;
};

}  // namespace agora::node
