#pragma once
// Hostile peers (docs/p2p.md, "Hostile peers"; decision 49): four honest
// agorad validators (ValidatorNetwork) and one agora-byzantine-peer process
// that speaks the p2p protocol and misbehaves. HostileNetwork::scenario runs
// one attack and checks what every scenario must show: the chain keeps
// committing (heights over gRPC), every honest validator stays connected to
// the three others the whole time (P2pAdmin.ListPeers, sampled), every honest
// node's RSS stays within kRssGrowthBoundKib of what it was when the attack
// began (/proc/PID/status VmRSS, sampled), and the chain has no fork afterwards.
#include <catch2/catch.hpp>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>

#include "ValidatorNetwork.h"
#include "agora/p2p/v1/p2p.grpc.pb.h"
#include "node/daemon/HomeLayout.h"

#ifndef AGORA_BYZANTINE_PEER_BINARY
#error "AGORA_BYZANTINE_PEER_BINARY must name the agora-byzantine-peer executable (test/CMakeLists.txt)"
#endif

namespace agora::test::hostile {

using namespace std::chrono_literals;

// How long each attack runs, and the blocks the chain must commit meanwhile
// (empty blocks come every empty_blocks_interval_ms = 1 s; the bound leaves
// room for 2 shared cores and the sanitizers).
constexpr auto kAttack = 12s;
constexpr std::uint64_t kBlocksDuringAttack = 4;

// The RSS bound (docs/p2p.md, "Hostile peers"): an honest node may grow by
// at most 128 MiB over the attack, 16 messages of the largest size
// (p2p.max_message_bytes, 8 MiB + 64 KiB). Refusing one such message takes a
// few copies at once (the gRPC receive buffer, the sealed frame, the opened
// envelope, the decoded proposal); the rest is room for the sanitizer's
// quarantine (16 MiB here) and ordinary growth. A node that keeps junk does
// not pass: on main before admission a 12 s junk flood grew every node by
// 220-250 MiB.
constexpr std::uint64_t kRssGrowthBoundKib = 128 * 1024;

// Lowers the sanitizer's quarantine of freed memory for the agorad children
// started while it lives (they inherit the environment); restores it after.
class SmallAsanQuarantine {
public:
    SmallAsanQuarantine() {
        const char* old = std::getenv("ASAN_OPTIONS");
        if (old != nullptr) saved_ = std::string(old);
        std::string opts = saved_.value_or("");
        if (!opts.empty()) opts += ":";
        opts += "quarantine_size_mb=16:thread_local_quarantine_size_kb=256";
        ::setenv("ASAN_OPTIONS", opts.c_str(), 1);
    }
    ~SmallAsanQuarantine() {
        if (saved_)
            ::setenv("ASAN_OPTIONS", saved_->c_str(), 1);
        else
            ::unsetenv("ASAN_OPTIONS");
    }
    SmallAsanQuarantine(const SmallAsanQuarantine&) = delete;
    SmallAsanQuarantine& operator=(const SmallAsanQuarantine&) = delete;

private:
    std::optional<std::string> saved_;
};

inline std::uint64_t rssKib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
    return 0;
}

// Node ids node i lists as established peers (P2pAdmin.ListPeers); nullopt
// when it does not answer.
inline std::optional<std::vector<p2p::v1::ConnectedPeer>> listPeers(test::ValidatorNetwork& net, std::size_t i) {
    auto stub = p2p::v1::P2pAdmin::NewStub(test::ValidatorNetwork::freshChannel(net.member(i).p2pPort));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 2s);
    p2p::v1::ListPeersResponse resp;
    if (!stub->ListPeers(&ctx, p2p::v1::ListPeersRequest{}, &resp).ok()) return std::nullopt;
    return std::vector<p2p::v1::ConnectedPeer>(resp.peers().begin(), resp.peers().end());
}

// Why the honest validators are not all connected to each other, or "".
inline std::string missingHonestLinks(test::ValidatorNetwork& net) {
    std::string missing;
    for (std::size_t i = 0; i < net.size(); ++i) {
        auto peers = listPeers(net, i);
        if (!peers) {
            missing += "node" + std::to_string(i) + " does not answer ListPeers; ";
            continue;
        }
        for (std::size_t j = 0; j < net.size(); ++j) {
            if (j == i) continue;
            const bool listed = std::any_of(peers->begin(), peers->end(),
                                            [&](const auto& p) { return p.node_id() == net.member(j).nodeId; });
            if (!listed) missing += "node" + std::to_string(i) + " lacks node" + std::to_string(j) + "; ";
        }
    }
    return missing;
}

struct AttackOutcome {
    nlohmann::json counts;  // the hostile peer's report
    std::uint64_t heightBefore = 0;
    std::uint64_t heightAfter = 0;
    std::vector<std::uint64_t> rssBeforeKib;
    std::vector<std::uint64_t> rssPeakKib;
    std::size_t samples = 0;
    std::string firstMissingLinks;  // "" when every sample had every honest link
    std::size_t catchingUpSamples = 0;
    std::size_t mostPeersOnNode0 = 0;

    std::uint64_t count(const std::string& name) const { return counts.value(name, std::uint64_t{0}); }
    std::string describe() const {
        std::string s = "report " + counts.dump() + "; heights " + std::to_string(heightBefore) + " -> " +
                        std::to_string(heightAfter) + "; RSS KiB before/peak:";
        for (std::size_t i = 0; i < rssBeforeKib.size(); ++i)
            s += " node" + std::to_string(i) + " " + std::to_string(rssBeforeKib[i]) + "/" +
                 std::to_string(rssPeakKib[i]);
        return s + "; samples " + std::to_string(samples);
    }
};

