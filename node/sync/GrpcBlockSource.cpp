#include "node/sync/GrpcBlockSource.h"

#include <chrono>

namespace agora::node {

namespace pb = agora::p2p::v1;

namespace {
Unexpected<std::string> fail(std::string m) {
    return Unexpected(std::move(m));
}
std::chrono::system_clock::time_point after(std::uint32_t ms) {
    return std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
}
Bytes bytesOf(const std::string& s) {
    return Bytes(s.begin(), s.end());
}
}  // namespace

GrpcBlockSource::GrpcBlockSource(const std::string& address, GrpcBlockSourceOptions options) : options_(options) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(static_cast<int>(options_.maxMessageBytes));
    stub_ = pb::BlockSync::NewStub(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

Expected<SyncPeerStatus, std::string> GrpcBlockSource::status() {
    grpc::ClientContext ctx;
    ctx.set_deadline(after(options_.statusDeadlineMs));
    pb::SyncStatusResponse resp;
    auto st = stub_->GetStatus(&ctx, pb::SyncStatusRequest{}, &resp);
    if (!st.ok()) return fail("GetStatus: " + st.error_message());
    auto genesisHash = Hash256::fromSpan(asBytes(resp.genesis_hash()));
    if (!genesisHash) return fail("GetStatus: genesis hash is not 32 bytes");
    SyncPeerStatus s;
    s.chainId = resp.chain_id();
    s.genesisHash = *genesisHash;
    s.height = resp.height();
    s.earliestHeight = resp.earliest_height();
    return s;
}

Expected<std::vector<SyncedBlockData>, std::string> GrpcBlockSource::blocks(std::uint64_t from, std::uint32_t max) {
    grpc::ClientContext ctx;
    ctx.set_deadline(after(options_.blocksDeadlineMs));
    pb::GetBlocksRequest req;
    req.set_from_height(from);
    req.set_max_blocks(max);
    auto reader = stub_->GetBlocks(&ctx, req);
    std::vector<SyncedBlockData> out;
    pb::SyncedBlock msg;
    std::size_t bytes = 0;
    bool cut = false;
    while (reader->Read(&msg)) {
        const std::size_t size = msg.block().size() + msg.commit_certificate().size();
        // More blocks, or more bytes, than one answer may carry: keep what
        // fits and end the call (a hostile peer streams without end).
        if (out.size() >= max || (!out.empty() && bytes + size > options_.maxBytesPerCall)) {
            cut = true;
            ctx.TryCancel();
            break;
        }
        bytes += size;
        out.push_back({msg.height(), bytesOf(msg.block()), bytesOf(msg.commit_certificate())});
    }
    auto st = reader->Finish();
    if (!st.ok() && !cut) return fail("GetBlocks: " + st.error_message());
    return out;
}

Expected<bool, std::string> GrpcBlockSource::submitEvidence(const Bytes& evidence) {
    grpc::ClientContext ctx;
    ctx.set_deadline(after(options_.statusDeadlineMs));
    pb::SubmitEvidenceRequest req;
    req.set_evidence(std::string(evidence.begin(), evidence.end()));
    pb::SubmitEvidenceResponse resp;
    auto st = stub_->SubmitEvidence(&ctx, req, &resp);
    if (!st.ok()) return fail(st.error_message());
    return resp.added();
}

}  // namespace agora::node
