#pragma once
// agora.p2p.v1.StateSync server (docs/sync.md, "State sync"): lists the
// snapshots this node keeps and serves their chunks from the SnapshotStore.
// Sync API: each call runs on a gRPC thread and only reads immutable files.

#include "agora/p2p/v1/statesync.grpc.pb.h"
#include "node/sync/SnapshotStore.h"

namespace agora::node {

class StateSyncService final : public agora::p2p::v1::StateSync::Service {
public:
    explicit StateSyncService(const SnapshotStore& store) : store_(store) {}

    grpc::Status ListSnapshots(grpc::ServerContext* ctx, const agora::p2p::v1::ListSnapshotsRequest* req,
                               agora::p2p::v1::ListSnapshotsResponse* resp) override;
    grpc::Status GetChunk(grpc::ServerContext* ctx, const agora::p2p::v1::GetChunkRequest* req,
                          agora::p2p::v1::GetChunkResponse* resp) override;

private:
    const SnapshotStore& store_;
};

}  // namespace agora::node
