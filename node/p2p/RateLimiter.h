#pragma once
// Per-peer inbound rate limit (docs/p2p.md, "Limits"): two token buckets, one
// for bytes and one for messages, each refilled at its rate per second and
// holding at most two seconds of it. A message is admitted when both buckets
// hold enough for it (it then takes from both), else it is dropped and
// counted; once what was dropped since the peer connected exceeds one
// second's allowance (of bytes or of messages) the peer is over its rate for
// good (overLimit()) and its owner disconnects it.
//
// Pure: the clock is passed in. Not thread-safe: one per connection, used by
// its reader thread.

#include <chrono>
#include <cstdint>

namespace agora::node {

struct RateLimit {
    std::uint64_t bytesPerSecond = 0;     // 0 = no limit
    std::uint64_t messagesPerSecond = 0;  // 0 = no limit
};

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;
    // Starts full: capacity = two seconds of `perSecond`.
    TokenBucket(std::uint64_t perSecond, Clock::time_point now);
    // Refills for the time since the last call; true when `n` fits.
    bool fits(std::uint64_t n, Clock::time_point now);
    void take(std::uint64_t n);
    std::uint64_t perSecond() const { return perSecond_; }

private:
    std::uint64_t perSecond_;
    double capacity_;
    double tokens_;
    Clock::time_point last_;
};

class InboundRateLimiter {
public:
    using Clock = TokenBucket::Clock;
    InboundRateLimiter(RateLimit limit, Clock::time_point now);
    // True when a message of `bytes` is within the rate (and is counted).
    bool admit(std::uint64_t bytes, Clock::time_point now);
    // What was dropped since the start exceeds one second of the allowance.
    bool overLimit() const;
    std::uint64_t droppedMessages() const { return droppedMessages_; }
    std::uint64_t droppedBytes() const { return droppedBytes_; }

private:
    RateLimit limit_;
    TokenBucket bytes_;
    TokenBucket messages_;
    std::uint64_t droppedMessages_ = 0;
    std::uint64_t droppedBytes_ = 0;
};

}  // namespace agora::node
