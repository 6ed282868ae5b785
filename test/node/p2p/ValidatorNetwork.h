#pragma once
// A network of real agorad validator processes on loopback for the p2p
// process tests: homes from `agorad testnet init-files`, rewritten with free
// ports, short consensus timeouts and fault injection enabled; status over
// gRPC; partitions through P2pAdmin.SetBlocked; an offline checker that opens
// every node's block store after the processes stopped.

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agora/p2p/v1/p2p.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "node/base/NodeId.h"
#include "node/chain/BlockStore.h"
#include "node/config/NodeConfig.h"
#include "node/daemon/HomeLayout.h"
#include "node/daemon/PlainKeyFile.h"
#include "node/genesis/GenesisFile.h"
#include "node/storage/NodeDatabase.h"
#include "support/ChildProcess.h"
#include "support/RunningNode.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"
#include "wallet/AtomicFile.h"

#ifndef AGORAD_BINARY
#error "AGORAD_BINARY must name the agorad executable (test/CMakeLists.txt)"
#endif

namespace agora::test {

inline std::uint64_t envCount(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    return std::strtoull(v, nullptr, 10);
}

class ValidatorNetwork {
public:
    struct Member {
        std::string home;
        std::string nodeId;
        int grpcPort = 0;
        int p2pPort = 0;
        std::unique_ptr<RunningNode> node;  // the agorad of this home (RunningNode::ExistingHome)
        bool up = false;                    // started and not stopped since
        int starts = 0;
    };

    // `funded` accounts get `fundedBalance` uagr each in the genesis every node
    // shares; the init-files demo keys (provider, client) sit in keyringDir().
    // `adjust` changes every node's config after the test timeouts are set.
    // `adjustGenesis` changes the shared genesis (e.g. its params) before the nodes start.
    explicit ValidatorNetwork(const std::vector<std::string>& stakes, const std::vector<Address>& funded = {},
                              Amount fundedBalance = Amount(1'000'000'000'000ULL),
                              const std::function<void(node::NodeConfig&)>& adjust = {},
                              const std::function<void(node::GenesisDoc&)>& adjustGenesis = {}) {
        const std::string out = dir_.path("net");
        std::vector<std::string> args = {
            AGORAD_BINARY, "testnet", "init-files", "--validators", std::to_string(stakes.size()),
            "--output",    out,       "--chain-id", "p2p-test"};
        std::string joined;
        for (const auto& s : stakes) joined += (joined.empty() ? "" : ",") + s;
        args.push_back("--stakes");
        args.push_back(joined);
        REQUIRE(runToExit(args, dir_.path("init.log")) == 0);
        members_.resize(stakes.size());
        if (!funded.empty() || adjustGenesis) {
            auto doc = node::GenesisDoc::load(node::HomeLayout(out + "/node0").genesisFile());
            REQUIRE(doc.hasValue());
            for (const auto& a : funded) doc->genesis.accounts.push_back({a, fundedBalance});
            if (adjustGenesis) adjustGenesis(*doc);
            for (std::size_t i = 0; i < stakes.size(); ++i)
                REQUIRE(wallet::writeFileAtomic(node::HomeLayout(out + "/node" + std::to_string(i)).genesisFile(),
                                                doc->prettyJson(), wallet::WriteMode::Replace)
                            .hasValue());
        }
        for (std::size_t i = 0; i < stakes.size(); ++i) {
            auto& m = members_[i];
            m.home = out + "/node" + std::to_string(i);
            auto key = node::loadKeyFile(node::HomeLayout(m.home).nodeKeyFile());
            REQUIRE(key.hasValue());
            m.nodeId = node::nodeIdOf(key->publicKey());
            m.grpcPort = freePort();
            m.p2pPort = freePort();
        }
        for (std::size_t i = 0; i < stakes.size(); ++i) {
            auto& m = members_[i];
            auto cfg = node::NodeConfig::load(node::HomeLayout(m.home).configFile());
            REQUIRE(cfg.hasValue());
            cfg->grpc.address = "127.0.0.1:" + std::to_string(m.grpcPort);
            cfg->http.enabled = false;
            cfg->http.address = "127.0.0.1:" + std::to_string(freePort());
            cfg->p2p.listenAddress = "127.0.0.1:" + std::to_string(m.p2pPort);
            cfg->p2p.allowFaultInjection = true;
            cfg->p2p.persistentPeers.clear();
            for (std::size_t j = 0; j < stakes.size(); ++j)
                if (j != i)
                    cfg->p2p.persistentPeers.push_back(members_[j].nodeId +
                                                       "@127.0.0.1:" + std::to_string(members_[j].p2pPort));
            auto& c = cfg->consensus;
            c.timeoutProposeMs = 400;
            c.timeoutProposeDeltaMs = 100;
            c.timeoutPrevoteMs = 150;
            c.timeoutPrevoteDeltaMs = 50;
            c.timeoutPrecommitMs = 150;
            c.timeoutPrecommitDeltaMs = 50;
            c.timeoutCommitMs = 100;
            if (adjust) adjust(*cfg);
            REQUIRE(wallet::writeFileAtomic(node::HomeLayout(m.home).configFile(), cfg->toToml(),
                                            wallet::WriteMode::Replace)
                        .hasValue());
            m.node = std::make_unique<RunningNode>(RunningNode::ExistingHome{m.home, logPath(i)});
        }
    }
    ~ValidatorNetwork() {
        for (std::size_t i = 0; i < members_.size(); ++i) stop(i);
        // AGORA_P2P_KEEP_LOGS=DIR keeps the node logs for a post-mortem.
        if (const char* keep = std::getenv("AGORA_P2P_KEEP_LOGS"); keep != nullptr && *keep != '\0') {
            std::error_code ec;
            std::filesystem::create_directories(keep, ec);
            for (std::size_t i = 0; i < members_.size(); ++i)
                std::filesystem::copy_file(logPath(i),
                                           std::filesystem::path(keep) / ("node" + std::to_string(i) + ".log"),
                                           std::filesystem::copy_options::overwrite_existing, ec);
        }
    }

