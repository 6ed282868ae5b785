#pragma once
// A gRPC server-streaming reactor (callback API) that writes what produce()
// yields, one message in flight at a time, and sleeps when produce() has
// nothing until wake() (the EventBus callback) says there is more. No thread
// is held while a stream waits.
//
// Concurrency: `busy_` makes produce()/StartWrite single-flight; a wake that
// arrives while busy sets `pendingWake_` so it is never lost. Wake callbacks
// hold a shared Guard, so one that runs after the stream ended (OnDone
// deleted the reactor) does nothing. Finish is called exactly once.
//
// Also releases the client's StreamLimiter slot when the stream ends.

#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "node/rpc/StreamLimiter.h"

namespace agora::node {

template <class Msg>
class SubscriptionWriter : public grpc::ServerWriteReactor<Msg> {
public:
    enum class Step { Write, Skip, Idle, End };

    void OnWriteDone(bool ok) override {
        {
            std::lock_guard lock(mu_);
            busy_ = false;
            if (!ok) cancelled_ = true;  // the client is gone
        }
        pump();
    }
    void OnCancel() override {
        {
            std::lock_guard lock(mu_);
            cancelled_ = true;
        }
        pump();
    }
    void OnDone() override {
        {
            std::lock_guard lock(guard_->mu);
            guard_->owner = nullptr;
        }
        onEnded();
        if (limiter_ != nullptr) limiter_->release(client_);
        delete this;
    }

protected:
    // The slot (limiter, client) was acquired by the caller; released on OnDone.
    SubscriptionWriter(StreamLimiter* limiter, std::string client)
        : limiter_(limiter), client_(std::move(client)), guard_(std::make_shared<Guard>(this)) {}

    // Fills out (Write), asks to be called again (Skip), has nothing now
    // (Idle), or ends the stream with `end` (End). Never called concurrently.
    virtual Step produce(Msg& out, grpc::Status& end) = 0;
    // Called once, from OnDone (e.g. to close the subscription).
    virtual void onEnded() {}

    // A callback for the EventBus: safe to call at any time, from any thread.
    std::function<void()> waker() {
        return [g = guard_] {
            std::lock_guard lock(g->mu);
            if (g->owner != nullptr) g->owner->pump();
        };
    }

    void pump() {
        std::unique_lock lock(mu_);
        if (finished_) return;
        if (busy_) {
            pendingWake_ = true;
            return;
        }
        busy_ = true;
        for (;;) {
            if (cancelled_) {
                finished_ = true;
                lock.unlock();
                this->Finish(grpc::Status::CANCELLED);
                return;
            }
            pendingWake_ = false;
            lock.unlock();
            grpc::Status end;
            const Step step = produce(msg_, end);
            lock.lock();
            switch (step) {
                case Step::Write:
                    lock.unlock();
                    this->StartWrite(&msg_);  // busy_ stays set until OnWriteDone
                    return;
                case Step::Skip:
                    continue;
                case Step::Idle:
                    if (pendingWake_ || cancelled_) continue;
                    busy_ = false;
                    return;
                case Step::End:
                    finished_ = true;
                    lock.unlock();
                    this->Finish(end);
                    return;
            }
        }
    }

private:
    struct Guard {
        explicit Guard(SubscriptionWriter* o) : owner(o) {}
        std::mutex mu;
        SubscriptionWriter* owner;
    };

    StreamLimiter* limiter_;
    std::string client_;
    std::shared_ptr<Guard> guard_;
    std::mutex mu_;
    bool busy_ = false;
    bool pendingWake_ = false;
    bool cancelled_ = false;
    bool finished_ = false;
    Msg msg_;
};

// A stream that ends at once with `status` (validation errors, limits).
template <class Msg>
class FailedStream final : public grpc::ServerWriteReactor<Msg> {
public:
    explicit FailedStream(const grpc::Status& status) { this->Finish(status); }
    void OnDone() override { delete this; }
};

}  // namespace agora::node
