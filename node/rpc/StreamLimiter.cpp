#include "node/rpc/StreamLimiter.h"

namespace agora::node {

std::string StreamLimiter::clientOf(const std::string& peer) {
    const auto colon = peer.rfind(':');
    const auto scheme = peer.find(':');
    if (colon == std::string::npos || colon == scheme) return peer;
    return peer.substr(0, colon);
}

bool StreamLimiter::tryAcquire(const std::string& client) {
    std::lock_guard lock(mu_);
    auto& n = open_[client];
    if (n >= max_) {
        if (n == 0) open_.erase(client);
        return false;
    }
    ++n;
    return true;
}

void StreamLimiter::release(const std::string& client) {
    std::lock_guard lock(mu_);
    auto it = open_.find(client);
    if (it == open_.end()) return;
    if (--it->second == 0) open_.erase(it);
}

std::uint32_t StreamLimiter::held(const std::string& client) const {
    std::lock_guard lock(mu_);
    auto it = open_.find(client);
    return it == open_.end() ? 0 : it->second;
}

}  // namespace agora::node