    // Puts back the consensus timeouts `agorad testnet init-files` writes (the
    // constructor shortens them); before start().
    void useInitFilesTimeouts() {
        for (auto& m : members_) {
            auto cfg = node::NodeConfig::load(node::HomeLayout(m.home).configFile());
            REQUIRE(cfg.hasValue());
            cfg->consensus = node::ConsensusConfig{};
            REQUIRE(wallet::writeFileAtomic(node::HomeLayout(m.home).configFile(), cfg->toToml(),
                                            wallet::WriteMode::Replace)
                        .hasValue());
        }
    }

    std::size_t size() const { return members_.size(); }
    static constexpr const char* kChainId = "p2p-test";
    // The keyring of the init-files demo keys and its passphrase file, for the agora CLI.
    std::string keyringDir() const { return dir_.path("net") + "/keyring"; }
    std::string passphraseFile() const { return dir_.path("net") + "/passphrase.txt"; }
    Member& member(std::size_t i) { return members_[i]; }
    std::string logPath(std::size_t i) const { return dir_.path("node" + std::to_string(i) + ".log"); }

    void start(std::size_t i, const std::vector<std::string>& extraArgs = {}) {
        auto& m = members_[i];
        ++m.starts;
        // AGORA_P2P_LOG_LEVEL=debug for a post-mortem (with AGORA_P2P_KEEP_LOGS).
        const char* level = std::getenv("AGORA_P2P_LOG_LEVEL");
        std::vector<std::string> args{"--log-level", level != nullptr && *level != '\0' ? level : "info"};
        args.insert(args.end(), extraArgs.begin(), extraArgs.end());
        m.node->launch(args);  // a validator cannot commit alone: the test waits on the network
        m.up = true;
    }
    void startAll() {
        for (std::size_t i = 0; i < members_.size(); ++i) start(i);
    }
    void kill9(std::size_t i) {
        auto& m = members_[i];
        if (!m.up) return;
        m.node->kill9();
        m.up = false;
    }
    // SIGTERM and wait; true when it exited cleanly.
    bool stop(std::size_t i) {
        auto& m = members_[i];
        if (!m.up) return true;
        const int rc = m.node->stop(std::chrono::seconds(20));
        if (rc < 0) m.node->kill9();
        m.up = false;
        return rc == 0;
    }
    // SIGTERM to every running node at once, then waits; true when all exited cleanly.
    bool stopAll() {
        for (auto& m : members_)
            if (m.up) m.node->process().signal(SIGTERM);
        bool ok = true;
        for (std::size_t i = 0; i < members_.size(); ++i) ok = stop(i) && ok;
        return ok;
    }
    bool running(std::size_t i) const { return members_[i].up; }

