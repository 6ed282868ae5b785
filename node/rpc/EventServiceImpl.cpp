#include "node/rpc/EventServiceImpl.h"

#include <algorithm>

#include "node/events/EventSearch.h"
#include "node/rpc/SubscriptionWriter.h"

namespace agora::node {

using agora::types::v1::Event;

void toProto(const IndexedEvent& e, Event* out) {
    out->set_type(e.event.type);
    for (const auto& a : e.event.attributes) {
        auto* pa = out->add_attributes();
        pa->set_key(a.key);
        pa->set_value(a.value);
    }
    out->set_height(e.height);
    if (e.phase == EventPhase::Tx) out->set_tx_hash(std::string(e.txHash.bytes().begin(), e.txHash.bytes().end()));
    out->set_msg_index(e.msgIndex.value_or(0));
}

grpc::Status streamEndStatus(const Subscription::Poll& p, std::size_t queueMax) {
    using Kind = Subscription::Poll::Kind;
    switch (p.kind) {
        case Kind::Dropped:
            return {grpc::StatusCode::RESOURCE_EXHAUSTED,
                    "slow consumer: more than " + std::to_string(queueMax) +
                        " blocks of events were waiting; resubscribe with from_height"};
        case Kind::Closed:
            return {grpc::StatusCode::UNAVAILABLE, "event stream closed: the node is shutting down"};
        case Kind::Failed:
            return {grpc::StatusCode::OUT_OF_RANGE, "cannot replay events: " + p.error};
        case Kind::Event:
        case Kind::Idle:
            break;
    }
    return {grpc::StatusCode::INTERNAL, "event stream ended unexpectedly"};
}

grpc::Status checkFromHeight(const EventHistory& history, std::uint64_t fromHeight) {
    if (fromHeight == 0) return grpc::Status::OK;
    const std::uint64_t base = history.baseHeight();
    if (base != 0 && fromHeight < base)
        return {grpc::StatusCode::OUT_OF_RANGE, "from_height " + std::to_string(fromHeight) +
                                                    " is below the oldest stored block " + std::to_string(base)};
    return grpc::Status::OK;
}

namespace {

class EventWriter final : public SubscriptionWriter<Event> {
public:
    EventWriter(StreamLimiter& limiter, std::string client) : SubscriptionWriter(&limiter, std::move(client)) {}

    void start(EventBus& bus, EventFilter filter, std::size_t queueMax, std::uint64_t fromHeight) {
        sub_ = bus.subscribe(std::move(filter), queueMax,
                             fromHeight == 0 ? std::nullopt : std::optional<std::uint64_t>(fromHeight), waker());
        pump();
    }

private:
    Step produce(Event& out, grpc::Status& end) override {
        const auto p = sub_->next();
        if (p.kind == Subscription::Poll::Kind::Event) {
            out.Clear();
            toProto(p.event->event(), &out);
            return Step::Write;
        }
        if (p.kind == Subscription::Poll::Kind::Idle) return Step::Idle;
        end = streamEndStatus(p, sub_->queueMax());
        return Step::End;
    }
    void onEnded() override {
        if (sub_) sub_->close();
    }

    std::shared_ptr<Subscription> sub_;
};

}  // namespace

grpc::ServerWriteReactor<Event>* EventServiceImpl::Subscribe(grpc::CallbackServerContext* ctx,
                                                             const agora::events::v1::SubscribeRequest* req) {
    std::vector<std::string> types(req->types().begin(), req->types().end());
    std::vector<state::EventAttribute> attrs;
    for (const auto& a : req->attributes()) attrs.push_back({a.key(), a.value()});
    auto filter = EventFilter::make(std::move(types), std::move(attrs));
    if (!filter) return new FailedStream<Event>({grpc::StatusCode::INVALID_ARGUMENT, filter.error()});
    if (auto s = checkFromHeight(bus_.history(), req->from_height()); !s.ok()) return new FailedStream<Event>(s);
    const std::string client = StreamLimiter::clientOf(ctx->peer());
    if (!limiter_.tryAcquire(client))
        return new FailedStream<Event>({grpc::StatusCode::RESOURCE_EXHAUSTED,
                                        "too many open streams from this client (grpc.max_streams_per_client = " +
                                            std::to_string(limiter_.maxPerClient()) + ")"});
    auto* w = new EventWriter(limiter_, client);
    w->start(bus_, std::move(*filter), options_.queueMaxBlocks, req->from_height());
    return w;
}

grpc::ServerUnaryReactor* EventServiceImpl::Search(grpc::CallbackServerContext* ctx,
                                                   const agora::events::v1::SearchRequest* req,
                                                   agora::events::v1::SearchResponse* resp) {
    auto* reactor = ctx->DefaultReactor();
    std::vector<std::string> types(req->types().begin(), req->types().end());
    std::vector<state::EventAttribute> attrs;
    for (const auto& a : req->attributes()) attrs.push_back({a.key(), a.value()});
    auto filter = EventFilter::make(std::move(types), std::move(attrs));
    if (!filter) {
        reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, filter.error()});
        return reactor;
    }
    const EventHistory& history = bus_.history();
    const std::uint64_t minHeight = std::max<std::uint64_t>(req->min_height(), 1);
    const std::uint64_t maxHeight = req->max_height() == 0 ? history.latestHeight() : req->max_height();
    if (minHeight > maxHeight) {
        reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, "min_height is above max_height"});
        return reactor;
    }
    if (req->limit() > kEventSearchLimitMax) {
        reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT,
                         "limit must be 0 (100) or 1.." + std::to_string(kEventSearchLimitMax)});
        return reactor;
    }
    const std::size_t limit = req->limit() == 0 ? 100 : req->limit();
    auto page = searchStoredEvents(
        history, [&](const IndexedEvent& e) { return filter->matches(e.event); }, minHeight, maxHeight, limit,
        kEventSearchBlocksMax);
    if (!page) {
        reactor->Finish({grpc::StatusCode::DATA_LOSS, page.error()});
        return reactor;
    }
    for (const auto& e : page->events) toProto(e, resp->add_events());
    resp->set_next_max_height(page->nextMaxHeight);
    resp->set_lowest_scanned(page->lowestScanned);
    reactor->Finish(grpc::Status::OK);
    return reactor;
}

}  // namespace agora::node
