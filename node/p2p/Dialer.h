#pragma once
// Dialer: the outbound side of the p2p layer (docs/p2p.md, "Peers"). It keeps
// the dial targets (persistent peers, dialled for ever, and addresses learnt
// by peer exchange, forgotten after kLearntFailuresMax failures in a row),
// each with exponential backoff (backoffMin doubling to backoffMax after a
// failed attempt, reset after a handshake), and runs each attempt on its own
// thread: a fresh gRPC channel and a Gossip.Connect stream handed to
// `connect` (PeerManager::runConnection), which returns when the stream ends.
//
// The owner drives it: `tick` once per poll, `stop` once at shutdown.
// Thread-safe. Lock order: the dialer's lock is taken before anything
// `mayDial` locks; `connect` runs without it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "node/base/PeerAddress.h"
#include "node/p2p/PeerConnection.h"

namespace agora::node {

struct DialerOptions {
    std::chrono::milliseconds backoffMin{200};
    std::chrono::milliseconds backoffMax{5000};
    std::uint32_t maxMessageBytes = 0;  // the gRPC channel's message limits
};

class Dialer {
public:
    using Clock = std::chrono::steady_clock;
    // Runs one outbound stream to its end; true when the handshake succeeded.
    using Connect = std::function<bool(PeerStream& stream, const PeerAddress& dialled)>;
    // Whether the node id may be dialled now (not connected, banned, blocked;
    // room for another peer).
    using MayDial = std::function<bool(const std::string& nodeId)>;

    static constexpr std::uint32_t kLearntFailuresMax = 5;

    // `persistent` entries with the id `selfId` are left out.
    Dialer(DialerOptions options, const std::vector<PeerAddress>& persistent, const std::string& selfId,
           Connect connect);
    ~Dialer();
    Dialer(const Dialer&) = delete;
    Dialer& operator=(const Dialer&) = delete;

    // The wait before the next attempt after `failures` failures in a row.
    static std::chrono::milliseconds backoffAfter(std::uint32_t failures, std::chrono::milliseconds min,
                                                  std::chrono::milliseconds max);

    // Adds learnt addresses as targets unless their address or node id is one already.
    void addLearnt(const std::vector<PeerAddress>& addresses);
    // Reaps finished attempts, drops learnt targets that failed too often
    // (their node ids are returned: the address book forgets them too) and
    // starts an attempt for every idle target due at `now` that `mayDial`
    // allows and that did not turn out to be this node.
    std::vector<std::string> tick(Clock::time_point now, const MayDial& mayDial);
    // The address answered as this node: never dial it again.
    void markSelf(const PeerAddress& address);
    // Refuses further ticks and joins every attempt, calling `beforeEachJoin`
    // (which must end the attempt's stream) before each join. Idempotent.
    void stop(const std::function<void()>& beforeEachJoin);

private:
    struct Target {
        PeerAddress address;
        bool persistent = false;
        bool active = false;
        std::uint32_t failures = 0;
        Clock::time_point nextAttempt{};
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
    };

    bool dialOnce(const PeerAddress& address);

    const DialerOptions options_;
    const Connect connect_;
    std::mutex mu_;
    bool stopping_ = false;
    std::map<std::string, Target> targets_;  // by NODEID@host:port
    std::set<std::string> selfAddresses_;    // dialled addresses that turned out to be us
};

}  // namespace agora::node
