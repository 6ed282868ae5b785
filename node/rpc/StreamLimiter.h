#pragma once
// Caps the server streams (Subscribe, WatchJobs, WatchBids) one client holds
// open at once (grpc.max_streams_per_client). A client is the peer's host:
// every connection from one address shares the budget. Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace agora::node {

class StreamLimiter {
public:
    explicit StreamLimiter(std::uint32_t maxPerClient) : max_(maxPerClient) {}

    // "ipv4:127.0.0.1:5000" -> "ipv4:127.0.0.1"; "ipv6:[::1]:5000" -> "ipv6:[::1]".
    static std::string clientOf(const std::string& peer);

    // False when the client already holds the maximum.
    bool tryAcquire(const std::string& client);
    void release(const std::string& client);
    std::uint32_t held(const std::string& client) const;
    std::uint32_t maxPerClient() const { return max_; }

private:
    const std::uint32_t max_;
    mutable std::mutex mu_;
    std::map<std::string, std::uint32_t> open_;
};

}  // namespace agora::node