    // A fresh channel per call with its own subchannel: gRPC shares subchannels
    // per address process-wide, and one that saw the node die waits out a
    // reconnect backoff of up to 20 s.
    static std::shared_ptr<grpc::Channel> freshChannel(int port) {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
        return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args);
    }

    // A signed send of `amount` uagr from testKey(from) to testKey(to) on this chain.
    static SignedTx send(std::uint8_t from, std::uint8_t to, std::uint64_t amount, std::uint64_t nonce) {
        Tx t;
        t.chainId = kChainId;
        t.nonce = nonce;
        t.fee = Amount(2'000);
        t.msgs = {MsgSend{Address::fromPublicKey(testKey(to).publicKey), Amount(amount)}};
        return signTx(testKey(from), t);
    }
    struct BroadcastReply {
        grpc::Status status;
        tx::v1::BroadcastResponse response;
    };
    // TxService.Broadcast of `tx` to node i, waiting for its commit.
    BroadcastReply broadcastCommit(std::size_t i, const SignedTx& tx, std::chrono::milliseconds timeout) {
        auto stub = tx::v1::TxService::NewStub(freshChannel(members_[i].grpcPort));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + timeout);
        tx::v1::BroadcastRequest req;
        const Bytes raw = encode(tx);
        req.set_tx(std::string(raw.begin(), raw.end()));
        req.set_mode(tx::v1::BROADCAST_MODE_COMMIT);
        BroadcastReply reply;
        reply.status = stub->Broadcast(&ctx, req, &reply.response);
        return reply;
    }

    std::optional<query::v1::StatusResponse> status(std::size_t i) {
        auto stub = query::v1::QueryService::NewStub(freshChannel(members_[i].grpcPort));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        query::v1::StatusResponse resp;
        if (!stub->Status(&ctx, query::v1::StatusRequest{}, &resp).ok()) return std::nullopt;
        return resp;
    }
    // QueryService.Account on node i: (balance, next nonce); nullopt when the node does not answer.
    std::optional<std::pair<std::uint64_t, std::uint64_t>> account(std::size_t i, const Address& a) {
        auto stub = query::v1::QueryService::NewStub(freshChannel(members_[i].grpcPort));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
        query::v1::AccountRequest req;
        req.set_address(a.toBech32());
        query::v1::AccountResponse resp;
        if (!stub->Account(&ctx, req, &resp).ok()) return std::nullopt;
        return std::make_pair(std::stoull(resp.balance()), resp.next_nonce());
    }
    std::uint64_t height(std::size_t i) {
        auto s = status(i);
        return s ? s->latest_height() : 0;
    }
    bool waitHeight(const std::vector<std::size_t>& nodes, std::uint64_t h, std::chrono::milliseconds timeout) {
        return waitUntil(
            [&] {
                for (auto i : nodes)
                    if (height(i) < h) return false;
                return true;
            },
            timeout);
    }
    std::uint64_t maxHeight(const std::vector<std::size_t>& nodes) {
        std::uint64_t best = 0;
        for (auto i : nodes) best = std::max(best, height(i));
        return best;
    }

