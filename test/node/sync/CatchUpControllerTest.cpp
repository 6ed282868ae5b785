// CatchUpController against a lying peer (issue 17, point 4): a peer that
// answers GetStatus 100 blocks ahead and serves no block must not make a
// validator stop and restart consensus: its round, WAL and lock survive.
// A sync source that throws is reported to the node (point 9), not a
// std::terminate on the catch-up thread.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "node/base/ThreadFailure.h"
#include "node/sync/BlockSyncer.h"
#include "node/sync/CatchUpController.h"
#include "support/DriverUnderTest.h"

using namespace agora;
using namespace agora::node;
using namespace agora::test;

namespace {

// Claims to be 100 blocks ahead and serves nothing.
class LyingPeer final : public BlockSource {
public:
    LyingPeer(const Application& app, Signal& signal, std::atomic<int>& statusCalls)
        : app_(app), signal_(signal), statusCalls_(statusCalls) {}
    Expected<SyncPeerStatus, std::string> status() override {
        ++statusCalls_;
        signal_.notify();
        return SyncPeerStatus{kChain, app_.genesis().hash(), app_.lastHeight() + 100, 1};
    }
    Expected<std::vector<SyncedBlockData>, std::string> blocks(std::uint64_t, std::uint32_t) override {
        return std::vector<SyncedBlockData>{};
    }

private:
    const Application& app_;
    Signal& signal_;
    std::atomic<int>& statusCalls_;
};

}  // namespace

TEST_CASE("a peer claiming a height it cannot serve does not restart consensus, which keeps its WAL and lock",
          "[sync][amnesia]") {
    DriverUnderTest node;
    node.lockOnA();
    const auto walBefore = node.walBytes();
    REQUIRE(walBefore > 0);

    std::atomic<int> statusCalls{0};
    BlockSyncer syncer(
        *node.app, [&](const std::string&) { return std::make_unique<LyingPeer>(*node.app, node.signal, statusCalls); },
        BlockSyncOptions{}, nullptr);
    syncer.setPeers({"liar:1"});
    CatchUpOptions options;
    options.pollIntervalMs = 10;
    CatchUpController controller(*node.app, syncer, *node.driver, options, nullptr);
    controller.start();
    // Each poll asks the liar's status first, so the 6th question means the
    // polls before it have been acted on.
    REQUIRE(node.signal.waitFor([&] { return statusCalls.load() >= 6; }));
    controller.stop();

    CHECK(controller.resyncs() == 0);
    CHECK(node.driver->running());
    CHECK(node.stepIs(consensus::Step::Precommit));  // still round 0, precommitted
    CHECK(node.walBytes() == walBefore);             // the height's WAL is intact
    // Still locked on A: B at round 1 gets a nil prevote.
    CHECK(node.prevoteOnOtherBlockAtRound1() == std::nullopt);
}

namespace {

class ExplodingPeer final : public BlockSource {
public:
    Expected<SyncPeerStatus, std::string> status() override { throw std::runtime_error("peer exploded"); }
    Expected<std::vector<SyncedBlockData>, std::string> blocks(std::uint64_t, std::uint32_t) override {
        return std::vector<SyncedBlockData>{};
    }
};

}  // namespace

TEST_CASE("an exception on the catch-up thread is reported to the node instead of terminating the process",
          "[sync][threads]") {
    DriverUnderTest node;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> reported;
    const auto id = addThreadFailureHandler([&](const std::string& message) {
        std::lock_guard lock(mu);
        reported.push_back(message);
        cv.notify_all();
    });
    BlockSyncer syncer(
        *node.app, [](const std::string&) { return std::make_unique<ExplodingPeer>(); }, BlockSyncOptions{}, nullptr);
    syncer.setPeers({"boom:1"});
    CatchUpController controller(*node.app, syncer, *node.driver, CatchUpOptions{}, nullptr);
    controller.start();
    {
        std::unique_lock lock(mu);
        REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !reported.empty(); }));
    }
    controller.stop();  // the thread has ended; joining it is fine
    removeThreadFailureHandler(id);
    CHECK(reported.front() == "thread catch-up failed: peer exploded");
}
