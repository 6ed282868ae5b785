#pragma once
// CatchUpController: switches a node between block sync and consensus
// (docs/sync.md). On its own thread it
//   1. runs an initial block sync, then starts the consensus driver;
//   2. every pollIntervalMs (or at once when catchUp() is called, e.g. by the
//      p2p layer's onPeerAhead hook) asks peers for their height; when the
//      best one is more than `aheadThreshold` blocks above ours AND proves
//      it (it serves our next block with a valid certificate) it stops the
//      driver, syncs, and starts the driver again: from the new height, or,
//      when the sync applied nothing, resuming the height it was at with
//      its WAL (round, votes, lock).
// A lone validator without peers never syncs. catchingUp() is true while a
// sync runs (the status RPC reports it).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "node/consensus/ConsensusDriver.h"
#include "node/sync/BlockSyncer.h"

namespace agora::node {

struct CatchUpOptions {
    std::uint32_t pollIntervalMs = 1'000;
    std::uint64_t aheadThreshold = 2;  // resync when best peer > ours + this
};

class CatchUpController {
public:
    using FatalCallback = std::function<void(const std::string&)>;

    CatchUpController(Application& app, BlockSyncer& syncer, ConsensusDriver& driver, CatchUpOptions options,
                      FatalCallback onFatal);
    ~CatchUpController();
    CatchUpController(const CatchUpController&) = delete;
    CatchUpController& operator=(const CatchUpController&) = delete;

    void start();
    // Stops a running sync between blocks and joins the thread. Idempotent.
    void stop();
    // A peer reported `peerHeight`: resync now if we are behind it (any thread).
    void catchUp(std::uint64_t peerHeight);

    bool catchingUp() const { return syncer_.catchingUp() || !started_.load(); }
    std::uint64_t resyncs() const { return resyncs_.load(); }
    // Height polls done by the loop (after the initial sync).
    std::uint64_t polls() const { return polls_.load(); }

private:
    void run();
    void syncAndStart();

    Application& app_;
    BlockSyncer& syncer_;
    ConsensusDriver& driver_;
    CatchUpOptions options_;
    FatalCallback onFatal_;

    std::mutex mu_;
    std::condition_variable cv_;
    std::uint64_t requested_ = 0;  // highest peer height reported through catchUp()
    std::atomic<bool> stop_{false};
    std::atomic<bool> started_{false};  // consensus started once
    std::atomic<std::uint64_t> resyncs_{0};
    std::atomic<std::uint64_t> polls_{0};
    std::thread thread_;
};

}  // namespace agora::node
