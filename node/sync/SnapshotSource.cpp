#include "node/sync/SnapshotSource.h"

#include <chrono>

namespace agora::node {

namespace pb = agora::p2p::v1;

namespace {
std::chrono::system_clock::time_point after(std::uint32_t ms) {
    return std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
}
Bytes bytesOf(const std::string& s) {
    return Bytes(s.begin(), s.end());
}
}  // namespace

GrpcSnapshotSource::GrpcSnapshotSource(std::string address, GrpcSnapshotSourceOptions options)
    : address_(std::move(address)), options_(options), blocks_(address_, GrpcBlockSourceOptions{}) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(static_cast<int>(options_.maxMessageBytes));
    stub_ = pb::StateSync::NewStub(grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args));
}

Expected<std::vector<Bytes>, std::string> GrpcSnapshotSource::snapshots() {
    grpc::ClientContext ctx;
    ctx.set_deadline(after(options_.listDeadlineMs));
    pb::ListSnapshotsResponse resp;
    auto st = stub_->ListSnapshots(&ctx, pb::ListSnapshotsRequest{}, &resp);
    if (!st.ok()) return Unexpected("ListSnapshots: " + st.error_message());
    std::vector<Bytes> out;
    for (const auto& m : resp.manifests()) out.push_back(bytesOf(m));
    return out;
}

Expected<Bytes, std::string> GrpcSnapshotSource::chunk(std::uint64_t height, std::uint32_t index) {
    grpc::ClientContext ctx;
    ctx.set_deadline(after(options_.chunkDeadlineMs));
    pb::GetChunkRequest req;
    req.set_height(height);
    req.set_index(index);
    pb::GetChunkResponse resp;
    auto st = stub_->GetChunk(&ctx, req, &resp);
    if (!st.ok()) return Unexpected("GetChunk: " + st.error_message());
    return bytesOf(resp.chunk());
}

Expected<SyncedBlockData, std::string> GrpcSnapshotSource::block(std::uint64_t height) {
    auto got = blocks_.blocks(height, 1);
    if (!got) return Unexpected(got.error());
    if (got->empty() || got->front().height != height)
        return Unexpected("GetBlocks: no block " + std::to_string(height));
    return std::move(got->front());
}

}  // namespace agora::node
