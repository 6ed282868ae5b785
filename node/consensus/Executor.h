#pragma once
// A single thread that runs posted tasks in order and fires timers: the
// consensus executor. Everything that touches the engine or the Application's
// write side runs here, so they need no locks. Bounded: post() refuses work
// beyond maxQueued (callers drop or retry).

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

    bool post(Task task);
    // Runs task at or after `at`; returns an id for cancel().
    std::uint64_t schedule(Clock::time_point at, Task task);
    void cancel(std::uint64_t timerId);
    bool onExecutorThread() const { return std::this_thread::get_id() == thread_.get_id(); }

private:
    void run();
    std::string name_;
    std::size_t maxQueued_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Task> tasks_;
    std::multimap<Clock::time_point, std::pair<std::uint64_t, Task>> timers_;
    std::uint64_t nextTimer_ = 1;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace agora::node
