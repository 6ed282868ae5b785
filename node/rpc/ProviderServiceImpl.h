#pragma once
// agora.market.v1.ProviderService: the provider's action RPCs. Each takes a
// signed tx whose messages must all be of the RPC's kind (ActionAdmission)
// and broadcasts it like TxService.Broadcast (sync or commit mode).
//
//   Register provider_register   Update provider_update   SetOffer offer_set
//   RemoveOffer offer_remove     PlaceBid bid_place       WithdrawBid bid_withdraw
//   ReportUsage usage_report     CloseLease lease_close   WithdrawEarnings provider_withdraw
//   Unbond provider_unbond
//
// WatchJobs (server stream) is not implemented here (UNIMPLEMENTED); it is
// meant to be added to this class by the event-stream work.

#include "agora/market/v1/market.grpc.pb.h"
#include "node/rpc/JobStreams.h"
#include "node/rpc/TxBroadcaster.h"

namespace agora::node {

class ProviderServiceImpl : public agora::market::v1::ProviderService::CallbackService {
public:
    explicit ProviderServiceImpl(TxBroadcaster& broadcaster) : broadcaster_(broadcaster) {}

    // The streaming RPC is served by JobStreams (node/rpc/JobStreams.h).
    void setJobStreams(JobStreams* streams) { streams_ = streams; }
    grpc::ServerWriteReactor<agora::market::v1::JobNotice>* WatchJobs(grpc::CallbackServerContext* ctx,
                                                            const agora::market::v1::WatchJobsRequest* req) override {
        if (streams_ != nullptr) return streams_->watchJobs(ctx, req);
        return agora::market::v1::ProviderService::CallbackService::WatchJobs(ctx, req);
    }

    using Req = agora::market::v1::SignedTxRequest;
    using Resp = agora::tx::v1::BroadcastResponse;
    grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* Update(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* SetOffer(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* RemoveOffer(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* PlaceBid(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* WithdrawBid(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* ReportUsage(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* CloseLease(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* WithdrawEarnings(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* Unbond(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;

private:
    JobStreams* streams_ = nullptr;
    TxBroadcaster& broadcaster_;
};

}  // namespace agora::node
