#pragma once
// A single-validator chain from `agorad testnet init-files --validators 1`
// (demo keys provider, client, demo2 in its keyring), its agorad run by
// RunningNode, plus real `agora-provider` processes, for the provider-agent
// process tests.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "agora/provider/v1/gateway.grpc.pb.h"
#include "node/config/NodeConfig.h"
#include "node/gatewayauth/GatewayAuth.h"
#include "node/manifest/Manifest.h"
#include "node/provider/ProviderConfig.h"
#include "support/ChildProcess.h"
#include "support/RunningNode.h"
#include "support/TempDir.h"
#include "wallet/AtomicFile.h"
#include "wallet/Keyring.h"

#ifndef AGORA_PROVIDER_BINARY
#error "AGORA_PROVIDER_BINARY must name the agora-provider executable (test/CMakeLists.txt)"
#endif

namespace agora::test {

inline std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct CommandResult {
    int exitCode = -1;
    std::string output;  // stdout and stderr
};

class ProviderNet {
public:
    explicit ProviderNet(const std::string& name, std::uint32_t timeoutCommitMs = 100) : dir_(name) {
        static std::atomic<int> chains{0};
        chainId_ = "prov-" + std::to_string(::getpid()) + "-" + std::to_string(chains++);
        REQUIRE(runToExit({AGORAD_BINARY, "testnet", "init-files", "--validators", "1", "--output", net(), "--chain-id",
                           chainId_, "--demo-accounts", "3"},
                          dir_.path("init.log")) == 0);
        const std::string cfgPath = net() + "/node0/config/config.toml";
        auto cfg = node::NodeConfig::load(cfgPath);
        REQUIRE(cfg.hasValue());
        grpcPort_ = freePort();
        cfg->grpc.address = nodeAddress();
        cfg->http.enabled = false;
        cfg->p2p.listenAddress = "127.0.0.1:0";
        cfg->p2p.persistentPeers.clear();
        cfg->consensus.timeoutCommitMs = timeoutCommitMs;
        REQUIRE(wallet::writeFileAtomic(cfgPath, cfg->toToml(), wallet::WriteMode::Replace).hasValue());
        node_ = std::make_unique<RunningNode>(RunningNode::ExistingHome{net() + "/node0", dir_.path("node.log")});
        node_->start(1);
    }
    ~ProviderNet() {
        agents_.clear();
        node_->stop();
    }

    std::string net() const { return dir_.path("net"); }
    std::string path(const std::string& child) const { return dir_.path(child); }
    std::string nodeAddress() const { return "127.0.0.1:" + std::to_string(grpcPort_); }
    const std::string& chainId() const { return chainId_; }
    std::string keyring() const { return net() + "/keyring"; }
    std::string passphraseFile() const { return net() + "/passphrase.txt"; }
    std::string nodeLog() const { return node_->log(); }

    // `agora` with the net's node and keyring.
    CommandResult agora(std::vector<std::string> args, std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
        std::vector<std::string> argv = {AGORA_CLI_BINARY, "--node",  nodeAddress(),
                                         "--keyring-dir",  keyring(), "--passphrase-file",
                                         passphraseFile()};
        argv.insert(argv.end(), args.begin(), args.end());
        const std::string log = dir_.path("cmd-" + std::to_string(commands_++) + ".log");
        CommandResult r;
        r.exitCode = runToExit(argv, log, timeout);
        std::ifstream in(log);
        std::stringstream ss;
        ss << in.rdbuf();
        r.output = ss.str();
        return r;
    }
    nlohmann::json queryJson(std::vector<std::string> args) {
        args.insert(args.begin(), "query");
        args.push_back("-o");
        args.push_back("json");
        auto r = agora(args);
        REQUIRE(r.exitCode == 0);
        return nlohmann::json::parse(r.output);
    }
    std::uint64_t height() {
        auto r = runToExitQuiet({AGORA_CLI_BINARY, "--node", nodeAddress(), "query", "status", "-o", "json"});
        if (r.exitCode != 0) return 0;
        auto j = nlohmann::json::parse(r.output, nullptr, false);
        if (j.is_discarded()) return 0;
        return j.value("latest_height", 0ull);
    }
    nlohmann::json lease(std::uint64_t id) { return queryJson({"lease", std::to_string(id)}); }
    // The newest lease of a provider, once there is one.
    std::uint64_t onlyLease(const std::string& providerAddr) {
        std::uint64_t id = 0;
        REQUIRE(waitUntil(
            [&] {
                auto j = queryJson({"leases", "--provider", providerAddr});
                if (j["leases"].empty()) return false;
                id = j["leases"].back().value("id", 0ull);
                return true;
            },
            std::chrono::seconds(60)));
        return id;
    }
    // Waits until the lease is closed on chain with `reason`.
    bool waitLeaseClosed(std::uint64_t id, const std::string& reason) {
        return waitUntil(
            [&] {
                auto l = lease(id);
                return l.value("state", "") == "closed" && l.value("close_reason", "") == reason;
            },
            std::chrono::seconds(120));
    }

