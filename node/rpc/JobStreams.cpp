#include "node/rpc/JobStreams.h"

#include <algorithm>
#include <charconv>
#include <deque>

#include "contracts/Keys.h"
#include "contracts/Reputation.h"
#include "contracts/ResourceMath.h"
#include "node/rpc/SubscriptionWriter.h"

namespace agora::node {

using agora::market::v1::BidNotice;
using agora::market::v1::JobNotice;
namespace keys = contracts::keys;

namespace {

template <class T>
std::optional<T> load(const state::StateReader& s, const Bytes& key) {
    auto raw = s.get(key);
    if (!raw) return std::nullopt;
    auto v = decode<T>(*raw);
    if (!v) return std::nullopt;
    return std::move(*v);
}

std::optional<std::uint64_t> u64Attr(const state::Event& e, std::string_view key) {
    auto v = e.attr(key);
    if (!v) return std::nullopt;
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
    return n;
}

std::uint32_t scoreOf(const state::StateReader& s, const Address& provider) {
    return load<contracts::ProviderReputation>(s, keys::providerReputation(provider))
        .value_or(contracts::ProviderReputation{})
        .score();
}

// The job as a notice if the provider (as recorded in s) could bid on it now.
std::optional<JobNotice> jobNotice(const state::StateReader& s, const Address& provider, std::uint64_t jobId,
                                   std::uint64_t height) {
    auto job = load<contracts::Job>(s, keys::job(jobId));
    auto p = load<contracts::Provider>(s, keys::provider(provider));
    if (!job || !p || job->state != contracts::JobState::Open) return std::nullopt;
    if (!providerCanServe(*p, *job, scoreOf(s, provider))) return std::nullopt;
    JobNotice n;
    n.set_job_id(job->id);
    n.set_height(height);
    n.set_client(job->client.toBech32());
    const Bytes raw = encode(*job);
    n.set_job(std::string(raw.begin(), raw.end()));
    n.set_status(std::string(contracts::jobStateName(job->state)));
    return n;
}

// Streams `initial` (the state when the call started), then one notice per
// matching event from the bus. toNotice() turns an event into a notice or
// skips it (Notice = JobNotice or BidNotice).
template <class Notice>
class EventNoticeWriter : public SubscriptionWriter<Notice> {
    using Base = SubscriptionWriter<Notice>;
    using Step = typename Base::Step;

public:
    void start(EventBus& bus, EventFilter filter, std::size_t queueMax, std::uint64_t fromHeight) {
        sub_ = bus.subscribe(std::move(filter), queueMax, fromHeight, this->waker());
        this->pump();
    }

protected:
    EventNoticeWriter(StreamLimiter& limiter, std::string client, JobStreams::SnapshotSource snapshot,
                      std::deque<Notice> initial)
        : Base(&limiter, std::move(client)), snapshot_(std::move(snapshot)), initial_(std::move(initial)) {}

    virtual std::optional<Notice> toNotice(const IndexedEvent& e) const = 0;
    const JobStreams::SnapshotSource& snapshot() const { return snapshot_; }

private:
    Step produce(Notice& out, grpc::Status& end) override {
        if (!initial_.empty()) {
            out = std::move(initial_.front());
            initial_.pop_front();
            return Step::Write;
        }
        const auto p = sub_->next();
        switch (p.kind) {
            case Subscription::Poll::Kind::Event: {
                auto notice = toNotice(p.event->event());
                if (!notice) return Step::Skip;
                out = std::move(*notice);
                return Step::Write;
            }
            case Subscription::Poll::Kind::Idle:
                return Step::Idle;
            case Subscription::Poll::Kind::Dropped:
            case Subscription::Poll::Kind::Closed:
            case Subscription::Poll::Kind::Failed:
                break;
        }
        end = streamEndStatus(p, sub_->queueMax());
        return Step::End;
    }
    void onEnded() override {
        if (sub_) sub_->close();
    }

    JobStreams::SnapshotSource snapshot_;
    std::deque<Notice> initial_;
    std::shared_ptr<Subscription> sub_;
};

class JobsWriter final : public EventNoticeWriter<JobNotice> {
public:
    JobsWriter(StreamLimiter& limiter, std::string client, JobStreams::SnapshotSource snapshot, Address provider,
               std::deque<JobNotice> initial)
        : EventNoticeWriter(limiter, std::move(client), std::move(snapshot), std::move(initial)), provider_(provider) {}

private:
    std::optional<JobNotice> toNotice(const IndexedEvent& e) const override {
        const auto jobId = u64Attr(e.event, "job_id");
        if (!jobId) return std::nullopt;
        return jobNotice(*snapshot()(), provider_, *jobId, e.height);
    }

