#pragma once
// agora.market.v1.ClientService: the client's action RPCs. Each takes a
// signed tx whose messages must all be of the RPC's kind (ActionAdmission)
// and broadcasts it like TxService.Broadcast (sync or commit mode).
//
//   CreateJob job_create   CancelJob job_cancel   AcceptBid bid_accept
//   LeaseOffer lease_from_offer   TopUp lease_top_up   CloseLease lease_close
//   Settle lease_settle
//
// WatchBids (server stream) is not implemented here (UNIMPLEMENTED); it is
// meant to be added to this class by the event-stream work.

#include "agora/market/v1/market.grpc.pb.h"
#include "node/rpc/JobStreams.h"
#include "node/rpc/TxBroadcaster.h"

namespace agora::node {

class ClientServiceImpl : public agora::market::v1::ClientService::CallbackService {
public:
    explicit ClientServiceImpl(TxBroadcaster& broadcaster) : broadcaster_(broadcaster) {}

    // The streaming RPC is served by JobStreams (node/rpc/JobStreams.h).
    void setJobStreams(JobStreams* streams) { streams_ = streams; }
    grpc::ServerWriteReactor<agora::market::v1::BidNotice>* WatchBids(grpc::CallbackServerContext* ctx,
                                                            const agora::market::v1::WatchBidsRequest* req) override {
        if (streams_ != nullptr) return streams_->watchBids(ctx, req);
        return agora::market::v1::ClientService::CallbackService::WatchBids(ctx, req);
    }

    using Req = agora::market::v1::SignedTxRequest;
    using Resp = agora::tx::v1::BroadcastResponse;
    grpc::ServerUnaryReactor* CreateJob(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* AcceptBid(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* LeaseOffer(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* TopUp(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* CloseLease(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;
    grpc::ServerUnaryReactor* Settle(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) override;

private:
    JobStreams* streams_ = nullptr;
    TxBroadcaster& broadcaster_;
};

}  // namespace agora::node