    // A lease from the provider's standing offer 1 with a manifest hash (hex), as the client.
    std::uint64_t leaseFromOffer(const std::string& providerAddr, const std::string& manifestHashHex,
                                 const std::string& resources = "cpu=500,mem=256,storage=1") {
        auto r = agora({"tx",
                        "--from",
                        "client",
                        "--wait",
                        "lease",
                        "from-offer",
                        providerAddr,
                        "1",
                        "--resources",
                        resources,
                        "--duration",
                        "400",
                        "--deposit",
                        "2000000",
                        "--max-price",
                        "2000000",
                        "--offer-version",
                        "1",
                        "--manifest-hash",
                        manifestHashHex});
        INFO(r.output);
        REQUIRE(r.exitCode == 0);
        return onlyLease(providerAddr);
    }
    // The canonical hash (hex) of a manifest file.
    static std::string manifestHashOf(const std::string& file) {
        auto m = manifest::loadManifestFile(file);
        REQUIRE(m.hasValue());
        return manifest::manifestHash(*m).toHex();
    }

    // `agora deploy FILE --follow` as the client, for the deploy tests' one lease shape.
    CommandResult deployFollow(const std::string& manifestFile, const std::string& bidWaitSeconds) {
        return agora({"deploy", manifestFile, "--from", "client", "--duration", "400", "--max-price", "1000",
                      "--deposit", "2000000", "--bid-wait", bidWaitSeconds, "--follow"},
                     std::chrono::seconds(180));
    }
    // Once the lease is settled: the provider got price x whole seconds of block time
    // served, to the uagr, and the client the rest of the deposit back.
    void checkPaidPerSecondOfBlockTime(std::uint64_t leaseId) {
        REQUIRE(waitUntil([&] { return lease(leaseId).value("settled", false); }, std::chrono::seconds(60)));
        const nlohmann::json l = lease(leaseId);
        const std::uint64_t price = std::stoull(l.value("price_per_second", "0"));
        const std::uint64_t served = (l.value("close_time", 0ull) - l.value("start_time", 0ull)) / 1'000;
        CHECK(std::stoull(l.value("paid_out", "0")) == price * served);
        CHECK(std::stoull(l.value("refunded", "0")) == std::stoull(l.value("deposited", "0")) - price * served);
    }

    // A key of the net's keyring, unlocked (to sign gateway requests as it).
    wallet::SecretKey secretKey(const std::string& key) {
        std::ifstream in(passphraseFile());
        std::string pass;
        std::getline(in, pass);
        wallet::Keyring ring(keyring());
        auto m = ring.unlock(key, pass);
        REQUIRE(m.hasValue());
        return std::move(m->key);
    }
    static std::uint64_t nowMs() {
        return static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
    }
    static void fillAuth(agora::provider::v1::ClientAuth* out, const agora::provider::GatewayAuth& a) {
        out->set_public_key(std::string(reinterpret_cast<const char*>(a.publicKey.span().data()), 32));
        out->set_timestamp_ms(a.timestampMs);
        out->set_signature(std::string(reinterpret_cast<const char*>(a.signature.span().data()), 64));
    }
    // The gateway address an agent home listens on.
    static std::string gatewayOf(const std::string& home) {
        auto cfg = provider::loadProviderConfig(provider::providerConfigPath(home));
        REQUIRE(cfg.hasValue());
        return cfg->gatewayListen;
    }
    // The kinds of the agent's events for a lease so far, asked over its
    // gateway (ProviderGateway.LeaseEvents) as `key`; empty when it does not answer.
    std::vector<std::string> leaseEventKinds(const std::string& home, std::uint64_t leaseId,
                                             const std::string& key = "client") {
        namespace gw = agora::provider::v1;
        auto sk = secretKey(key);
        auto stub =
            gw::ProviderGateway::NewStub(grpc::CreateChannel(gatewayOf(home), grpc::InsecureChannelCredentials()));
        gw::LeaseEventsRequest req;
        req.set_lease_id(leaseId);
        req.set_follow(false);
        fillAuth(req.mutable_auth(), provider::signGatewayRequest(sk, chainId(), provider::gateway_kind::kLeaseEvents,
                                                                  leaseId, provider::eventsBodyHash(false), nowMs()));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        auto reader = stub->LeaseEvents(&ctx, req);
        std::vector<std::string> kinds;
        gw::LeaseEvent e;
        while (reader->Read(&e)) kinds.push_back(e.kind());
        if (!reader->Finish().ok()) return {};
        return kinds;
    }
    // Waits until the agent of `home` reports an event of `kind` for the lease.
    bool waitLeaseEvent(const std::string& home, std::uint64_t leaseId, const std::string& kind) {
        return waitUntil(
            [&] {
                const auto kinds = leaseEventKinds(home, leaseId);
                return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
            },
            std::chrono::seconds(60));
    }

