#include "node/consensus/Executor.h"

#include <pthread.h>

#include <optional>

#include "node/base/ThreadFailure.h"

namespace agora::node {

Executor::Executor(std::string name, std::size_t maxQueued) : name_(std::move(name)), maxQueued_(maxQueued) {}

Executor::~Executor() {
    stop();
}

void Executor::start() {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
        run();
    });
}

void Executor::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && !onExecutorThread()) thread_.join();
}

bool Executor::running() const {
    std::lock_guard lock(mu_);
    return !stopping_;
}

bool Executor::post(Task task) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
        if (tasks_.size() >= maxQueued_) {
            ++refused_;
            return false;
        }
        tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
}

bool Executor::postInternal(Task task) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
        internal_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
}

std::uint64_t Executor::schedule(Clock::time_point at, Task task) {
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mu_);
        id = nextTimer_++;
        timers_.emplace(at, std::make_pair(id, std::move(task)));
    }
    cv_.notify_one();
    return id;
}

void Executor::cancel(std::uint64_t timerId) {
    std::lock_guard lock(mu_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
        if (it->second.first == timerId) {
            timers_.erase(it);
            return;
        }
    }
}

void Executor::run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        Task t;
        const auto now = Clock::now();
        if (!timers_.empty() && timers_.begin()->first <= now) {
            t = std::move(timers_.begin()->second.second);
            timers_.erase(timers_.begin());
        } else if (!internal_.empty()) {
            t = std::move(internal_.front());
            internal_.pop_front();
        } else if (!tasks_.empty()) {
            t = std::move(tasks_.front());
            tasks_.pop_front();
        } else {
            if (timers_.empty())
                cv_.wait(lock);
            else
                cv_.wait_until(lock, timers_.begin()->first);
            continue;
        }
        lock.unlock();
        std::optional<std::string> failure;
        try {
            t();
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) {
            failure = "unknown exception";
        }
        lock.lock();
        if (failure) {
            // The state a throwing task left is unknown: run nothing more,
            // refuse new work, then tell the node (which stops with the error).
            stopping_ = true;
            lock.unlock();
            reportThreadFailure(name_, *failure);
            lock.lock();
        }
    }
    // Dropped work is destroyed outside the lock and now, not with the
    // executor: a task holding a promise breaks it, so whoever waits for
    // that task wakes up instead of hanging.
    auto internal = std::move(internal_);
    auto tasks = std::move(tasks_);
    auto timers = std::move(timers_);
    internal_.clear();
    tasks_.clear();
    timers_.clear();
    lock.unlock();
}

}  // namespace agora::node
