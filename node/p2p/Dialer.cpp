#include "node/p2p/Dialer.h"

#include <algorithm>

#include <grpcpp/grpcpp.h>

#include "agora/p2p/v1/p2p.grpc.pb.h"
#include "node/base/ThreadFailure.h"
#include "node/p2p/SecureChannel.h"

namespace agora::node {
namespace {

using p2p::v1::Envelope;

class ClientPeerStream final : public PeerStream {
public:
    ClientPeerStream(grpc::ClientContext& ctx, grpc::ClientReaderWriter<Envelope, Envelope>& rw) : ctx_(ctx), rw_(rw) {}
    bool read(Envelope& out) override { return rw_.Read(&out); }
    bool write(const Envelope& msg) override { return rw_.Write(msg); }
    void cancel() override { ctx_.TryCancel(); }

private:
    grpc::ClientContext& ctx_;
    grpc::ClientReaderWriter<Envelope, Envelope>& rw_;
};

}  // namespace

Dialer::Dialer(DialerOptions options, const std::vector<PeerAddress>& persistent, const std::string& selfId,
               Connect connect)
    : options_(options), connect_(std::move(connect)) {
    for (const auto& p : persistent) {
        if (p.nodeId == selfId) continue;
        Target t;
        t.address = p;
        t.persistent = true;
        targets_.emplace(p.toString(), std::move(t));
    }
}

Dialer::~Dialer() {
    stop([] {});
}

std::chrono::milliseconds Dialer::backoffAfter(std::uint32_t failures, std::chrono::milliseconds min,
                                               std::chrono::milliseconds max) {
    const std::chrono::milliseconds backoff = min * (std::int64_t{1} << std::min<std::uint32_t>(failures, 16));
    return backoff > max ? max : backoff;
}

void Dialer::addLearnt(const std::vector<PeerAddress>& addresses) {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    for (const auto& address : addresses) {
        if (targets_.count(address.toString()) != 0) continue;
        const bool knownId = std::any_of(targets_.begin(), targets_.end(), [&](const auto& entry) {
            return entry.second.address.nodeId == address.nodeId;
        });
        if (knownId) continue;
        Target t;
        t.address = address;
        targets_.emplace(address.toString(), std::move(t));
    }
}

std::vector<std::string> Dialer::tick(Clock::time_point now, const MayDial& mayDial) {
    std::vector<std::string> forgotten;
    std::lock_guard lock(mu_);
    if (stopping_) return forgotten;
    for (auto it = targets_.begin(); it != targets_.end();) {
        auto& t = it->second;
        if (t.active && t.done->load()) {
            t.thread.join();
            t.active = false;
        }
        if (!t.persistent && !t.active && t.failures >= kLearntFailuresMax) {
            forgotten.push_back(t.address.nodeId);
            it = targets_.erase(it);
            continue;
        }
        if (!t.active && now >= t.nextAttempt && selfAddresses_.count(it->first) == 0 && mayDial(t.address.nodeId)) {
            t.active = true;
            t.done->store(false);
            auto done = t.done;
            auto address = t.address;
            t.thread = std::thread([this, done, address] {
                bool established = false;
                runGuarded("p2p-dial", [&] { established = dialOnce(address); });
                {
                    std::lock_guard inner(mu_);
                    auto found = targets_.find(address.toString());
                    if (found != targets_.end()) {
                        auto& s = found->second;
                        s.failures = established ? 0 : s.failures + 1;
                        s.nextAttempt =
                            Clock::now() + backoffAfter(s.failures, options_.backoffMin, options_.backoffMax);
                    }
                }
                done->store(true);
            });
        }
        ++it;
    }
    return forgotten;
}

void Dialer::markSelf(const PeerAddress& address) {
    std::lock_guard lock(mu_);
    selfAddresses_.insert(address.toString());
}

void Dialer::stop(const std::function<void()>& beforeEachJoin) {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        for (auto& [key, t] : targets_)
            if (t.thread.joinable()) threads.push_back(std::move(t.thread));
    }
    for (auto& thread : threads) {
        beforeEachJoin();
        thread.join();
    }
}

bool Dialer::dialOnce(const PeerAddress& address) {
    grpc::ChannelArguments args;
    // Every message after the Hellos is a sealed frame around an Envelope.
    args.SetMaxReceiveMessageSize(static_cast<int>(options_.maxMessageBytes + kSealedFrameOverhead));
    args.SetMaxSendMessageSize(static_cast<int>(options_.maxMessageBytes + kSealedFrameOverhead));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5'000);
    // A fresh channel per attempt: our own backoff decides when to retry.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(address.hostPort, grpc::InsecureChannelCredentials(), args);
    auto stub = p2p::v1::Gossip::NewStub(channel);
    grpc::ClientContext ctx;
    auto rw = stub->Connect(&ctx);
    if (!rw) return false;
    ClientPeerStream stream(ctx, *rw);
    const bool established = connect_(stream, address);
    ctx.TryCancel();
    rw->Finish();
    return established;
}

}  // namespace agora::node
