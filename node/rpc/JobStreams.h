#pragma once
// The marketplace's server streams, built on the EventBus:
//
//   WatchJobs(provider, from_height)  jobs the provider could bid on: open
//       jobs whose constraints are all among the provider's attributes, whose
//       resources fit its free capacity (capacity - reserved), that are not
//       its own and whose min_reputation (if any) its score meets.
//       from_height 0: the currently open matching jobs (ascending id, height
//       = the state version read), then each new one as it is created.
//       from_height F: the jobs created at heights >= F (stored blocks, then
//       live) that are still open and matching when the notice is built.
//   WatchBids(job_id)  the job's open bids now (status "open"), then every
//       bid_placed ("open") and bid_closed (status accepted | lost |
//       withdrawn) of that job only, as blocks commit.
//
// The matching reads provider and job records from the latest committed
// state (contracts record types). Both go through the StreamLimiter and end
// with RESOURCE_EXHAUSTED "slow consumer" like EventService.Subscribe.
//
// ProviderService and ClientService also have unary methods implemented
// elsewhere; gRPC takes one implementation per service, so these are free
// entry points the full service classes delegate to:
//
//   grpc::ServerWriteReactor<JobNotice>* WatchJobs(ctx, req) override {
//       return streams_.watchJobs(ctx, req);
//   }
//
// ProviderStreamsService / ClientStreamsService implement only the streams
// (the unary methods answer UNIMPLEMENTED) for tests and until the merge.

#include <functional>
#include <memory>

#include "agora/market/v1/market.grpc.pb.h"
#include "consensus/state/StateStore.h"
#include "contracts/Market.h"
#include "contracts/Providers.h"
#include "node/events/EventBus.h"
#include "node/rpc/EventServiceImpl.h"
#include "node/rpc/StreamLimiter.h"

namespace agora::node {

// True when `provider` could bid on `job` now (see above); stateless rules
// the ledger's placeBid also checks.
bool providerCanServe(const contracts::Provider& provider, const contracts::Job& job, std::uint32_t providerScore);

class JobStreams {
public:
    using SnapshotSource = std::function<std::shared_ptr<const state::StateSnapshot>()>;

    JobStreams(EventBus& bus, SnapshotSource snapshot, StreamLimiter& limiter, StreamOptions options)
        : bus_(bus), snapshot_(std::move(snapshot)), limiter_(limiter), options_(options) {}

    grpc::ServerWriteReactor<agora::market::v1::JobNotice>* watchJobs(grpc::CallbackServerContext* ctx,
                                                                      const agora::market::v1::WatchJobsRequest* req);
    grpc::ServerWriteReactor<agora::market::v1::BidNotice>* watchBids(grpc::CallbackServerContext* ctx,
                                                                      const agora::market::v1::WatchBidsRequest* req);

private:
    EventBus& bus_;
    SnapshotSource snapshot_;
    StreamLimiter& limiter_;
    StreamOptions options_;
};

class ProviderStreamsService final : public agora::market::v1::ProviderService::CallbackService {
public:
    explicit ProviderStreamsService(JobStreams& streams) : streams_(streams) {}
    grpc::ServerWriteReactor<agora::market::v1::JobNotice>* WatchJobs(
        grpc::CallbackServerContext* ctx, const agora::market::v1::WatchJobsRequest* req) override {
        return streams_.watchJobs(ctx, req);
    }

private:
    JobStreams& streams_;
};

class ClientStreamsService final : public agora::market::v1::ClientService::CallbackService {
public:
    explicit ClientStreamsService(JobStreams& streams) : streams_(streams) {}
    grpc::ServerWriteReactor<agora::market::v1::BidNotice>* WatchBids(
        grpc::CallbackServerContext* ctx, const agora::market::v1::WatchBidsRequest* req) override {
        return streams_.watchBids(ctx, req);
    }

private:
    JobStreams& streams_;
};

}  // namespace agora::node
