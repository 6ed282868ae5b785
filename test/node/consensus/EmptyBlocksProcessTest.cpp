// consensus.create_empty_blocks = false and consensus.empty_blocks_interval_ms
// (docs/config.md, ConsensusDriver): an idle chain makes no blocks, the first
// tx starts the next height, and the interval still makes a block when set.
// Real agorad processes on loopback.

#include <catch2/catch.hpp>

#include <chrono>

#include "../p2p/ValidatorNetwork.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "support/RunningNode.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace std::chrono_literals;

namespace {

// Observation window for a negative claim: nothing to wait for, the claim is
// that no block is made while nothing happens.
bool noBlockFor(const std::function<std::uint64_t()>& height, std::chrono::milliseconds window) {
    const auto start = height();
    return !test::waitUntil([&] { return height() > start; }, window);
}

std::uint64_t blockTimeMs(const std::shared_ptr<grpc::Channel>& channel, std::uint64_t height) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    query::v1::BlockRequest req;
    req.set_height(height);
    query::v1::BlockResponse resp;
    REQUIRE(query::v1::QueryService::NewStub(channel)->Block(&ctx, req, &resp).ok());
    return resp.block().header_view().time_ms();
}

}  // namespace

TEST_CASE(
    "create_empty_blocks = false: an idle single validator makes no block and the first tx commits in the next one",
    "[consensus][process]") {
    test::RunningNode node("empty-blocks-off", "empty-blocks-off", [](node::NodeConfig& c) {
        c.consensus.timeoutCommitMs = 20;  // with empty blocks on: ~50 blocks a second
        c.consensus.createEmptyBlocks = false;
        c.consensus.emptyBlocksIntervalMs = 0;  // no liveness block either
    });
    const auto height = [&] { return node.latestHeight(); };
    const std::uint64_t idleAt = height();
    CHECK(noBlockFor(height, 1500ms));

    const SignedTx tx = node.send(1, 2, 1'000, 0);
    const auto reply = node.broadcast(test::asString(encode(tx)), tx::v1::BROADCAST_MODE_COMMIT);
    REQUIRE(reply.status.ok());
    CHECK(reply.response.code() == 0);
    CHECK(reply.response.height() == idleAt + 1);
    // Idle again after it: no trailing empty block.
    CHECK(noBlockFor(height, 1000ms));
    CHECK(height() == idleAt + 1);
}

TEST_CASE("empty_blocks_interval_ms: an idle chain without empty blocks still makes one block per interval",
          "[consensus][process]") {
    constexpr std::uint64_t kIntervalMs = 400;
    test::RunningNode node("empty-blocks-interval", "empty-blocks-interval", [](node::NodeConfig& c) {
        c.consensus.timeoutCommitMs = 20;
        c.consensus.createEmptyBlocks = false;
        c.consensus.emptyBlocksIntervalMs = kIntervalMs;
    });
    const std::uint64_t first = node.latestHeight();
    REQUIRE(test::waitUntil([&] { return node.latestHeight() >= first + 3; }, 30s));
    // Each idle block is proposed at least an interval after the previous
    // one committed, so at least an interval after it was proposed.
    for (std::uint64_t h = first + 1; h <= first + 3; ++h) {
        const auto gap = blockTimeMs(node.channel(), h) - blockTimeMs(node.channel(), h - 1);
        INFO("height " << h << " came " << gap << " ms after the previous block");
        CHECK(gap >= kIntervalMs);
    }
}

TEST_CASE("create_empty_blocks = false on four validators: idle, then a tx sent to any node commits on all",
          "[consensus][process][p2p]") {
    test::ValidatorNetwork net({"100", "100", "100", "100"}, {Address::fromPublicKey(test::testKey(1).publicKey)},
                               Amount(1'000'000'000'000ULL), [](node::NodeConfig& c) {
                                   c.consensus.createEmptyBlocks = false;
                                   c.consensus.emptyBlocksIntervalMs = 0;  // no liveness block either
                               });
    net.startAll();
    const std::vector<std::size_t> all{0, 1, 2, 3};
    REQUIRE(net.waitHeight(all, 1, 60s));
    const auto height = [&] { return net.maxHeight(all); };
    // Every node reaches the same idle height and stays there.
    REQUIRE(test::waitUntil([&] { return noBlockFor(height, 1000ms); }, 30s));
    const std::uint64_t idleAt = height();
    REQUIRE(net.waitHeight(all, idleAt, 30s));

    // One tx per node in turn: whichever node is proposer, each commits.
    for (std::uint8_t i = 0; i < 4; ++i) {
        const auto reply = net.broadcastCommit(i, test::ValidatorNetwork::send(1, 2, 5, i), 30s);
        INFO("tx " << int(i) << " via node " << int(i) << ": " << reply.status.error_message());
        REQUIRE(reply.status.ok());
        CHECK(reply.response.code() == 0);
        CHECK(reply.response.height() > idleAt);
    }
    const std::uint64_t after = height();
    REQUIRE(net.waitHeight(all, after, 30s));
    // A few blocks for four txs (a node may enter the height before the tx
    // reached the proposer), and none once idle again.
    CHECK(after <= idleAt + 8);
    CHECK(noBlockFor(height, 1000ms));
}
