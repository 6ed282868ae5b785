// TxService over a real gRPC server on loopback, with a real mempool.
#include <grpcpp/generic/generic_stub.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <thread>

#include "agora/tx/v1/tx.grpc.pb.h"
#include "node/rpc/GrpcServer.h"
#include "node/rpc/GrpcStatus.h"
#include "node/rpc/TxServiceImpl.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace agora::node;
namespace txpb = agora::tx::v1;

namespace {

class FundedLedger final : public MempoolLedgerView {
public:
    CheckResult check(const SignedTx&) const override { return {}; }
    Account account(const Address&) const override { return {0, Amount(1'000'000)}; }
    Amount minFee(const Tx&) const override { return Amount(10); }
};

std::string signedTx(std::uint64_t nonce, std::uint8_t key = 1) {
    Tx tx;
    tx.chainId = "test-chain";
    tx.nonce = nonce;
    tx.fee = Amount(10);
    tx.msgs = {MsgSend{Address{}, Amount(1)}};
    const Bytes b = test::signTx(test::testKey(key), tx).bytes();
    return std::string(b.begin(), b.end());
}

struct Harness {
    Mempool mempool{MempoolLimits{}, std::make_shared<SignatureCache>()};
    CommitWaiters waiters;
    std::shared_ptr<FundedLedger> ledger = std::make_shared<FundedLedger>();
    TxSubmitter submitter{mempool, [this] { return ledger; }, waiters};
    TxServiceImpl service{submitter};
    GrpcServer server{GrpcServerOptions{"127.0.0.1:0", 1 << 20, 100}};
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<txpb::TxService::Stub> stub;

    Harness() {
        server.addService(&service);
        auto port = server.start();
        REQUIRE(port.hasValue());
        channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(*port), grpc::InsecureChannelCredentials());
        stub = txpb::TxService::NewStub(channel);
    }
};

