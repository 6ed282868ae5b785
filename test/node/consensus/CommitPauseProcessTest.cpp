// The commit pause is an upper bound (ConsensusDriver::nextHeightMayStart,
// decision 44): a height starts as soon as the previous one commits when txs
// wait and every validator's precommit is in the certificate, so a tx does not
// wait out consensus.timeout_commit_ms; with four validators the wait for the
// last precommits keeps everybody in the certificates. Real agorad processes
// on loopback. The pauses are long (minutes, seconds) so that a block time
// below them proves the pause was skipped, without a tight timed assertion.

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

query::v1::BlockSummary blockSummary(const std::shared_ptr<grpc::Channel>& channel, std::uint64_t height) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    query::v1::BlocksRequest req;
    req.set_max_height(height);
    req.set_limit(1);
    query::v1::BlocksResponse resp;
    REQUIRE(query::v1::QueryService::NewStub(channel)->Blocks(&ctx, req, &resp).ok());
    REQUIRE(resp.blocks_size() == 1);
    REQUIRE(resp.blocks(0).header().height() == height);
    return resp.blocks(0);
}

std::uint64_t blockTimeMs(const std::shared_ptr<grpc::Channel>& channel, std::uint64_t height) {
    return blockSummary(channel, height).header().time_ms();
}

}  // namespace

TEST_CASE("a single validator starts the next height at once when a tx waits, not after timeout_commit_ms",
          "[consensus][process]") {
    constexpr std::uint64_t kPauseMs = 600'000;  // ten minutes: longer than the whole test
    test::RunningNode node("commit-pause-single", "commit-pause-single", [](node::NodeConfig& c) {
        c.consensus.timeoutCommitMs = kPauseMs;
        c.consensus.createEmptyBlocks = true;  // the pause still holds an idle chain
    });
    const std::uint64_t idleAt = node.latestHeight();
    // Each tx commits in the very next block, which comes far sooner than the pause.
    for (std::uint64_t nonce = 0; nonce < 3; ++nonce) {
        const SignedTx tx = node.send(1, 2, 1'000, nonce);
        const auto reply = node.broadcast(test::asString(encode(tx)), tx::v1::BROADCAST_MODE_COMMIT);
        INFO("tx " << nonce << ": " << reply.status.error_message());
        REQUIRE(reply.status.ok());
        CHECK(reply.response.code() == 0);
        const std::uint64_t h = idleAt + 1 + nonce;
        REQUIRE(reply.response.height() == h);
        const auto gap = blockTimeMs(node.channel(), h) - blockTimeMs(node.channel(), h - 1);
        INFO("height " << h << " came " << gap << " ms after the previous block");
        CHECK(gap < kPauseMs);
    }
    // Idle again: the pause holds the next (empty) block.
    CHECK(node.latestHeight() == idleAt + 3);
}

TEST_CASE("four validators with txs waiting skip the commit pause and nobody is counted absent",
          "[consensus][process][p2p]") {
    constexpr std::uint64_t kPauseMs = 10'000;
    constexpr std::uint8_t kTxs = 12;
    test::ValidatorNetwork net({"100", "100", "100", "100"}, {Address::fromPublicKey(test::testKey(1).publicKey)},
                               Amount(1'000'000'000'000ULL), [](node::NodeConfig& c) {
                                   c.consensus.timeoutCommitMs = kPauseMs;
                                   c.consensus.createEmptyBlocks = false;
                                   c.consensus.emptyBlocksIntervalMs = 0;
                                   // Rounds that time out on a loaded machine would leave a
                                   // validator's precommit nil: absent for a reason other than
                                   // the one under test.
                                   c.consensus.timeoutProposeMs = 5'000;
                                   c.consensus.timeoutPrevoteMs = 2'000;
                                   c.consensus.timeoutPrecommitMs = 2'000;
                               });
    net.startAll();
    const std::vector<std::size_t> all{0, 1, 2, 3};
    REQUIRE(net.waitHeight(all, 1, 60s));
    const std::uint64_t first = net.maxHeight(all);

    // A steady run: one tx after another, sent to each node in turn.
    for (std::uint8_t i = 0; i < kTxs; ++i) {
        const auto reply = net.broadcastCommit(i % 4, test::ValidatorNetwork::send(1, 2, 5, i), 60s);
        INFO("tx " << int(i) << " via node " << int(i % 4) << ": " << reply.status.error_message());
        REQUIRE(reply.status.ok());
        REQUIRE(reply.response.code() == 0);
    }
    const std::uint64_t last = net.maxHeight(all);
    REQUIRE(net.waitHeight(all, last, 30s));
    REQUIRE(last > first + 1);
    const auto channel = test::ValidatorNetwork::freshChannel(net.member(0).grpcPort);
    std::uint64_t pauseLongBlocks = 0;
    for (std::uint64_t h = first + 1; h <= last; ++h) {
        const auto block = blockSummary(channel, h);
        // The certificate of h - 1 that block h carries: all four precommits
        // (from the second block of the run on: block `first` may have been
        // decided while a node was still starting).
        INFO("block " << h << " carries " << block.last_commit_signers_size() << " precommits of block " << h - 1);
        if (h >= first + 2) CHECK(block.last_commit_signers_size() == 4);
        if (block.tx_hashes_size() > 0 && block.header().time_ms() - blockTimeMs(channel, h - 1) >= kPauseMs)
            ++pauseLongBlocks;
    }
    // A block with txs came after the full pause only if the tx reached its
    // proposer that late; never for most of them.
    CHECK(pauseLongBlocks * 2 < kTxs);
}
