#pragma once
// A real agorad process on loopback for the process tests: init with funded
// test keys, a config the test may adjust, start, wait for the first block
// (over gRPC, never on log text). stop() and start() restart it on the same
// home. Stops the node (SIGTERM) when destroyed.

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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

namespace agora::test {

class RunningNode {
public:
    // Funds testKey(1..funded) with `amount` uagr each.
    RunningNode(const std::string& name, std::string chainId, const std::function<void(node::NodeConfig&)>& adjust = {},
                std::uint8_t funded = 2, std::uint64_t amount = 5'000'000'000)
        : dir_(name), chainId_(std::move(chainId)) {
        const std::string home = dir_.path("home");
        port_ = freePort();
        std::vector<std::string> init = {AGORAD_BINARY, "--home", home, "init", "val0", "--chain-id", chainId_};
        for (std::uint8_t i = 1; i <= funded; ++i) {
            init.push_back("--fund");
            init.push_back(Address::fromPublicKey(testKey(i).publicKey).toBech32() + "=" + std::to_string(amount));
        }
        REQUIRE(runToExit(init, dir_.path("init.log")) == 0);
        node::NodeConfig cfg;
        cfg.grpc.address = address();
        cfg.consensus.timeoutCommitMs = 50;
        cfg.http.enabled = false;               // parallel test nodes must not share the default HTTP port
        cfg.p2p.listenAddress = "127.0.0.1:0";  // nor the p2p port
        if (adjust) adjust(cfg);
        REQUIRE(
            wallet::writeFileAtomic(home + "/config/config.toml", cfg.toToml(), wallet::WriteMode::Replace).hasValue());
        channel_ = newChannel();
        start(1);
    }
    ~RunningNode() {
        process_->signal(SIGTERM);
        process_->waitExit(std::chrono::seconds(20));
    }
    RunningNode(const RunningNode&) = delete;
    RunningNode& operator=(const RunningNode&) = delete;

    // Starts agorad (again) on the same home and waits until it reports height >= minHeight over gRPC.
    // Each start appends to node.log.
    void start(std::uint64_t minHeight) {
        REQUIRE((process_ == nullptr || !process_->running()));
        process_ = std::make_unique<ChildProcess>(std::vector<std::string>{AGORAD_BINARY, "--home", home(), "start"},
                                                  dir_.path("node.log"));
        INFO(process_->log());
        REQUIRE(waitUntil(
            [&] { return latestHeight() >= minHeight || process_->waitExit(std::chrono::milliseconds(0)) != -1; },
            std::chrono::seconds(60)));
        REQUIRE(process_->running());
    }
    // SIGTERM, then waits; the exit code (-1: still running at the deadline).
    int stop(std::chrono::seconds timeout = std::chrono::seconds(20)) {
        process_->signal(SIGTERM);
        return process_->waitExit(timeout);
    }
    // Waits until the node reports height >= h over gRPC.
    bool waitHeight(std::uint64_t h, std::chrono::seconds timeout = std::chrono::seconds(60)) const {
        return waitUntil([&] { return latestHeight() >= h; }, timeout);
    }

    std::string home() const { return dir_.path("home"); }
    std::string path(const std::string& child) const { return dir_.path(child); }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    const std::string& chainId() const { return chainId_; }
    const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
    ChildProcess& process() { return *process_; }
    std::string log() const { return process_->log(); }

    // A channel on its own TCP connection (gRPC shares a connection between
    // channels with equal arguments; the unique argument prevents that).
    std::shared_ptr<grpc::Channel> newChannel(grpc::ChannelArguments args = {}) {
        args.SetInt("agora.test.channel", ++channels_);
        return grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args);
    }

    agora::query::v1::StatusResponse status() const {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        agora::query::v1::StatusResponse resp;
        auto s = agora::query::v1::QueryService::NewStub(channel_)->Status(&ctx, {}, &resp);
        if (!s.ok()) return {};
        return resp;
    }
    std::uint64_t latestHeight() const { return status().latest_height(); }

    std::string balance(const Address& a) const {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        agora::query::v1::AccountRequest req;
        req.set_address(a.toBech32());
        agora::query::v1::AccountResponse resp;
        REQUIRE(agora::query::v1::QueryService::NewStub(channel_)->Account(&ctx, req, &resp).ok());
        return resp.balance();
    }

    std::string appHashAt(std::uint64_t height) const {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        agora::query::v1::BlockRequest req;
        req.set_height(height);
        agora::query::v1::BlockResponse resp;
        REQUIRE(agora::query::v1::QueryService::NewStub(channel_)->Block(&ctx, req, &resp).ok());
        return resp.block().header_view().app_hash();
    }

    // A signed send from testKey(from) to testKey(to), for this chain unless chainId is given.
    SignedTx send(std::uint8_t from, std::uint8_t to, std::uint64_t amount, std::uint64_t nonce,
                  const std::string& chainId = {}) const {
        Tx tx;
        tx.chainId = chainId.empty() ? chainId_ : chainId;
        tx.nonce = nonce;
        tx.fee = Amount(1'000);
        tx.msgs = {MsgSend{Address::fromPublicKey(testKey(to).publicKey), Amount(amount)}};
        return signTx(testKey(from), tx);
    }

    struct Reply {
        grpc::Status status;
        agora::tx::v1::BroadcastResponse response;
        std::string agoraCode;  // trailing metadata "agora-code", "" when absent
    };
    Reply broadcast(const std::string& raw, agora::tx::v1::BroadcastMode mode) const {
        agora::tx::v1::BroadcastRequest req;
        req.set_tx(raw);
        req.set_mode(mode);
        return broadcastRequest(req);
    }
    Reply broadcastRequest(const agora::tx::v1::BroadcastRequest& req) const {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        Reply r;
        r.status = agora::tx::v1::TxService::NewStub(channel_)->Broadcast(&ctx, req, &r.response);
        r.agoraCode = codeOf(ctx);
        return r;
    }
    static std::string codeOf(const grpc::ClientContext& ctx) {
        const auto& md = ctx.GetServerTrailingMetadata();
        auto it = md.find("agora-code");
        return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
    }

private:
    TempDir dir_;
    std::string chainId_;
    int port_ = 0;
    int channels_ = 0;
    std::unique_ptr<ChildProcess> process_;
    std::shared_ptr<grpc::Channel> channel_;
};

inline std::string asString(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

}  // namespace agora::test
