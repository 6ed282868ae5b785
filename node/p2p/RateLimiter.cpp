#include "node/p2p/RateLimiter.h"

#include <algorithm>

namespace agora::node {

TokenBucket::TokenBucket(std::uint64_t perSecond, Clock::time_point now)
    : perSecond_(perSecond),
      capacity_(2.0 * static_cast<double>(perSecond)),
      tokens_(2.0 * static_cast<double>(perSecond)),
      last_(now) {}

bool TokenBucket::fits(std::uint64_t n, Clock::time_point now) {
    if (perSecond_ == 0) return true;
    if (now > last_) {
        const double seconds = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(capacity_, tokens_ + seconds * static_cast<double>(perSecond_));
        last_ = now;
    }
    return static_cast<double>(n) <= tokens_;
}

void TokenBucket::take(std::uint64_t n) {
    if (perSecond_ == 0) return;
    tokens_ = std::max(0.0, tokens_ - static_cast<double>(n));
}

InboundRateLimiter::InboundRateLimiter(RateLimit limit, Clock::time_point now)
    : limit_(limit), bytes_(limit.bytesPerSecond, now), messages_(limit.messagesPerSecond, now) {}

bool InboundRateLimiter::admit(std::uint64_t bytes, Clock::time_point now) {
    const bool bytesFit = bytes_.fits(bytes, now);
    const bool messageFits = messages_.fits(1, now);
    if (bytesFit && messageFits) {
        bytes_.take(bytes);
        messages_.take(1);
        return true;
    }
    ++droppedMessages_;
    droppedBytes_ += bytes;
    return false;
}

bool InboundRateLimiter::overLimit() const {
    return (limit_.messagesPerSecond != 0 && droppedMessages_ > limit_.messagesPerSecond) ||
           (limit_.bytesPerSecond != 0 && droppedBytes_ > limit_.bytesPerSecond);
}

}  // namespace agora::node
