#include "node/sync/CatchUpController.h"

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
    thread_ = std::thread([this] { run(); });
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
    syncer_.sync(stop_);
    if (stop_.load()) return;
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
        // Only heights the sync sources actually serve (committed blocks with
        // certificates) restart consensus: a gossip position is the height a
        // peer is voting on (one above its last block) and may come from a
        // faulty peer; trusting it would stop and restart a validator that
        // is merely slow, or keep restarting one a peer lies to.
        const std::uint64_t best = syncer_.bestPeerHeight();
        if (best <= local + options_.aheadThreshold) {
            if (requested > local + options_.aheadThreshold)
                log()->debug("a peer reported height {} but sync sources serve {} (we are at {}): no resync", requested,
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
