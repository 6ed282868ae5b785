#include "node/consensus/Executor.h"

#include <pthread.h>

namespace agora::node {

Executor::Executor(std::string name, std::size_t maxQueued) : name_(std::move(name)), maxQueued_(maxQueued) {}

Executor::~Executor() { stop(); }

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

bool Executor::post(Task task) {
    {
        std::lock_guard lock(mu_);
        if (stopping_ || tasks_.size() >= maxQueued_) return false;
        tasks_.push_back(std::move(task));
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
        const auto now = Clock::now();
        if (!timers_.empty() && timers_.begin()->first <= now) {
            Task t = std::move(timers_.begin()->second.second);
            timers_.erase(timers_.begin());
            lock.unlock();
            t();
            lock.lock();
            continue;
        }
        if (!tasks_.empty()) {
            Task t = std::move(tasks_.front());
            tasks_.pop_front();
            lock.unlock();
            t();
            lock.lock();
            continue;
        }
        if (timers_.empty())
            cv_.wait(lock);
        else
            cv_.wait_until(lock, timers_.begin()->first);
    }
}

}  // namespace agora::node
