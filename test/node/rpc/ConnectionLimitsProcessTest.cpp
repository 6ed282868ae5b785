// Per-connection gRPC limits of a real agorad ([grpc] in docs/config.md):
// concurrent streams per connection, idle connections closed, clients that
// ping too often sent away, oversized metadata refused.
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "agora/events/v1/events.grpc.pb.h"
#include "support/RunningNode.h"

using namespace agora;
using namespace std::chrono_literals;
namespace q = agora::query::v1;
namespace evpb = agora::events::v1;

namespace {

grpc::Status statusCall(const std::shared_ptr<grpc::Channel>& channel, std::chrono::milliseconds timeout) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    q::StatusResponse resp;
    return q::QueryService::NewStub(channel)->Status(&ctx, q::StatusRequest{}, &resp);
}

// A live event stream that stays open (no event matches its type filter).
struct QuietStream {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<agora::types::v1::Event>> reader;
    explicit QuietStream(const std::shared_ptr<grpc::Channel>& channel) {
        ctx.set_deadline(std::chrono::system_clock::now() + 60s);
        evpb::SubscribeRequest req;
        req.add_types("no_such_event_type");
        reader = evpb::EventService::NewStub(channel)->Subscribe(&ctx, req);
    }
    // Status once the stream ends (Read returns false first).
    grpc::Status finish() {
        agora::types::v1::Event e;
        while (reader->Read(&e)) {
        }
        return reader->Finish();
    }
};

}  // namespace

TEST_CASE("agorad caps concurrent streams per connection: a call beyond the cap waits for a free stream",
          "[agorad][process][rpc][limits]") {
    test::RunningNode node("agorad-stream-cap", "limits", [](node::NodeConfig& c) {
        c.grpc.maxConcurrentStreams = 2;
        c.grpc.maxStreamsPerClient = 16;
    });
    INFO(node.log());
    auto a = node.newChannel();
    // Connected, and the server's SETTINGS (the cap) known to the client.
    REQUIRE(statusCall(a, 10s).ok());
    auto s1 = std::make_unique<QuietStream>(a);
    auto s2 = std::make_unique<QuietStream>(a);
    // Both streams hold the connection's two slots: a third call cannot start.
    REQUIRE(statusCall(a, 1500ms).error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
    // Another connection is not affected.
    REQUIRE(statusCall(node.newChannel(), 10s).ok());
    // A slot frees when a stream ends.
    s1->ctx.TryCancel();
    REQUIRE(s1->finish().error_code() == grpc::StatusCode::CANCELLED);
    REQUIRE(statusCall(a, 10s).ok());
    s2->ctx.TryCancel();
    s2->finish();
}

TEST_CASE("agorad closes a connection that stays idle beyond max_connection_idle_ms",
          "[agorad][process][rpc][limits]") {
    test::RunningNode node("agorad-idle", "limits", [](node::NodeConfig& c) { c.grpc.maxConnectionIdleMs = 500; });
    INFO(node.log());
    auto ch = node.newChannel();
    REQUIRE(statusCall(ch, 10s).ok());
    REQUIRE(ch->GetState(false) == GRPC_CHANNEL_READY);
    // The server sends GOAWAY after 500 ms without a call; the channel leaves READY.
    REQUIRE(ch->WaitForStateChange(GRPC_CHANNEL_READY, std::chrono::system_clock::now() + 20s));
    REQUIRE(ch->GetState(false) != GRPC_CHANNEL_READY);
    // Clients simply reconnect.
    REQUIRE(statusCall(ch, 10s).ok());
}

TEST_CASE("agorad sends away a client that pings more often than keepalive_min_client_interval_ms",
          "[agorad][process][rpc][limits]") {
    test::RunningNode node("agorad-pings", "limits", [](node::NodeConfig& c) {
        c.grpc.keepaliveMinClientIntervalMs = 60'000;
        c.grpc.keepaliveMaxPingStrikes = 2;
    });
    INFO(node.log());
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5'000);
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
    args.SetInt(GRPC_ARG_HTTP2_MIN_SENT_PING_INTERVAL_WITHOUT_DATA_MS, 10);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    auto abusive = node.newChannel(args);
    QuietStream stream(abusive);
    // GOAWAY(ENHANCE_YOUR_CALM, too_many_pings) ends the open stream.
    const grpc::Status s = stream.finish();
    INFO(s.error_message());
    REQUIRE(s.error_code() == grpc::StatusCode::UNAVAILABLE);
    // A well-behaved connection keeps working.
    REQUIRE(statusCall(node.newChannel(), 10s).ok());
}

TEST_CASE("agorad refuses request metadata above max_metadata_bytes", "[agorad][process][rpc][limits]") {
    test::RunningNode node("agorad-metadata", "limits", [](node::NodeConfig& c) { c.grpc.maxMetadataBytes = 2048; });
    INFO(node.log());
    auto ch = node.newChannel();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    ctx.AddMetadata("x-padding", std::string(8 * 1024, 'a'));
    q::StatusResponse resp;
    const auto s = q::QueryService::NewStub(ch)->Status(&ctx, q::StatusRequest{}, &resp);
    INFO(s.error_message());
    REQUIRE(!s.ok());
    REQUIRE(s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED);
    REQUIRE(statusCall(node.newChannel(), 10s).ok());
}
