// Bad input against a real agorad over gRPC: every kind gets a clear error
// (status code, and the agora-code trailer where a handler ran), and
// afterwards the node still commits blocks while what it committed before
// (app hashes, balances) stays as it was.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include <future>

#include "agora/market/v1/market.grpc.pb.h"
#include "support/RunningNode.h"

using namespace agora;
using namespace std::chrono_literals;
namespace txpb = agora::tx::v1;
namespace mpb = agora::market::v1;

namespace {

// A unary call with raw request bytes, bypassing protobuf on the client.
grpc::Status rawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::string& body, std::string* agoraCode) {
    grpc::GenericStub stub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    grpc::Slice slice(body);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status status = done.get_future().get();
    *agoraCode = test::RunningNode::codeOf(ctx);
    return status;
}

}  // namespace

TEST_CASE("agorad answers each kind of bad gRPC input with a clear error and keeps committing unchanged state",
          "[agorad][process][rpc]") {
    test::RunningNode node("agorad-bad-input", "bad-input",
                           [](node::NodeConfig& c) { c.grpc.maxRecvBytes = 64 * 1024; });
    INFO(node.log());
    const auto alice = Address::fromPublicKey(test::testKey(1).publicKey);
    const auto bob = Address::fromPublicKey(test::testKey(2).publicKey);

    // One good tx, committed: the state the bad input must not disturb.
    const SignedTx good = node.send(1, 2, 12'345, 0);
    auto committed = node.broadcast(test::asString(good.bytes()), txpb::BROADCAST_MODE_COMMIT);
    REQUIRE(committed.status.ok());
    REQUIRE(committed.response.code() == 0);
    const std::uint64_t h1 = committed.response.height();
    const std::string appHash1 = node.appHashAt(h1);
    const std::string aliceBalance = node.balance(alice), bobBalance = node.balance(bob);
    REQUIRE(bobBalance == "5000012345");

    {
        INFO("malformed tx bytes");
        auto r = node.broadcast("\x01\x02 not a tx", txpb::BROADCAST_MODE_SYNC);
        REQUIRE(r.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(r.agoraCode == "500");
        REQUIRE(r.status.error_message().rfind("code 500: ", 0) == 0);
        // The same bytes through an action service: the same code.
        grpc::ClientContext ctx;
        mpb::SignedTxRequest req;
        req.set_tx("\xff\xff");
        txpb::BroadcastResponse resp;
        auto s = mpb::ProviderService::NewStub(node.channel())->Register(&ctx, req, &resp);
        REQUIRE(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(test::RunningNode::codeOf(ctx) == "500");
    }
    {
        INFO("bad signature");
        Bytes raw = node.send(1, 2, 1, 1).bytes();
        raw.back() ^= 0x01;
        auto r = node.broadcast(test::asString(raw), txpb::BROADCAST_MODE_COMMIT);
        REQUIRE(r.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(r.agoraCode == "509");
        REQUIRE(r.status.error_message().find("signature") != std::string::npos);
    }
    {
        INFO("wrong chain id");
        auto r =
            node.broadcast(test::asString(node.send(1, 2, 1, 1, "another-chain").bytes()), txpb::BROADCAST_MODE_COMMIT);
        REQUIRE(r.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(r.agoraCode == "100");
        REQUIRE(r.status.error_message().rfind("code 100: ", 0) == 0);
    }
    {
        INFO("replayed nonce");
        // The committed tx again, and a different tx reusing its nonce.
        auto again = node.broadcast(test::asString(good.bytes()), txpb::BROADCAST_MODE_COMMIT);
        REQUIRE(again.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        REQUIRE(again.agoraCode == "504");
        auto reuse = node.broadcast(test::asString(node.send(1, 2, 999, 0).bytes()), txpb::BROADCAST_MODE_COMMIT);
        REQUIRE(reuse.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        REQUIRE(reuse.agoraCode == "504");
        REQUIRE(reuse.status.error_message().find("nonce") != std::string::npos);
    }
    {
        INFO("oversize request");
        // Rejected by the transport before any handler runs: no agora-code.
        auto r = node.broadcast(std::string(100 * 1024, 'x'), txpb::BROADCAST_MODE_SYNC);
        REQUIRE(r.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
        REQUIRE(r.status.error_message().find("larger than max") != std::string::npos);
    }
    {
        INFO("unknown enum value");
        auto r = node.broadcast(test::asString(node.send(1, 2, 1, 1).bytes()), static_cast<txpb::BroadcastMode>(99));
        REQUIRE(r.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        REQUIRE(r.agoraCode == "601");
        grpc::ClientContext ctx;
        mpb::SignedTxRequest req;
        req.set_tx(test::asString(node.send(1, 2, 1, 1).bytes()));
        req.set_mode(static_cast<txpb::BroadcastMode>(7));
        txpb::BroadcastResponse resp;
        auto s = mpb::ClientService::NewStub(node.channel())->CreateJob(&ctx, req, &resp);
        REQUIRE(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        // Either refusal is clear: the mode, or the message kind (a send is not a job).
        const std::string code = test::RunningNode::codeOf(ctx);
        REQUIRE((code == "601" || code == "600"));
    }
    {
        INFO("garbage protobuf");
        // Field 1 (bytes) claiming 2^32-1 bytes that never come: not a message.
        const std::string garbage("\x0a\xff\xff\xff\xff\x0f", 6);
        for (const char* method :
             {"/agora.tx.v1.TxService/Broadcast", "/agora.query.v1.QueryService/Account",
              "/agora.market.v1.ClientService/Settle", "/agora.market.v1.ProviderService/WatchJobs"}) {
            INFO(method);
            std::string code;
            auto s = rawUnaryCall(node.channel(), method, garbage, &code);
            REQUIRE(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
            REQUIRE(code == "602");
            REQUIRE(s.error_message() ==
                    std::string("code 602: request is not a valid protobuf message for ") + method);
        }
    }

    // The node is alive, keeps committing, and nothing committed changed.
    REQUIRE(test::waitUntil([&] { return node.latestHeight() >= h1 + 3; }, 60s));
    REQUIRE(node.appHashAt(h1) == appHash1);
    REQUIRE(node.balance(alice) == aliceBalance);
    REQUIRE(node.balance(bob) == bobBalance);
    auto next = node.broadcast(test::asString(node.send(1, 2, 1, 1).bytes()), txpb::BROADCAST_MODE_COMMIT);
    REQUIRE(next.status.ok());
    REQUIRE(next.response.code() == 0);
    REQUIRE(node.balance(bob) == "5000012346");
    REQUIRE(node.process().running());
}
