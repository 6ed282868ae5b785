#pragma once
// A single thread that runs posted tasks in order and fires timers: the
// consensus executor. Everything that touches the engine or the Application's
// write side runs here, so they need no locks.
//
// Two lanes (issue 17):
//   post()          bounded (maxQueued): work that comes from outside, e.g. a
//                   peer's vote. Beyond the bound it is refused (refused()
//                   counts; callers drop it: a peer's message can be re-sent,
//                   gossip does).
//   postInternal()  never refused while running: the node's own inputs (its
//                   signed votes and proposals, the application's answers,
//                   start/stop). Each is caused by a task the executor ran,
//                   a handful per input at most, so the lane stays small;
//                   dropping one would stall the node (a lost OwnVoteSigned
//                   is a vote never sent). Internal tasks run before queued
//                   external ones.
// Timers are never refused either.
//
// A task that throws stops the executor: the failure is logged and reported
// (node/base/ThreadFailure.h: the node stops with an error) instead of
// terminating the process; the engine's state after a half-run task is not
// trusted.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace agora::node {

class Executor {
public:
    using Clock = std::chrono::steady_clock;
    using Task = std::function<void()>;

    explicit Executor(std::string name, std::size_t maxQueued = 100'000);
    ~Executor();
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    void start();
    // Stops after the task running now; queued tasks and timers are dropped.
    void stop();

    // External lane, bounded: false when full or stopping.
    bool post(Task task);
    // Internal lane: false only when stopping.
    bool postInternal(Task task);
    // Runs task at or after `at`; returns an id for cancel().
    std::uint64_t schedule(Clock::time_point at, Task task);
    void cancel(std::uint64_t timerId);
    bool onExecutorThread() const { return std::this_thread::get_id() == thread_.get_id(); }
    // post() calls refused because the external lane was full.
    std::uint64_t refused() const { return refused_.load(); }
    // False once stop() ran or a task threw.
    bool running() const;

private:
    void run();
    std::string name_;
    std::size_t maxQueued_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Task> internal_;
    std::deque<Task> tasks_;
    std::multimap<Clock::time_point, std::pair<std::uint64_t, Task>> timers_;
    std::uint64_t nextTimer_ = 1;
    bool stopping_ = false;
    std::atomic<std::uint64_t> refused_{0};
    std::thread thread_;
};

}  // namespace agora::node
