// GrpcBlockSource against a hostile BlockSync server in-process (loopback
// gRPC): an answer is taken only up to its block and byte bounds, however
// much the peer streams (issue 17, point 5: block-sync batches bounded in bytes).
#include <catch2/catch.hpp>

#include <atomic>

#include "node/rpc/GrpcServer.h"
#include "node/sync/BlockSyncService.h"
#include "node/sync/GrpcBlockSource.h"

using namespace agora;
using namespace agora::node;

namespace {

// Answers every GetBlocks with `count` blocks of `blockBytes` junk each,
// whatever was asked, and counts what it managed to write.
class FloodingBlockSync final : public p2p::v1::BlockSync::Service {
public:
    FloodingBlockSync(std::size_t count, std::size_t blockBytes) : count_(count), blockBytes_(blockBytes) {}
    grpc::Status GetBlocks(grpc::ServerContext* ctx, const p2p::v1::GetBlocksRequest* req,
                           grpc::ServerWriter<p2p::v1::SyncedBlock>* writer) override {
        for (std::size_t i = 0; i < count_ && !ctx->IsCancelled(); ++i) {
            p2p::v1::SyncedBlock msg;
            msg.set_height(req->from_height() + i);
            msg.set_block(std::string(blockBytes_, 'b'));
            msg.set_commit_certificate(std::string(100, 'c'));
            if (!writer->Write(msg)) break;
            ++written;
        }
        return grpc::Status::OK;
    }
    std::atomic<std::size_t> written{0};

private:
    std::size_t count_;
    std::size_t blockBytes_;
};

}  // namespace

TEST_CASE("a block-sync answer is taken only up to the byte bound however much the peer streams", "[sync][bounds]") {
    constexpr std::size_t kBlock = 1 << 20;
    FloodingBlockSync flood(200, kBlock);
    GrpcServer server(GrpcServerOptions{"127.0.0.1:0", 1 << 20, 16});
    server.addService(&flood);
    auto port = server.start();
    REQUIRE(port.hasValue());

    GrpcBlockSource source("127.0.0.1:" + std::to_string(*port), GrpcBlockSourceOptions{});
    auto blocks = source.blocks(1, BlockSyncService::kMaxBlocksPerCall);
    REQUIRE(blocks.hasValue());
    std::size_t bytes = 0;
    for (const auto& b : *blocks) bytes += b.block.size() + b.certificate.size();
    CHECK(bytes <= kBlockSyncBytesPerCall);
    CHECK(blocks->size() == kBlockSyncBytesPerCall / (kBlock + 100));
    CHECK(blocks->front().height == 1);
    CHECK(flood.written.load() < 200);  // the call was cut, not read to the end
    server.shutdown(1000);
}

TEST_CASE("a block-sync answer always takes its first block, even one larger than the byte bound", "[sync][bounds]") {
    FloodingBlockSync flood(3, 100);
    GrpcServer server(GrpcServerOptions{"127.0.0.1:0", 1 << 20, 16});
    server.addService(&flood);
    auto port = server.start();
    REQUIRE(port.hasValue());
    GrpcBlockSourceOptions options;
    options.maxBytesPerCall = 10;  // smaller than any block
    GrpcBlockSource source("127.0.0.1:" + std::to_string(*port), options);
    auto blocks = source.blocks(5, 128);
    REQUIRE(blocks.hasValue());
    REQUIRE(blocks->size() == 1);
    CHECK(blocks->front().height == 5);
    server.shutdown(1000);
}
