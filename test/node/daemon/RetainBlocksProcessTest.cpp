// storage.retain_blocks in a real agorad (docs/config.md): the node keeps the
// newest blocks, reports its oldest as earliest_height and answers NOT_FOUND
// for a pruned block, over gRPC.
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "agora/query/v1/query.grpc.pb.h"
#include "support/RunningNode.h"

using namespace agora;
namespace q = agora::query::v1;

TEST_CASE("agorad with storage.retain_blocks keeps the newest blocks and answers NOT_FOUND for pruned ones",
          "[agorad][process][prune]") {
    test::RunningNode node("agorad-retain", "retain-proc", [](node::NodeConfig& cfg) {
        cfg.consensus.timeoutCommitMs = 20;
        cfg.storage.retainBlocks = 3;
    });
    REQUIRE(node.waitHeight(10));
    const auto status = node.status();
    INFO(status.DebugString());
    // Each commit prunes what falls below the newest three (status is read between commits).
    REQUIRE(status.earliest_height() + 2 >= status.latest_height());
    REQUIRE(status.earliest_height() > 1);

    auto block = [&](std::uint64_t h) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        q::BlockRequest req;
        req.set_height(h);
        q::BlockResponse resp;
        return q::QueryService::NewStub(node.channel())->Block(&ctx, req, &resp);
    };
    CHECK(block(1).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(block(status.latest_height()).ok());
}