    // An agent home: init, then `adjust` edits its provider.toml.
    std::string initAgent(const std::string& name, const std::string& key,
                          const std::function<void(provider::ProviderConfig&)>& adjust = {}) {
        const std::string home = dir_.path(name);
        auto r = runToExitQuiet({AGORA_PROVIDER_BINARY, "init", "--home", home, "--node", nodeAddress(), "--from", key,
                                 "--keyring-dir", keyring(), "--passphrase-file", passphraseFile(), "--gateway-listen",
                                 "127.0.0.1:" + std::to_string(freePort())});
        INFO(r.output);
        REQUIRE(r.exitCode == 0);
        auto cfg = provider::loadProviderConfig(provider::providerConfigPath(home));
        REQUIRE(cfg.hasValue());
        static std::atomic<int> agents{0};
        // Parallel tests must not share cgroups or host ports.
        cfg->cgroupParent = "agora-test-" + std::to_string(::getpid()) + "-" + std::to_string(agents++);
        const int base = 20000 + (static_cast<int>(::getpid()) * 37 + agents * 97) % 40000;
        cfg->portRangeFirst = static_cast<std::uint16_t>(base);
        cfg->portRangeLast = static_cast<std::uint16_t>(base + 50);
        cfg->manifestTimeoutBlocks = 400;
        cfg->reportIntervalBlocks = 5;
        cfg->withdrawIntervalBlocks = 10;
        cfg->reconcileIntervalBlocks = 5;
        if (adjust) adjust(*cfg);
        REQUIRE(wallet::writeFileAtomic(provider::providerConfigPath(home).string(),
                                        provider::renderProviderConfig(*cfg), wallet::WriteMode::Replace)
                    .hasValue());
        return home;
    }
    ChildProcess& startAgent(const std::string& home) {
        agents_.push_back(std::make_unique<ChildProcess>(
            std::vector<std::string>{AGORA_PROVIDER_BINARY, "start", "--home", home, "--log-level", "debug"},
            home + ".log"));
        return *agents_.back();
    }
    static std::string agentLog(const std::string& home) { return readFile(home + ".log"); }
    // Waits until the agent's provider record is on chain.
    bool waitRegistered(const std::string& key) {
        auto addr = agora({"keys", "show", key, "-a"});
        REQUIRE(addr.exitCode == 0);
        std::string a = addr.output;
        while (!a.empty() && (a.back() == '\n' || a.back() == '\r')) a.pop_back();
        return waitUntil(
            [&] {
                auto r =
                    runToExitQuiet({AGORA_CLI_BINARY, "--node", nodeAddress(), "query", "provider", a, "-o", "json"});
                return r.exitCode == 0 && r.output.find("offers") != std::string::npos &&
                       r.output.find("\"offer_id\"") != std::string::npos;
            },
            std::chrono::seconds(60));
    }
    std::string address(const std::string& key) {
        auto r = agora({"keys", "show", key, "-a"});
        REQUIRE(r.exitCode == 0);
        std::string a = r.output;
        while (!a.empty() && (a.back() == '\n' || a.back() == '\r')) a.pop_back();
        return a;
    }

    CommandResult runToExitQuiet(std::vector<std::string> argv,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
        const std::string log = dir_.path("q-" + std::to_string(commands_++) + ".log");
        CommandResult r;
        r.exitCode = runToExit(std::move(argv), log, timeout);
        std::ifstream in(log);
        std::stringstream ss;
        ss << in.rdbuf();
        r.output = ss.str();
        std::error_code ec;
        std::filesystem::remove(log, ec);
        return r;
    }

private:
    TempDir dir_;
    std::string chainId_;
    int grpcPort_ = 0;
    int commands_ = 0;
    std::unique_ptr<RunningNode> node_;
    std::vector<std::unique_ptr<ChildProcess>> agents_;
};

}  // namespace agora::test
