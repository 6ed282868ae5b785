#include "node/http/WsHub.h"

namespace agora::node {

void WsHub::publish(WsEvent event) {
    auto published = std::make_shared<PublishedEvent>();
    published->json = event.toJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    published->event = std::move(event);
    std::shared_ptr<const PublishedEvent> shared = std::move(published);
    // Delivering under the lock gives every session the same event order
    // even when several threads publish; deliver() only posts.
    // Sessions locked here are released after the mutex (declared first), so
    // a last reference dropping here cannot re-enter detach() under the lock.
    std::vector<std::shared_ptr<WsSubscriber>> alive;
    std::lock_guard lock(mu_);
    alive.reserve(subscribers_.size());
    for (const auto& [id, weak] : subscribers_) {
        if (auto s = weak.lock()) {
            s->deliver(shared);
            alive.push_back(std::move(s));
        }
    }
}

std::size_t WsHub::clientCount() const {
    std::lock_guard lock(mu_);
    return subscribers_.size();
}

std::uint64_t WsHub::slowConsumerDisconnects() const {
    std::lock_guard lock(mu_);
    return slowConsumers_;
}

std::uint64_t WsHub::attach(std::weak_ptr<WsSubscriber> subscriber) {
    std::lock_guard lock(mu_);
    const std::uint64_t id = nextId_++;
    subscribers_.emplace(id, std::move(subscriber));
    return id;
}

void WsHub::detach(std::uint64_t id) {
    std::lock_guard lock(mu_);
    subscribers_.erase(id);
}

void WsHub::noteSlowConsumer() {
    std::lock_guard lock(mu_);
    ++slowConsumers_;
}

}  // namespace agora::node