    // Validators as the node reports them (QueryService.Validators, typed records).
    std::vector<query::v1::ValidatorRecord> validators(std::size_t i) {
        auto stub = query::v1::QueryService::NewStub(freshChannel(members_[i].grpcPort));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        query::v1::ValidatorsResponse resp;
        if (!stub->Validators(&ctx, query::v1::ValidatorsRequest{}, &resp).ok()) return {};
        return {resp.validators().begin(), resp.validators().end()};
    }
    // Evidence items in the block at height h on node i (0 when unavailable).
    std::size_t evidenceAt(std::size_t i, std::uint64_t h) {
        auto stub = query::v1::QueryService::NewStub(freshChannel(members_[i].grpcPort));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        query::v1::BlockRequest req;
        req.set_height(h);
        query::v1::BlockResponse resp;
        if (!stub->Block(&ctx, req, &resp).ok()) return 0;
        return static_cast<std::size_t>(resp.block().evidence_size());
    }

    bool setBlocked(std::size_t i, const std::vector<std::size_t>& others) {
        auto stub = p2p::v1::P2pAdmin::NewStub(freshChannel(members_[i].p2pPort));
        p2p::v1::SetBlockedRequest req;
        for (auto j : others) req.add_node_ids(members_[j].nodeId);
        p2p::v1::SetBlockedResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        return stub->SetBlocked(&ctx, req, &resp).ok();
    }
    // Cuts the network into the given groups (every node in exactly one).
    bool partition(const std::vector<std::vector<std::size_t>>& groups) {
        bool ok = true;
        for (const auto& g : groups)
            for (auto i : g) {
                std::vector<std::size_t> others;
                for (const auto& h : groups)
                    if (&h != &g) others.insert(others.end(), h.begin(), h.end());
                ok = setBlocked(i, others) && ok;
            }
        return ok;
    }
    bool heal() {
        bool ok = true;
        for (std::size_t i = 0; i < members_.size(); ++i)
            if (running(i)) ok = setBlocked(i, {}) && ok;
        return ok;
    }

    // Offline checker (processes stopped): every node's stored blocks and
    // commit certificates. Returns a description of the first fork or double
    // sign, or "" when all nodes agree and no validator signed two different
    // precommits for the same (height, round).
    std::string checkNoForkNoDoubleSign(std::uint64_t* commonHeight = nullptr) {
        std::map<std::uint64_t, Hash256> blockAt;
        std::map<std::tuple<std::uint64_t, std::uint32_t, PublicKey>, Hash256> precommits;
        std::uint64_t common = ~std::uint64_t{0};
        for (std::size_t i = 0; i < members_.size(); ++i) {
            node::DatabaseOptions opts;
            opts.createIfMissing = false;
            auto db = node::openNodeDatabase(node::HomeLayout(members_[i].home).databaseDir().string(), opts);
            if (!db) return "node" + std::to_string(i) + ": cannot open its database";
            auto store = node::BlockStore::open(*db);
            if (!store) return "node" + std::to_string(i) + ": " + store.error();
            common = std::min(common, store->latestHeight());
            for (std::uint64_t h = 1; h <= store->latestHeight(); ++h) {
                auto block = store->block(h);
                auto cert = store->commit(h);
                if (!block || !cert)
                    return "node" + std::to_string(i) + ": missing block or commit at " + std::to_string(h);
                const auto id = block->id();
                auto [it, fresh] = blockAt.emplace(h, id);
                if (!fresh && it->second != id) return "fork at height " + std::to_string(h);
                if (cert->blockId != id) return "certificate names another block at " + std::to_string(h);
                std::vector<CommitCertificate> certs{*cert};
                if (block->lastCommit) certs.push_back(*block->lastCommit);
                for (const auto& c : certs)
                    for (const auto& s : c.signatures) {
                        auto [pit, pfresh] =
                            precommits.emplace(std::make_tuple(c.height, c.round, s.validator), c.blockId);
                        if (!pfresh && pit->second != c.blockId)
                            return "double sign by " + s.validator.toHex() + " at height " + std::to_string(c.height);
                    }
            }
        }
        if (commonHeight) *commonHeight = common;
        return "";
    }

private:
    TempDir dir_{"p2p-net"};
    std::vector<Member> members_;
};

}  // namespace agora::test
