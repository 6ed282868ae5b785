// Executor (issue 17, point 9): the internal lane is never refused and runs
// first; a task that throws stops the executor and is reported through the
// thread-failure handlers instead of terminating the process.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "node/base/ThreadFailure.h"
#include "node/consensus/Executor.h"

using namespace agora::node;

namespace {

struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    bool entered = false;
    std::vector<std::string> ran;
    void enterAndWait() {
        std::unique_lock lock(mu);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [this] { return open; });
    }
    void record(std::string what) {
        std::lock_guard lock(mu);
        ran.push_back(std::move(what));
        cv.notify_all();
    }
    template <typename Pred>
    bool waitUntil(Pred pred) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, std::chrono::seconds(30), pred);
    }
    void release() {
        std::lock_guard lock(mu);
        open = true;
        cv.notify_all();
    }
};

}  // namespace

TEST_CASE("the executor refuses external work beyond its bound but never the node's own, which runs first",
          "[consensus][queue]") {
    Executor ex("exec-test", 2);
    ex.start();
    Gate gate;
    REQUIRE(ex.post([&] { gate.enterAndWait(); }));
    REQUIRE(gate.waitUntil([&] { return gate.entered; }));
    REQUIRE(ex.post([&] { gate.record("peer 1"); }));
    REQUIRE(ex.post([&] { gate.record("peer 2"); }));
    CHECK_FALSE(ex.post([&] { gate.record("peer 3"); }));  // full
    CHECK(ex.refused() == 1);
    for (int i = 0; i < 100; ++i) REQUIRE(ex.postInternal([&, i] { gate.record("own " + std::to_string(i)); }));
    gate.release();
    REQUIRE(gate.waitUntil([&] { return gate.ran.size() == 102; }));
    CHECK(gate.ran.front() == "own 0");
    CHECK(gate.ran[99] == "own 99");
    CHECK(gate.ran[100] == "peer 1");
    CHECK(gate.ran[101] == "peer 2");
    ex.stop();
    CHECK_FALSE(ex.postInternal([] {}));
}

TEST_CASE("a task that throws stops the executor and the node is told, instead of the process terminating",
          "[consensus][threads]") {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> reported;
    const auto id = addThreadFailureHandler([&](const std::string& message) {
        std::lock_guard lock(mu);
        reported.push_back(message);
        cv.notify_all();
    });
    Executor ex("exec-throws");
    ex.start();
    bool after = false;
    REQUIRE(ex.post([] { throw std::runtime_error("disk on fire"); }));
    {
        std::unique_lock lock(mu);
        REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !reported.empty(); }));
    }
    removeThreadFailureHandler(id);
    REQUIRE(reported.size() == 1);
    CHECK(reported[0] == "thread exec-throws failed: disk on fire");
    // Nothing runs after a failed task: the engine's state is not trusted.
    CHECK_FALSE(ex.post([&] { after = true; }));
    ex.stop();
    CHECK_FALSE(after);
}
