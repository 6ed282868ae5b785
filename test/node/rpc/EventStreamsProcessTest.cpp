// agorad as a real process: EventService.Subscribe streams the events of the
// blocks it commits, replays them from a height, and ends open streams
// cleanly when the node stops.
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "agora/events/v1/events.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "support/RunningNode.h"

using namespace agora;
namespace q = agora::query::v1;
namespace txpb = agora::tx::v1;
namespace evpb = agora::events::v1;
using namespace std::chrono_literals;

TEST_CASE("agorad streams a committed transfer's events live and replays them from a height",
          "[agorad][process][events]") {
    test::RunningNode node("agorad-events", "events-proc", {}, 1);
    const auto channel = node.channel();
    const std::uint64_t height = node.latestHeight();
    REQUIRE(height >= 1);

    // From the next height on: no race with the broadcast below.
    auto events = evpb::EventService::NewStub(channel);
    evpb::SubscribeRequest sreq;
    sreq.add_types("transfer");
    sreq.set_from_height(height + 1);
    grpc::ClientContext sctx;
    sctx.set_deadline(std::chrono::system_clock::now() + 60s);
    auto live = events->Subscribe(&sctx, sreq);

    const Bytes raw = node.send(1, 2, 4'242, 0).bytes();
    const auto reply = node.broadcast(test::asString(raw), txpb::BROADCAST_MODE_COMMIT);
    REQUIRE(reply.status.ok());
    const auto& bresp = reply.response;

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
    REQUIRE(node.stop() == 0);
    while (live->Read(&e)) {
    }
    while (replay->Read(&again)) {
    }
    const auto code = live->Finish().error_code();
    REQUIRE((code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::CANCELLED));
    replay->Finish();
}
