// kill -9 under load (issue 5 acceptance): many funded accounts submit sends
// concurrently in commit mode over gRPC; agorad is killed with SIGKILL in the
// middle; after a restart every tx the node reported committed is found by
// GetTx at the same height with the same result, and every height before the
// kill keeps its app_hash.
#include <grpcpp/grpcpp.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "node/config/NodeConfig.h"
#include "support/RunningNode.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace std::chrono_literals;
namespace q = agora::query::v1;
namespace txpb = agora::tx::v1;

namespace {

const char* kChain = "kill-load";

std::uint64_t scaleDivisor() {
    const char* v = std::getenv("AGORA_TEST_SCALE_DIVISOR");
    const std::uint64_t d = v != nullptr ? std::strtoull(v, nullptr, 10) : 1;
    return d == 0 ? 1 : d;
}

struct Committed {
    std::string hash;
    std::uint64_t height = 0;
    std::uint32_t code = 0;
    std::string message;
};

std::optional<q::StatusResponse> status(const std::shared_ptr<grpc::Channel>& ch) {
    auto stub = q::QueryService::NewStub(ch);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 2s);
    q::StatusResponse resp;
    if (!stub->Status(&ctx, q::StatusRequest{}, &resp).ok()) return std::nullopt;
    return resp;
}

std::optional<std::string> appHashAt(const std::shared_ptr<grpc::Channel>& ch, std::uint64_t height) {
    auto stub = q::QueryService::NewStub(ch);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    q::BlockRequest req;
    req.set_height(height);
    q::BlockResponse resp;
    if (!stub->Block(&ctx, req, &resp).ok()) return std::nullopt;
    return resp.block().header_view().app_hash();
}

}  // namespace

TEST_CASE("after kill -9 under concurrent load every tx reported committed survives with its height and result",
          "[agorad][process][crash]") {
    const std::uint64_t divisor = scaleDivisor();
    // 64 submitters x 50 txs = 3,200 txs at full scale; the kill comes at half.
    const std::size_t accounts = divisor == 1 ? 64 : 32;
    const std::size_t perAccount = std::max<std::size_t>(50 / divisor, 10);
    const std::size_t killAfter = accounts * perAccount / 2;

    test::RunningNode::Setup setup;
    setup.moniker = "v0";
    setup.fund = test::RunningNode::fundTestKeys(static_cast<std::uint8_t>(accounts), 10'000'000'000);
    setup.adjust = [](node::NodeConfig& cfg) { cfg.consensus.timeoutCommitMs = 20; };
    test::RunningNode node("agorad-kill-load", kChain, setup);
    const auto channel = node.channel();

    std::mutex mu;
    std::vector<Committed> committed;
    std::atomic<std::size_t> count{0};
    std::atomic<std::size_t> failures{0};
    const Address sink = Address::fromPublicKey(test::testKey(250).publicKey);
    std::vector<std::thread> submitters;
    for (std::size_t a = 0; a < accounts; ++a) {
        submitters.emplace_back([&, a] {
            auto stub = txpb::TxService::NewStub(channel);
            const auto key = test::testKey(static_cast<std::uint8_t>(a + 1));
            for (std::uint64_t nonce = 0; nonce < perAccount; ++nonce) {
                Tx tx;
                tx.chainId = kChain;
                tx.nonce = nonce;
                tx.fee = Amount(1'000);
                tx.msgs = {MsgSend{sink, Amount(1 + nonce)}};
                const Bytes raw = test::signTx(key, tx).bytes();
                txpb::BroadcastRequest req;
                req.set_tx(std::string(raw.begin(), raw.end()));
                req.set_mode(txpb::BROADCAST_MODE_COMMIT);
                txpb::BroadcastResponse resp;
                grpc::ClientContext ctx;
                ctx.set_deadline(std::chrono::system_clock::now() + 30s);
                if (!stub->Broadcast(&ctx, req, &resp).ok() || resp.height() == 0) {
                    ++failures;  // the node died under it: nothing was promised
                    return;
                }
                std::lock_guard lock(mu);
                committed.push_back({resp.tx_hash(), resp.height(), resp.code(), resp.message()});
                ++count;
            }
        });
    }

    // Wait for half the load, note the app_hash of every height so far, then kill.
    const bool reached = test::waitUntil([&] { return count.load() >= killAfter; }, 120s);
    INFO(node.log());
    REQUIRE(reached);
    const auto before = status(channel);
    REQUIRE(before.has_value());
    std::map<std::uint64_t, std::string> hashes;
    for (std::uint64_t h = 1; h <= before->latest_height(); ++h) {
        auto hash = appHashAt(channel, h);
        REQUIRE(hash.has_value());
        hashes[h] = *hash;
    }
    REQUIRE(node.kill9() == 128 + SIGKILL);
    for (auto& t : submitters) t.join();
    const std::vector<Committed> reported = committed;  // no writer is left
    REQUIRE(reported.size() >= killAfter);

    node.start(1);
    INFO(node.log());
    const auto after = status(channel);
    std::uint64_t maxReported = 0;
    for (const auto& c : reported) maxReported = std::max(maxReported, c.height);
    REQUIRE(after->latest_height() >= maxReported);

    auto stub = txpb::TxService::NewStub(channel);
    std::size_t checked = 0;
    for (const auto& c : reported) {
        txpb::GetTxRequest req;
        req.set_hash(c.hash);
        txpb::GetTxResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 5s);
        const auto st = stub->GetTx(&ctx, req, &resp);
        INFO("tx " << toHex(asBytes(c.hash)) << " reported at height " << c.height << ": " << st.error_message());
        REQUIRE(st.ok());
        REQUIRE(resp.height() == c.height);
        REQUIRE(resp.result().code() == c.code);
        REQUIRE(resp.result().message() == c.message);
        ++checked;
    }
    REQUIRE(checked == reported.size());
    for (const auto& [h, hash] : hashes) {
        INFO("height " << h);
        REQUIRE(appHashAt(channel, h) == hash);
    }
    // The restarted node keeps making blocks.
    const auto resumed = after->latest_height() + 1;
    REQUIRE(test::waitUntil(
        [&] {
            auto s = status(channel);
            return s && s->latest_height() >= resumed;
        },
        30s));
    REQUIRE(node.stop() == 0);
    INFO("failures " << failures.load());
}
