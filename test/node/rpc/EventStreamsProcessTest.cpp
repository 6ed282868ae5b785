// agorad as a real process: EventService.Subscribe streams the events of the
// blocks it commits, replays them from a height, and ends open streams
// cleanly when the node stops.
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "agora/events/v1/events.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "node/config/NodeConfig.h"
#include "support/ChildProcess.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"
#include "wallet/AtomicFile.h"

#ifndef AGORAD_BINARY
#error "AGORAD_BINARY must name the agorad executable (test/CMakeLists.txt)"
#endif

using namespace agora;
namespace q = agora::query::v1;
namespace txpb = agora::tx::v1;
namespace evpb = agora::events::v1;
using namespace std::chrono_literals;

TEST_CASE("agorad streams a committed transfer's events live and replays them from a height",
          "[agorad][process][events]") {
    test::TempDir dir{"agorad-events"};
    const std::string home = dir.path("home");
    const int port = test::freePort();
    const auto alice = Address::fromPublicKey(test::testKey(1).publicKey);
    const auto bob = Address::fromPublicKey(test::testKey(2).publicKey);
    REQUIRE(test::runToExit({AGORAD_BINARY, "--home", home, "init", "val0", "--chain-id", "events-proc", "--fund",
                             alice.toBech32() + "=5000000000"},
                            dir.path("init.log")) == 0);
    node::NodeConfig cfg;
    cfg.grpc.address = "127.0.0.1:" + std::to_string(port);
    cfg.p2p.listenAddress = "127.0.0.1:0";  // block sync server: any free port
    cfg.consensus.timeoutCommitMs = 50;
    cfg.http.enabled = false;  // parallel test nodes must not share the default HTTP port
    REQUIRE(wallet::writeFileAtomic(home + "/config/config.toml", cfg.toToml(), wallet::WriteMode::Replace).hasValue());
    test::ChildProcess node({AGORAD_BINARY, "--home", home, "start"}, dir.path("node.log"));
    INFO(node.log());
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    std::uint64_t height = 0;
    REQUIRE(test::waitUntil(
        [&] {
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() + 2s);
            q::StatusResponse resp;
            if (!q::QueryService::NewStub(channel)->Status(&ctx, q::StatusRequest{}, &resp).ok()) return false;
            height = resp.latest_height();
            return height >= 1;
        },
        60s));

    // From the next height on: no race with the broadcast below.
    auto events = evpb::EventService::NewStub(channel);
    evpb::SubscribeRequest sreq;
    sreq.add_types("transfer");
    sreq.set_from_height(height + 1);
    grpc::ClientContext sctx;
    sctx.set_deadline(std::chrono::system_clock::now() + 60s);
    auto live = events->Subscribe(&sctx, sreq);

    Tx tx;
    tx.chainId = "events-proc";
    tx.nonce = 0;
    tx.fee = Amount(1'000);
    tx.msgs = {MsgSend{bob, Amount(4'242)}};
    const Bytes raw = test::signTx(test::testKey(1), tx).bytes();
    txpb::BroadcastRequest breq;
    breq.set_tx(std::string(raw.begin(), raw.end()));
    breq.set_mode(txpb::BROADCAST_MODE_COMMIT);
    txpb::BroadcastResponse bresp;
    grpc::ClientContext bctx;
    bctx.set_deadline(std::chrono::system_clock::now() + 30s);
    REQUIRE(txpb::TxService::NewStub(channel)->Broadcast(&bctx, breq, &bresp).ok());

    agora::types::v1::Event e;
    REQUIRE(live->Read(&e));
    REQUIRE(e.type() == "transfer");
    REQUIRE(e.height() == bresp.height());
    REQUIRE(e.tx_hash() == bresp.tx_hash());
    REQUIRE(e.attributes(2).value() == "4242");

    // The same event, replayed from storage.
    sreq.set_from_height(1);
    grpc::ClientContext rctx;
    rctx.set_deadline(std::chrono::system_clock::now() + 30s);
    auto replay = events->Subscribe(&rctx, sreq);
    agora::types::v1::Event again;
    REQUIRE(replay->Read(&again));
    REQUIRE(again.SerializeAsString() == e.SerializeAsString());

    // Stopping the node ends both streams (not after the gRPC shutdown grace).
    node.signal(SIGTERM);
    REQUIRE(node.waitExit(20s) == 0);
    while (live->Read(&e)) {
    }
    while (replay->Read(&again)) {
    }
    const auto code = live->Finish().error_code();
    REQUIRE((code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::CANCELLED));
    replay->Finish();
}