// What every scenario must show.
inline void checkHonestNetworkHeld(const AttackOutcome& out) {
    INFO(out.describe());
    CHECK(out.samples >= 10);
    CHECK(out.heightAfter >= out.heightBefore + kBlocksDuringAttack);
    CHECK(out.firstMissingLinks == "");
    for (std::size_t i = 0; i < out.rssBeforeKib.size(); ++i) {
        INFO("node" << i);
        CHECK(out.rssBeforeKib[i] > 0);
        CHECK(out.rssPeakKib[i] <= out.rssBeforeKib[i] + kRssGrowthBoundKib);
    }
}

// Four validators (the constructor's short timeouts, else init-files' config)
// run the hostile peer against `targets` with `args`, sampling heights, links
// and RSS every 250 ms until it exits.
class HostileNetwork {
public:
    HostileNetwork() : net_({"100agr", "100agr", "100agr", "100agr"}) {
        net_.startAll();
        REQUIRE(net_.waitHeight(all_, 2, 90s));
        // Every link up before the attack: what breaks later is the attack's doing.
        std::string missing;
        const bool linked = test::waitUntil(
            [&] {
                missing = missingHonestLinks(net_);
                return missing.empty();
            },
            60s);
        INFO(missing);
        REQUIRE(linked);
    }
    ~HostileNetwork() {
        if (!stopped_) net_.stopAll();
    }

    test::ValidatorNetwork& net() { return net_; }
    std::string peerAddress(std::size_t i) {
        return net_.member(i).nodeId + "@127.0.0.1:" + std::to_string(net_.member(i).p2pPort);
    }

    AttackOutcome attack(const std::vector<std::size_t>& targets, const std::vector<std::string>& extra) {
        AttackOutcome out;
        for (std::size_t i = 0; i < net_.size(); ++i) {
            out.rssBeforeKib.push_back(rssKib(net_.member(i).node->process().pid()));
            out.rssPeakKib.push_back(out.rssBeforeKib.back());
        }
        out.heightBefore = minHeight();
        const std::string report = dir_.path("report.json");
        std::vector<std::string> args{AGORA_BYZANTINE_PEER_BINARY,
                                      "--genesis",
                                      node::HomeLayout(net_.member(0).home).genesisFile().string(),
                                      "--duration-ms",
                                      std::to_string(std::chrono::milliseconds(kAttack).count()),
                                      "--report",
                                      report};
        for (auto t : targets) {
            args.push_back("--peer");
            args.push_back(peerAddress(t));
        }
        args.insert(args.end(), extra.begin(), extra.end());
        test::ChildProcess hostile(args, dir_.path("byzantine.log"));
        auto nextSample = std::chrono::steady_clock::now();
        const bool exited = test::waitUntil(
            [&] {
                if (std::chrono::steady_clock::now() >= nextSample) {  // a sampling interval, not synchronisation
                    nextSample = std::chrono::steady_clock::now() + 250ms;
                    sample(out);
                }
                return hostile.waitExit(0ms) != -1;
            },
            kAttack + 60s);
        INFO(hostile.log());
        REQUIRE(exited);
        REQUIRE(hostile.waitExit(0ms) == 0);
        std::ifstream in(report);
        out.counts = nlohmann::json::parse(in).at("counts");
        out.heightAfter = minHeight();
        return out;
    }

    // One scenario: the attack on `targets`, what every scenario must show, the
    // scenario's own checks on the outcome, and the chain going on without a fork.
    void scenario(const std::vector<std::size_t>& targets, const std::vector<std::string>& args,
                  const std::function<void(const AttackOutcome&)>& checks) {
        const auto out = attack(targets, args);
        checkHonestNetworkHeld(out);
        {
            INFO(out.describe());
            checks(out);
        }
        checkChainGoesOnWithoutFork(out);
    }

    // After the attack: the chain goes on, and the stores show no fork.
    void checkChainGoesOnWithoutFork(const AttackOutcome& out) {
        INFO(out.describe());
        CHECK(net_.waitHeight(all_, out.heightAfter + 2, 30s));
        stopped_ = true;
        CHECK(net_.stopAll());
        CHECK(net_.checkNoForkNoDoubleSign() == "");
    }

private:
    std::uint64_t minHeight() {
        std::uint64_t low = ~std::uint64_t{0};
        for (auto i : all_) low = std::min(low, net_.height(i));
        return low;
    }
    void sample(AttackOutcome& out) {
        ++out.samples;
        for (std::size_t i = 0; i < net_.size(); ++i)
            out.rssPeakKib[i] = std::max(out.rssPeakKib[i], rssKib(net_.member(i).node->process().pid()));
        if (out.firstMissingLinks.empty()) out.firstMissingLinks = missingHonestLinks(net_);
        for (auto i : all_) {
            auto st = net_.status(i);
            if (st && st->catching_up()) ++out.catchingUpSamples;
        }
        if (auto peers = listPeers(net_, 0)) out.mostPeersOnNode0 = std::max(out.mostPeersOnNode0, peers->size());
    }

    SmallAsanQuarantine quarantine_;  // before the nodes start
    test::TempDir dir_{"byzantine"};
    test::ValidatorNetwork net_;
    const std::vector<std::size_t> all_{0, 1, 2, 3};
    bool stopped_ = false;
};

}  // namespace agora::test::hostile
