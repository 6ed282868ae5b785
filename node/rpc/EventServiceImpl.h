#pragma once
// agora.events.v1.EventService: Subscribe streams the events of committed
// blocks that match a filter (types, attribute equality), live or resumed
// from a height (docs/events.md). Backed by the node's EventBus; a consumer
// that falls behind its bounded queue is ended with RESOURCE_EXHAUSTED
// "slow consumer". At most StreamOptions::maxStreamsPerClient streams per
// client (shared with WatchJobs/WatchBids through the StreamLimiter).
// Search pages through stored events as GET /v1/events/search does.

#include <cstddef>

#include "agora/events/v1/events.grpc.pb.h"
#include "agora/types/v1/types.pb.h"
#include "node/events/EventBus.h"
#include "node/rpc/StreamLimiter.h"

namespace agora::node {

struct StreamOptions {
    std::size_t queueMaxBlocks = 256;  // per subscriber, blocks with matching events
};

// IndexedEvent -> transport. tx_hash is empty for block-level events;
// msg_index is the ledger's msg_index attribute (0 when absent).
void toProto(const IndexedEvent& e, agora::types::v1::Event* out);

// Stream status when a subscription ends without the client asking.
grpc::Status streamEndStatus(const Subscription::Poll& p, std::size_t queueMax);

// Validates from_height against what history holds (OUT_OF_RANGE below the
// oldest stored block); OK for 0 (live).
grpc::Status checkFromHeight(const EventHistory& history, std::uint64_t fromHeight);

class EventServiceImpl final : public agora::events::v1::EventService::CallbackService {
public:
    EventServiceImpl(EventBus& bus, StreamLimiter& limiter, StreamOptions options)
        : bus_(bus), limiter_(limiter), options_(options) {}

    grpc::ServerWriteReactor<agora::types::v1::Event>* Subscribe(
        grpc::CallbackServerContext* ctx, const agora::events::v1::SubscribeRequest* req) override;
    // One page of stored events (node/events/EventSearch.h): INVALID_ARGUMENT
    // for a malformed filter, min_height above max_height or limit above 1,000.
    grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* ctx, const agora::events::v1::SearchRequest* req,
                                     agora::events::v1::SearchResponse* resp) override;

private:
    EventBus& bus_;
    StreamLimiter& limiter_;
    StreamOptions options_;
};

}  // namespace agora::node
