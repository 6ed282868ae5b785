#include "node/sync/StateSyncService.h"

namespace agora::node {

namespace pb = agora::p2p::v1;

grpc::Status StateSyncService::ListSnapshots(grpc::ServerContext*, const pb::ListSnapshotsRequest*,
                                             pb::ListSnapshotsResponse* resp) {
    for (const auto& m : store_.list()) {
        const Bytes bytes = encode(m);
        resp->add_manifests(std::string(bytes.begin(), bytes.end()));
    }
    return grpc::Status::OK;
}

grpc::Status StateSyncService::GetChunk(grpc::ServerContext*, const pb::GetChunkRequest* req,
                                        pb::GetChunkResponse* resp) {
    auto chunk = store_.readChunk(req->height(), req->index());
    if (!chunk)
        return {grpc::StatusCode::NOT_FOUND, "no chunk " + std::to_string(req->index()) + " of a snapshot at height " +
                                                 std::to_string(req->height())};
    resp->set_chunk(std::string(chunk->begin(), chunk->end()));
    return grpc::Status::OK;
}

}  // namespace agora::node
