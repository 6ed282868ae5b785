#pragma once
// What the gateway's routes read: the node parts a route may use, and the
// bounds of the listings. Routes are registered by domain (Routes.h), each
// file one domain; they run on the HTTP server's I/O threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "node/app/Application.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/consensus/Executor.h"
#include "node/events/BlockEvents.h"
#include "node/mempool/Mempool.h"
#include "node/submit/CommitWaiters.h"

namespace agora::node {

struct GatewayContext {
    Application& app;
    const Mempool& mempool;
    CommitWaiters& waiters;
    const EventHistory& history;
    Executor& events;                                   // runs the per-block event work
    std::function<AdmitResult(const TxRef& tx)> admit;  // node/submit/TxSubmitter::admit
    std::function<ConsensusStatus()> consensus;
    std::string nodeId;
    // /health calls consensus stalled after this long without a height/round/step change.
    std::chrono::milliseconds stallAfter{30'000};
};

// Most blocks a WebSocket subscribe may replay (from_height further back: replay_failed).
inline constexpr std::uint64_t kMaxReplayBlocks = 10'000;
// Longest wait of POST /v1/txs in commit mode (timeout_ms is capped to it).
inline constexpr std::uint32_t kMaxCommitWaitMs = 60'000;

}  // namespace agora::node