std::string trailingCode(const grpc::ClientContext& ctx) {
    auto md = ctx.GetServerTrailingMetadata();
    auto it = md.find(kAgoraCodeMetadata);
    return it == md.end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace

TEST_CASE("Broadcast in sync mode admits a signed tx to the mempool over gRPC", "[rpc][tx]") {
    Harness h;
    txpb::BroadcastRequest req;
    req.set_tx(signedTx(0));
    req.set_mode(txpb::BROADCAST_MODE_SYNC);
    txpb::BroadcastResponse resp;
    grpc::ClientContext ctx;
    auto status = h.stub->Broadcast(&ctx, req, &resp);
    REQUIRE(status.ok());
    REQUIRE(resp.tx_hash() == std::string(reinterpret_cast<const char*>(sha256(asBytes(req.tx())).bytes().data()), 32));
    REQUIRE(h.mempool.size() == 1);
}

TEST_CASE("Broadcast maps admission failures to gRPC status codes with the agora code", "[rpc][tx]") {
    Harness h;
    auto call = [&](const std::string& tx, grpc::StatusCode expected, const char* code) {
        txpb::BroadcastRequest req;
        req.set_tx(tx);
        txpb::BroadcastResponse resp;
        grpc::ClientContext ctx;
        auto status = h.stub->Broadcast(&ctx, req, &resp);
        INFO(status.error_message());
        REQUIRE(status.error_code() == expected);
        REQUIRE(trailingCode(ctx) == code);
        if (expected != grpc::StatusCode::OK)
            REQUIRE(status.error_message().rfind(std::string("code ") + code + ": ", 0) == 0);
    };
    call("garbage", grpc::StatusCode::INVALID_ARGUMENT, "500");
    const std::string tx = signedTx(0);
    std::string badSig = tx;
    badSig.back() = static_cast<char>(badSig.back() ^ 1);
    call(badSig, grpc::StatusCode::INVALID_ARGUMENT, "509");
    call(tx, grpc::StatusCode::OK, "");
    call(tx, grpc::StatusCode::ALREADY_EXISTS, "501");
    call(signedTx(5), grpc::StatusCode::FAILED_PRECONDITION, "505");
}

TEST_CASE("Broadcast rejects requests above the configured size limit", "[rpc][tx]") {
    Harness h;
    txpb::BroadcastRequest req;
    req.set_tx(std::string(2 << 20, 'x'));
    txpb::BroadcastResponse resp;
    grpc::ClientContext ctx;
    REQUIRE(h.stub->Broadcast(&ctx, req, &resp).error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_CASE("Broadcast in commit mode replies when the tx commits", "[rpc][tx]") {
    Harness h;
    txpb::BroadcastRequest req;
    req.set_tx(signedTx(0));
    req.set_mode(txpb::BROADCAST_MODE_COMMIT);
    txpb::BroadcastResponse resp;
    grpc::ClientContext ctx;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    h.stub->async()->Broadcast(&ctx, &req, &resp, [&](grpc::Status s) {
        std::lock_guard lock(mu);
        status = s;
        done = true;
        cv.notify_all();
    });
    // The tx reaches the mempool first; then the "block" commits it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (h.mempool.size() == 0 || h.waiters.size() == 0) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::yield();
    }
    h.waiters.notify(sha256(asBytes(req.tx())), CommittedTx{7, 0, 0, "", 10});
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_until(lock, deadline, [&] { return done; }));
    REQUIRE(status.ok());
    REQUIRE(resp.height() == 7);
    REQUIRE(h.waiters.size() == 0);
}

TEST_CASE("a commit-mode Broadcast whose client gives up leaves no waiter behind", "[rpc][tx]") {
    Harness h;
    txpb::BroadcastRequest req;
    req.set_tx(signedTx(0));
    req.set_mode(txpb::BROADCAST_MODE_COMMIT);
    txpb::BroadcastResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    auto status = h.stub->Broadcast(&ctx, req, &resp);
    REQUIRE(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (h.waiters.size() != 0) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::yield();
    }
}

TEST_CASE("BroadcastStream answers every request in order and keeps going after a rejection", "[rpc][tx]") {
    Harness h;
    grpc::ClientContext ctx;
    auto stream = h.stub->BroadcastStream(&ctx);
    const std::vector<std::string> txs = {signedTx(0), "junk", signedTx(1), signedTx(0, 2)};
    for (const auto& t : txs) {
        txpb::BroadcastRequest req;
        req.set_tx(t);
        REQUIRE(stream->Write(req));
    }
    stream->WritesDone();
    std::vector<std::uint32_t> codes;
    txpb::BroadcastResponse resp;
    while (stream->Read(&resp)) codes.push_back(resp.code());
    REQUIRE(stream->Finish().ok());
    REQUIRE(codes == std::vector<std::uint32_t>{0, 500, 0, 0});
    REQUIRE(h.mempool.size() == 3);
}

TEST_CASE(
    "BroadcastBatchStream answers each batch with one result per tx in order; a bad batch size ends the stream "
    "with code 603",
    "[rpc][tx]") {
    Harness h;
    grpc::ClientContext ctx;
    auto stream = h.stub->BroadcastBatchStream(&ctx);
    txpb::BroadcastBatchRequest first;
    for (const auto& t : {signedTx(0), std::string("junk"), signedTx(1)}) first.add_txs(t);
    txpb::BroadcastBatchRequest second;
    second.add_txs(signedTx(0, 2));
    second.add_txs(signedTx(1));  // a duplicate of the first batch's
    REQUIRE(stream->Write(first));
    REQUIRE(stream->Write(second));
    txpb::BroadcastBatchResponse resp;
    REQUIRE(stream->Read(&resp));
    REQUIRE(resp.results_size() == 3);
    CHECK(resp.results(0).code() == 0);
    CHECK(resp.results(1).code() == 500);
    CHECK(resp.results(2).code() == 0);
    CHECK(resp.results(2).tx_hash().size() == 32);
    REQUIRE(stream->Read(&resp));
    REQUIRE(resp.results_size() == 2);
    CHECK(resp.results(0).code() == 0);
    CHECK(resp.results(1).code() != 0);
    CHECK(h.mempool.size() == 3);

    txpb::BroadcastBatchRequest empty;
    REQUIRE(stream->Write(empty));
    stream->WritesDone();
    CHECK_FALSE(stream->Read(&resp));
    const auto status = stream->Finish();
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    const auto md = ctx.GetServerTrailingMetadata();
    const auto it = md.find("agora-code");
    REQUIRE(it != md.end());
    CHECK(std::string(it->second.data(), it->second.size()) == "603");

    grpc::ClientContext ctx2;
    auto big = h.stub->BroadcastBatchStream(&ctx2);
    txpb::BroadcastBatchRequest tooMany;
    for (int i = 0; i <= kBroadcastBatchMax; ++i) tooMany.add_txs("x");
    big->Write(tooMany);
    big->WritesDone();
    CHECK_FALSE(big->Read(&resp));
    CHECK(big->Finish().error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(h.mempool.size() == 3);
}

TEST_CASE("the gRPC server answers the standard health check as SERVING", "[rpc]") {
    Harness h;
    grpc::GenericStub generic(h.channel);
    grpc::ClientContext ctx;
    grpc::Slice empty("");  // HealthCheckRequest{service: ""} encodes to no bytes
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) {
                          std::lock_guard lock(mu);
                          status = s;
                          done = true;
                          cv.notify_all();
                      });
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; }));
    REQUIRE(status.ok());
    std::vector<grpc::Slice> slices;
    REQUIRE(response.Dump(&slices).ok());
    std::string bytes;
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    REQUIRE(bytes == std::string("\x08\x01", 2));  // status: SERVING
}
