#include "node/events/EventBus.h"

namespace agora::node {

std::optional<Subscription::Queued> Subscription::matchBlock(const std::shared_ptr<const BlockEvents>& block) const {
    Queued q;
    for (std::size_t i = 0; i < block->events.size(); ++i)
        if (filter_.matches(block->events[i].event)) q.matching.push_back(static_cast<std::uint32_t>(i));
    if (q.matching.empty()) return std::nullopt;
    q.block = block;
    return q;
}

Subscription::Poll Subscription::next() {
    using Kind = Poll::Kind;
    for (;;) {
        if (replay_) {
            if (replay_->next < replay_->matching.size()) {
                Poll p;
                p.kind = Kind::Event;
                p.event = EventRef{replay_->block, replay_->matching[replay_->next++]};
                return p;
            }
            replay_.reset();
        }
        std::unique_lock lock(bus_.mu_);
        switch (state_) {
            case State::Live: {
                if (queue_.empty()) return Poll{Kind::Idle, std::nullopt, {}};
                Queued& front = queue_.front();
                Poll p;
                p.kind = Kind::Event;
                p.event = EventRef{front.block, front.matching[front.next++]};
                if (front.next == front.matching.size()) queue_.pop_front();
                return p;
            }
            case State::Dropped:
                return Poll{Kind::Dropped, std::nullopt, {}};
            case State::Closed:
                return Poll{Kind::Closed, std::nullopt, {}};
            case State::Failed:
                return Poll{Kind::Failed, std::nullopt, error_};
            case State::Replaying:
                break;
        }
        const std::uint64_t height = cursor_;
        lock.unlock();
        const auto& history = *bus_.history_;
        if (height <= history.latestHeight()) {
            auto block = history.load(height);  // I/O outside the bus lock
            lock.lock();
            if (state_ != State::Replaying) continue;
            if (!block) {
                state_ = State::Failed;
                error_ = block.error();
                wake_ = nullptr;
                bus_.remove(this);
                continue;
            }
            cursor_ = height + 1;
            lock.unlock();
            replay_ = matchBlock(*block);
            continue;
        }
        lock.lock();
        if (state_ != State::Replaying) continue;
        if (bus_.lastPublished_ < cursor_) {
            // Caught up: every height >= cursor_ is yet to be published.
            state_ = State::Live;
            continue;
        }
        // Published blocks are stored first, so history must have moved on; if
        // it did not, the two disagree and replaying would spin.
        if (history.latestHeight() < cursor_) {
            state_ = State::Failed;
            error_ = "event history is behind the published blocks";
            wake_ = nullptr;
            bus_.remove(this);
        }
    }
}

void Subscription::close() {
    std::lock_guard lock(bus_.mu_);
    if (state_ == State::Replaying || state_ == State::Live) {
        state_ = State::Closed;
        queue_.clear();
        bus_.remove(this);
    }
    wake_ = nullptr;
}

Subscription::State Subscription::state() const {
    std::lock_guard lock(bus_.mu_);
    return state_;
}

EventBus::EventBus(std::shared_ptr<const EventHistory> history, std::uint64_t lastPublished, Dispatcher dispatch)
    : history_(std::move(history)), dispatch_(std::move(dispatch)), lastPublished_(lastPublished) {}

EventBus::~EventBus() {
    shutdown();
}

std::shared_ptr<Subscription> EventBus::subscribe(EventFilter filter, std::size_t queueMax,
                                                  std::optional<std::uint64_t> fromHeight, std::function<void()> wake) {
    auto sub = std::make_shared<Subscription>(*this, std::move(filter), queueMax == 0 ? 1 : queueMax, std::move(wake));
    std::lock_guard lock(mu_);
    if (shutdown_) {
        sub->state_ = Subscription::State::Closed;
        sub->wake_ = nullptr;
        return sub;
    }
    if (fromHeight) {
        sub->state_ = Subscription::State::Replaying;
        sub->cursor_ = *fromHeight == 0 ? 1 : *fromHeight;
    } else {
        sub->state_ = Subscription::State::Live;
        sub->cursor_ = lastPublished_ + 1;
    }
    subs_.push_back(sub);
    return sub;
}

void EventBus::remove(Subscription* s) {
    subs_.remove_if([s](const std::shared_ptr<Subscription>& p) { return p.get() == s; });
}

void EventBus::publish(std::shared_ptr<const BlockEvents> block) {
    std::vector<std::function<void()>> wakes;
    {
        std::lock_guard lock(mu_);
        if (block->height > lastPublished_) lastPublished_ = block->height;
        for (auto it = subs_.begin(); it != subs_.end();) {
            Subscription& s = **it;
            if (s.state_ != Subscription::State::Live || block->height < s.cursor_) {
                ++it;
                continue;
            }
            auto q = s.matchBlock(block);
            if (!q) {
                ++it;
                continue;
            }
            if (s.queue_.size() >= s.queueMax_) {
                // Slow consumer: drop it rather than wait or grow.
                s.state_ = Subscription::State::Dropped;
                s.queue_.clear();
                ++dropped_;
                if (s.wake_) wakes.push_back(s.wake_);
                s.wake_ = nullptr;
                it = subs_.erase(it);
                continue;
            }
            const bool wasEmpty = s.queue_.empty();
            s.queue_.push_back(std::move(*q));
            if (wasEmpty && s.wake_) wakes.push_back(s.wake_);
            ++it;
        }
    }
    dispatch(std::move(wakes));
}

void EventBus::shutdown() {
    std::vector<std::function<void()>> wakes;
    {
        std::lock_guard lock(mu_);
        shutdown_ = true;
        for (auto& s : subs_) {
            s->state_ = Subscription::State::Closed;
            s->queue_.clear();
            if (s->wake_) wakes.push_back(s->wake_);
            s->wake_ = nullptr;
        }
        subs_.clear();
    }
    dispatch(std::move(wakes));
}

void EventBus::dispatch(std::vector<std::function<void()>> wakes) {
    if (wakes.empty()) return;
    if (!dispatch_) {
        for (auto& w : wakes) w();
        return;
    }
    dispatch_([ws = std::move(wakes)] {
        for (const auto& w : ws) w();
    });
}

std::uint64_t EventBus::lastPublished() const {
    std::lock_guard lock(mu_);
    return lastPublished_;
}

std::size_t EventBus::subscriberCount() const {
    std::lock_guard lock(mu_);
    return subs_.size();
}

std::uint64_t EventBus::droppedCount() const {
    std::lock_guard lock(mu_);
    return dropped_;
}

}  // namespace agora::node