    Address provider_;
};

class BidsWriter final : public EventNoticeWriter<BidNotice> {
public:
    BidsWriter(StreamLimiter& limiter, std::string client, JobStreams::SnapshotSource snapshot,
               std::deque<BidNotice> initial)
        : EventNoticeWriter(limiter, std::move(client), std::move(snapshot), std::move(initial)) {}

private:
    std::optional<BidNotice> toNotice(const IndexedEvent& e) const override {
        const auto bidId = u64Attr(e.event, "bid_id");
        const auto jobId = u64Attr(e.event, "job_id");
        if (!bidId || !jobId) return std::nullopt;
        BidNotice out;
        out.set_bid_id(*bidId);
        out.set_job_id(*jobId);
        out.set_provider(e.event.attr("provider").value_or(""));
        out.set_height(e.height);
        if (e.event.type == "bid_placed") {
            out.set_price_per_second(e.event.attr("price_per_second").value_or(""));
            out.set_status("open");
        } else {
            // bid_closed carries no price; a bid's price never changes.
            auto bid = load<contracts::Bid>(*snapshot()(), keys::bid(*bidId));
            if (bid) out.set_price_per_second(std::to_string(bid->pricePerSecond.micro()));
            out.set_status(e.event.attr("state").value_or(""));
        }
        return out;
    }
};

grpc::Status tooManyStreams(const StreamLimiter& limiter) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "too many open streams from this client (grpc.max_streams_per_client = " +
                std::to_string(limiter.maxPerClient()) + ")"};
}

}  // namespace

bool providerCanServe(const contracts::Provider& provider, const contracts::Job& job, std::uint32_t providerScore) {
    if (job.client == provider.address) return false;
    if (!contracts::attributesMatch(provider.attributes, job.constraints)) return false;
    if (job.minReputation > 0 && providerScore < job.minReputation) return false;
    const auto free = contracts::subResources(provider.capacity, provider.reserved);
    return free && contracts::covers(*free, job.resources);
}

grpc::ServerWriteReactor<JobNotice>* JobStreams::watchJobs(grpc::CallbackServerContext* ctx,
                                                           const agora::market::v1::WatchJobsRequest* req) {
    auto provider = Address::fromBech32(req->provider());
    if (!provider)
        return new FailedStream<JobNotice>({grpc::StatusCode::INVALID_ARGUMENT,
                                            "provider \"" + req->provider() + "\" is not an agora bech32 address"});
    if (auto s = checkFromHeight(bus_.history(), req->from_height()); !s.ok()) return new FailedStream<JobNotice>(s);
    const auto snap = snapshot_();
    if (!snap->contains(keys::provider(*provider)))
        return new FailedStream<JobNotice>(
            {grpc::StatusCode::NOT_FOUND, "provider " + req->provider() + " is not registered"});
    const std::string client = StreamLimiter::clientOf(ctx->peer());
    if (!limiter_.tryAcquire(client)) return new FailedStream<JobNotice>(tooManyStreams(limiter_));

    std::deque<JobNotice> initial;
    std::uint64_t from = req->from_height();
    if (from == 0) {
        // Open jobs now: the expiry index holds exactly the open ones.
        std::vector<std::uint64_t> ids;
        const Bytes prefix(1, keys::prefix::kJobExpiry);
        snap->scan(prefix, {}, [&](ByteSpan key, ByteSpan) {
            ids.push_back(keys::u64At(key, 9));
            return true;
        });
        std::sort(ids.begin(), ids.end());
        for (const auto id : ids)
            if (auto n = jobNotice(*snap, *provider, id, snap->version())) initial.push_back(std::move(*n));
        from = snap->version() + 1;  // then everything committed after this state
    }
    auto* w = new JobsWriter(limiter_, client, snapshot_, *provider, std::move(initial));
    w->start(bus_, std::move(*EventFilter::make({"job_created"}, {})), options_.queueMaxBlocks, from);
    return w;
}

grpc::ServerWriteReactor<BidNotice>* JobStreams::watchBids(grpc::CallbackServerContext* ctx,
                                                           const agora::market::v1::WatchBidsRequest* req) {
    if (req->job_id() == 0)
        return new FailedStream<BidNotice>({grpc::StatusCode::INVALID_ARGUMENT, "job_id must be set"});
    const auto snap = snapshot_();
    if (!snap->contains(keys::job(req->job_id())))
        return new FailedStream<BidNotice>(
            {grpc::StatusCode::NOT_FOUND, "job " + std::to_string(req->job_id()) + " not found"});
    const std::string client = StreamLimiter::clientOf(ctx->peer());
    if (!limiter_.tryAcquire(client)) return new FailedStream<BidNotice>(tooManyStreams(limiter_));

    std::deque<BidNotice> initial;
    snap->scan(keys::jobBidsPrefix(req->job_id()), {}, [&](ByteSpan key, ByteSpan) {
        auto bid = load<contracts::Bid>(*snap, keys::bid(keys::u64At(key, 9)));
        if (!bid) return true;
        BidNotice n;
        n.set_bid_id(bid->id);
        n.set_job_id(bid->jobId);
        n.set_provider(bid->provider.toBech32());
        n.set_price_per_second(std::to_string(bid->pricePerSecond.micro()));
        n.set_height(bid->createdHeight);
        n.set_status(std::string(contracts::bidStateName(bid->state)));
        initial.push_back(std::move(n));
        return true;
    });
    auto* w = new BidsWriter(limiter_, client, snapshot_, std::move(initial));
    auto filter = EventFilter::make({"bid_placed", "bid_closed"}, {{"job_id", std::to_string(req->job_id())}});
    w->start(bus_, std::move(*filter), options_.queueMaxBlocks, snap->version() + 1);
    return w;
}

}  // namespace agora::node
