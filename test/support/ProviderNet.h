#pragma once
// A single-validator chain from `agorad testnet init-files --validators 1`
// (demo keys provider, client, demo2 in its keyring) plus real
// `agora-provider` processes, for the provider-agent process tests.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "node/config/NodeConfig.h"
#include "node/provider/ProviderConfig.h"
#include "support/ChildProcess.h"
#include "support/TempDir.h"
#include "wallet/AtomicFile.h"

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
        node_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{AGORAD_BINARY, "--home", net() + "/node0", "start"}, dir_.path("node.log"));
        REQUIRE(waitUntil([&] { return height() >= 1; }, std::chrono::seconds(60)));
    }
    ~ProviderNet() {
        agents_.clear();
        node_->signal(SIGTERM);
        node_->waitExit(std::chrono::seconds(20));
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
    std::unique_ptr<ChildProcess> node_;
    std::vector<std::unique_ptr<ChildProcess>> agents_;
};

}  // namespace agora::test
