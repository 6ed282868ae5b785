#include "node/sync/CatchUpController.h"
#include "node/base/ThreadFailure.h"

#include "node/base/Logging.h"

namespace agora::node {

namespace {
std::shared_ptr<spdlog::logger> log() {
    return moduleLog("sync");
}
}  // namespace

CatchUpController::CatchUpController(Application& app, BlockSyncer& syncer, ConsensusDriver& driver,
                                     CatchUpOptions options, FatalCallback onFatal)
    : app_(app), syncer_(syncer), driver_(driver), options_(options), onFatal_(std::move(onFatal)) {}

CatchUpController::~CatchUpController() {
    stop();
}

void CatchUpController::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { runGuarded("catch-up", [this] { run(); }); });
}

void CatchUpController::stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CatchUpController::catchUp(std::uint64_t peerHeight) {
    {
        std::lock_guard lock(mu_);
        if (peerHeight <= requested_) return;
        requested_ = peerHeight;
    }
    cv_.notify_all();
}

void CatchUpController::syncAndStart() {
    const auto result = syncer_.sync(stop_);
    if (stop_.load()) return;
    // A sync that applied nothing leaves the chain where the driver stopped:
    // start() then resumes the same height from the WAL it kept, with its
    // round, votes and lock (docs/sync.md); it never starts the height afresh.
    if (result.applied == 0 && started_.load())
        log()->info("block sync applied nothing (we are at {}): consensus resumes its height", app_.lastHeight());
    if (auto ok = driver_.start(); !ok) {
        log()->critical("cannot start consensus after block sync: {}", ok.error());
        stop_ = true;
        if (onFatal_) onFatal_("consensus: " + ok.error());
        return;
    }
    started_ = true;
}

void CatchUpController::run() {
    syncAndStart();
    while (!stop_.load()) {
        std::uint64_t requested = 0;
        {
            std::unique_lock lock(mu_);
            cv_.wait_for(lock, std::chrono::milliseconds(options_.pollIntervalMs),
                         [this] { return stop_.load() || requested_ > app_.lastHeight() + options_.aheadThreshold; });
            if (stop_.load()) return;
            // Consumed: a gossip report only wakes us; a later one wakes us again.
            requested = requested_;
            requested_ = 0;
        }
        const std::uint64_t local = app_.lastHeight();
        // Only heights the sync sources prove restart consensus: a peer must
        // serve the block of our next height with a certificate of our
        // validator set (BlockSyncer::provenPeerHeight). A gossip position
        // is the height a peer is voting on (one above its last block) and a
        // status answer is a claim; trusting either would stop and restart
        // a validator that is merely slow, or keep restarting one a peer
        // lies to.
        const std::uint64_t best = syncer_.provenPeerHeight(options_.aheadThreshold);
        ++polls_;
        if (best <= local + options_.aheadThreshold) {
            if (requested > local + options_.aheadThreshold)
                log()->debug("a peer reported height {} but sync sources prove {} (we are at {}): no resync", requested,
                             best, local);
            continue;
        }
        log()->info("peers are at height {}, we are at {}: stopping consensus to block-sync", best, local);
        ++resyncs_;
        driver_.stop();
        syncAndStart();
    }
}

}  // namespace agora::node
