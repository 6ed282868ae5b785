#pragma once
// A real agorad process on loopback for the process tests: init with funded
// test keys (or any addresses), a config the test may adjust, start, wait for
// the first block (over gRPC, never on log text). stop() and start() restart
// it on the same home; launch() starts it without waiting (a node that must
// refuse to start, or a validator of a network that cannot commit alone).
// ExistingHome runs a home made elsewhere (the multi-node harnesses build
// theirs with `agorad testnet init-files`). Stops the node (SIGTERM) when
// destroyed.

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
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
    // How to make the node's home. The config written after `agorad init`
    // starts from the harness's defaults (fast blocks, its own gRPC port, no
    // HTTP, any free p2p port), then `adjust` edits it.
    struct Setup {
        std::function<void(node::NodeConfig&)> adjust;
        // `agorad init --fund` entries ("bech32=uagr"); empty: none.
        std::vector<std::string> fund;
        std::string moniker = "val0";  // for `agorad init`; the config keeps its default
        // false: init and config only; the test edits the home, then calls
        // start(minHeight) or launch().
        bool start = true;
    };

    // Funds testKey(1..funded) with `amount` uagr each.
    RunningNode(const std::string& name, std::string chainId, const std::function<void(node::NodeConfig&)>& adjust = {},
                std::uint8_t funded = 2, std::uint64_t amount = 5'000'000'000)
        : RunningNode(name, std::move(chainId), Setup{adjust, fundTestKeys(funded, amount)}) {}

    RunningNode(const std::string& name, std::string chainId, const Setup& setup)
        : dir_(std::in_place, name),
          chainId_(std::move(chainId)),
          home_(dir_->path("home")),
          logFile_(dir_->path("node.log")),
          address_("127.0.0.1:" + std::to_string(freePort())) {
        std::vector<std::string> init = {AGORAD_BINARY, "--home", home_, "init", setup.moniker, "--chain-id", chainId_};
        for (const auto& f : setup.fund) {
            init.push_back("--fund");
            init.push_back(f);
        }
        REQUIRE(runToExit(init, dir_->path("init.log")) == 0);
        node::NodeConfig cfg;
        cfg.grpc.address = address();
        cfg.consensus.timeoutCommitMs = 50;
        cfg.http.enabled = false;               // parallel test nodes must not share the default HTTP port
        cfg.p2p.listenAddress = "127.0.0.1:0";  // nor the p2p port
        if (setup.adjust) setup.adjust(cfg);
        REQUIRE(wallet::writeFileAtomic(configFile(), cfg.toToml(), wallet::WriteMode::Replace).hasValue());
        channel_ = newChannel();
        if (setup.start) start(1);
    }

    // A home made elsewhere (`agorad testnet init-files`, several validators):
    // no init and its config as it is (the gRPC address read from it); every
    // start appends to `log`. Not started: start(minHeight) or launch().
    struct ExistingHome {
        std::string home;
        std::string log;
    };
    explicit RunningNode(ExistingHome existing) : home_(std::move(existing.home)), logFile_(std::move(existing.log)) {
        auto cfg = node::NodeConfig::load(configFile());
        REQUIRE(cfg.hasValue());
        address_ = cfg->grpc.address;  // chainId() stays empty: send() then needs one
        channel_ = newChannel();
    }
    ~RunningNode() {
        if (process_ == nullptr) return;
        process_->signal(SIGTERM);
        process_->waitExit(std::chrono::seconds(20));
    }
    RunningNode(const RunningNode&) = delete;
    RunningNode& operator=(const RunningNode&) = delete;

    // `--fund` entries for testKey(1..n), `amount` uagr each.
    static std::vector<std::string> fundTestKeys(std::uint8_t n, std::uint64_t amount) {
        std::vector<std::string> out;
        for (std::uint8_t i = 1; i <= n; ++i)
            out.push_back(Address::fromPublicKey(testKey(i).publicKey).toBech32() + "=" + std::to_string(amount));
        return out;
    }

    // Starts agorad (again) on the home and waits until it reports height >= minHeight over gRPC.
    // Each start appends to node.log.
    void start(std::uint64_t minHeight) {
        launch();
        INFO(process_->log());
        REQUIRE(waitUntil(
            [&] { return latestHeight() >= minHeight || process_->waitExit(std::chrono::milliseconds(0)) != -1; },
            std::chrono::seconds(60)));
        REQUIRE(process_->running());
    }
    // Starts agorad without waiting for anything: for a test of a node that
    // must refuse to start (process().waitExit gives its exit code).
    // `extraArgs` follow `start` (e.g. --log-level, --state-sync).
    void launch(const std::vector<std::string>& extraArgs = {}) {
        REQUIRE((process_ == nullptr || !process_->running()));
        std::vector<std::string> args{AGORAD_BINARY, "--home", home_, "start"};
        args.insert(args.end(), extraArgs.begin(), extraArgs.end());
        process_ = std::make_unique<ChildProcess>(std::move(args), logFile_);
    }
    // The next start() or launch() runs agorad on `home` (the node stopped):
    // for a home the test built from this one, e.g. with an exported genesis.
    // The gRPC address stays this node's, so the home's config must keep it.
    void moveTo(std::string home) {
        REQUIRE((process_ == nullptr || !process_->running()));
        home_ = std::move(home);
    }
    // SIGTERM, then waits; the exit code (-1: still running at the deadline).
    int stop(std::chrono::seconds timeout = std::chrono::seconds(20)) {
        process_->signal(SIGTERM);
        return process_->waitExit(timeout);
    }
    // SIGKILL, then waits; the exit code (128 + SIGKILL once it is gone).
    int kill9() {
        process_->signal(SIGKILL);
        return process_->waitExit(std::chrono::seconds(10));
    }
    bool running() const { return process_ != nullptr && process_->running(); }
    bool launched() const { return process_ != nullptr; }
    // Waits until the node reports height >= h over gRPC.
    bool waitHeight(std::uint64_t h, std::chrono::seconds timeout = std::chrono::seconds(60)) const {
        return waitUntil([&] { return latestHeight() >= h; }, timeout);
    }

    const std::string& home() const { return home_; }
    std::string configFile() const { return home_ + "/config/config.toml"; }
    // A file in the node's own directory (not for an ExistingHome).
    std::string path(const std::string& child) const {
        REQUIRE(dir_.has_value());
        return dir_->path(child);
    }
    const std::string& address() const { return address_; }
    const std::string& logFile() const { return logFile_; }
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
    std::optional<TempDir> dir_;  // none for an ExistingHome
    std::string chainId_;
    std::string home_;
    std::string logFile_;
    std::string address_;
    int channels_ = 0;
    std::unique_ptr<ChildProcess> process_;
    std::shared_ptr<grpc::Channel> channel_;
};

inline std::string asString(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

}  // namespace agora::test
