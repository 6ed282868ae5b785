// Block sync, full nodes and live slashing with real agorad processes on
// loopback (the p2p gossip is not in this build: one validator, plus a full
// node that follows it through BlockSync alone).
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "agora/p2p/v1/sync.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "consensus/core/Evidence.h"
#include "node/config/NodeConfig.h"
#include "node/daemon/HomeLayout.h"
#include "node/daemon/PlainKeyFile.h"
#include "node/http/TestHttpClient.h"
#include "node/sync/GrpcBlockSource.h"
#include "support/ChildProcess.h"
#include "support/RunningNode.h"
#include "support/TempDir.h"
#include "wallet/AtomicFile.h"

#ifndef AGORAD_BINARY
#error "AGORAD_BINARY must name the agorad executable (test/CMakeLists.txt)"
#endif
#ifndef AGORA_CLI_BINARY
#error "AGORA_CLI_BINARY must name the agora executable (test/CMakeLists.txt)"
#endif

using namespace agora;
namespace q = agora::query::v1;
using namespace std::chrono_literals;

namespace {

std::uint64_t scaleDivisor() {
    const char* v = std::getenv("AGORA_TEST_SCALE_DIVISOR");
    const std::uint64_t d = v ? std::strtoull(v, nullptr, 10) : 1;
    return d == 0 ? 1 : d;
}

struct ProcNode {
    std::string home;
    int grpcPort = test::freePort();
    int p2pPort = test::freePort();
    int httpPort = test::freePort();
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<test::RunningNode> agorad;  // runs the home (RunningNode::ExistingHome)
    std::string logFile;

    // Not waiting: a node of a network, or one that syncs; the test waits on its height.
    void start() { agorad->launch(); }
    std::optional<q::StatusResponse> status() {
        auto stub = q::QueryService::NewStub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 2s);
        q::StatusResponse resp;
        if (!stub->Status(&ctx, q::StatusRequest{}, &resp).ok()) return std::nullopt;
        return resp;
    }
    std::uint64_t height() {
        auto s = status();
        return s ? s->latest_height() : 0;
    }
    bool waitHeight(std::uint64_t h, std::chrono::milliseconds timeout = 120s) {
        return test::waitUntil([&] { return height() >= h; }, timeout);
    }
    std::optional<q::BlockResponse> block(std::uint64_t h) {
        auto stub = q::QueryService::NewStub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 5s);
        q::BlockRequest req;
        req.set_height(h);
        q::BlockResponse resp;
        if (!stub->Block(&ctx, req, &resp).ok()) return std::nullopt;
        return resp;
    }
    std::vector<q::ValidatorRecord> validators() {
        auto stub = q::QueryService::NewStub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 5s);
        q::ValidatorsResponse resp;
        if (!stub->Validators(&ctx, q::ValidatorsRequest{}, &resp).ok()) return {};
        return {resp.validators().begin(), resp.validators().end()};
    }
    std::optional<q::EvidenceResponse> evidence(const std::string& validator, std::uint64_t minHeight = 0,
                                                std::uint64_t maxHeight = 0) {
        auto stub = q::QueryService::NewStub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 5s);
        q::EvidenceRequest req;
        req.set_validator(validator);
        req.set_min_height(minHeight);
        req.set_max_height(maxHeight);
        q::EvidenceResponse resp;
        if (!stub->Evidence(&ctx, req, &resp).ok()) return std::nullopt;
        return resp;
    }
    void stop() {
        if (!agorad->launched()) return;
        REQUIRE(agorad->stop(30s) == 0);
    }
};

// `agorad testnet init-files` homes with our own ports and fast blocks.
struct Testnet {
    test::TempDir dir{"agora-sync-proc"};
    std::vector<ProcNode> nodes;

    Testnet(std::size_t validators, std::size_t fullNodes, const std::string& stakes = "") {
        std::vector<std::string> args = {AGORAD_BINARY,
                                         "testnet",
                                         "init-files",
                                         "--output",
                                         dir.path("net"),
                                         "--validators",
                                         std::to_string(validators),
                                         "--full-nodes",
                                         std::to_string(fullNodes),
                                         "--chain-id",
                                         "sync-proc"};
        if (!stakes.empty()) {
            args.push_back("--stakes");
            args.push_back(stakes);
        }
        REQUIRE(test::runToExit(args, dir.path("init.log")) == 0);
        nodes.resize(validators + fullNodes);
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            auto& n = nodes[i];
            n.home = dir.path("net/node" + std::to_string(i));
            n.logFile = dir.path("node" + std::to_string(i) + ".log");
            n.channel =
                grpc::CreateChannel("127.0.0.1:" + std::to_string(n.grpcPort), grpc::InsecureChannelCredentials());
        }
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            const node::HomeLayout home(nodes[i].home);
            auto cfg = node::NodeConfig::load(home.configFile());
            REQUIRE(cfg.hasValue());
            cfg->grpc.address = "127.0.0.1:" + std::to_string(nodes[i].grpcPort);
            cfg->p2p.listenAddress = "127.0.0.1:" + std::to_string(nodes[i].p2pPort);
            cfg->http.address = "127.0.0.1:" + std::to_string(nodes[i].httpPort);
            // Same peers (by node id, in order), our ports.
            std::vector<std::string> peers;
            std::size_t k = 0;
            for (std::size_t j = 0; j < nodes.size(); ++j) {
                if (j == i) continue;
                const auto& entry = cfg->p2p.persistentPeers.at(k++);
                peers.push_back(entry.substr(0, entry.find('@')) + "@127.0.0.1:" + std::to_string(nodes[j].p2pPort));
            }
            cfg->p2p.persistentPeers = peers;
            // Hundreds of blocks in seconds, the chain a full node then syncs:
            // empty blocks 1 ms apart (the default makes none while idle).
            cfg->consensus.createEmptyBlocks = true;
            cfg->consensus.timeoutCommitMs = 1;
            cfg->consensus.timeoutProposeMs = 200;
            cfg->consensus.timeoutPrevoteMs = 100;
            cfg->consensus.timeoutPrecommitMs = 100;
            REQUIRE(wallet::writeFileAtomic(home.configFile(), cfg->toToml(), wallet::WriteMode::Replace).hasValue());
            nodes[i].agorad =
                std::make_unique<test::RunningNode>(test::RunningNode::ExistingHome{nodes[i].home, nodes[i].logFile});
        }
    }
};

std::string logOf(const ProcNode& n) {
    std::ifstream in(n.logFile);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void requireSameChain(ProcNode& a, ProcNode& b, std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t h = from; h <= to; ++h) {
        auto x = a.block(h);
        auto y = b.block(h);
        INFO("height " << h);
        REQUIRE(x.has_value());
        REQUIRE(y.has_value());
        REQUIRE(x->block().header_view().block_id() == y->block().header_view().block_id());
        REQUIRE(x->block().header_view().app_hash() == y->block().header_view().app_hash());
    }
}

}  // namespace

TEST_CASE(
    "a full node started after hundreds of blocks block-syncs to the same app_hash, serves queries, and "
    "syncs back after kill -9",
    "[sync][process]") {
    Testnet net(1, 1);
    auto& val = net.nodes[0];
    auto& full = net.nodes[1];
    REQUIRE_FALSE(std::filesystem::exists(node::HomeLayout(full.home).validatorKeyFile()));
    const std::uint64_t target = std::max<std::uint64_t>(50, 500 / scaleDivisor());
    val.start();
    INFO(logOf(val));
    REQUIRE(val.waitHeight(target, 300s));

    full.start();
    INFO(logOf(full));
    REQUIRE(full.waitHeight(target, 120s));
    // It follows the chain (BlockSync polls while consensus gets no gossip).
    const std::uint64_t later = val.height() + 5;
    REQUIRE(full.waitHeight(later, 60s));
    requireSameChain(val, full, 1, later);
    auto st = full.status();
    REQUIRE(st.has_value());
    REQUIRE(st->chain_id() == "sync-proc");
    REQUIRE(full.validators().size() == 1);
    REQUIRE(logOf(full).find("full node (not a validator)") != std::string::npos);
    REQUIRE(logOf(full).find("block sync applied") != std::string::npos);

    // kill -9 the full node; the chain moves on; on restart it syncs back.
    REQUIRE(full.agorad->kill9() == 128 + SIGKILL);
    const std::uint64_t killedAt = val.height();
    REQUIRE(val.waitHeight(killedAt + 20, 60s));
    const std::uint64_t rejoin = val.height();
    full.start();
    REQUIRE(full.waitHeight(rejoin, 60s));
    requireSameChain(val, full, killedAt > 5 ? killedAt - 5 : 1, rejoin);
    // Reported as caught up once it is there.
    REQUIRE(test::waitUntil(
        [&] {
            auto s = full.status();
            return s && !s->catching_up();
        },
        30s));

    full.stop();
    val.stop();
}

TEST_CASE("duplicate votes submitted as evidence slash and tombstone the validator; the evidence is queryable",
          "[sync][process][evidence]") {
    // node1 holds 1/11 of the power and never runs: node0 alone is a quorum.
    Testnet net(2, 0, "1000agr,100agr");
    auto& val = net.nodes[0];
    {
        // node1 misses every block; with 1 ms between blocks it would be jailed for downtime (51 misses)
        // and leave the set before the evidence arrives. 250 ms keeps it in the set for ~12 s.
        const node::HomeLayout home(val.home);
        auto cfg = node::NodeConfig::load(home.configFile());
        REQUIRE(cfg.hasValue());
        cfg->consensus.timeoutCommitMs = 250;
        REQUIRE(wallet::writeFileAtomic(home.configFile(), cfg->toToml(), wallet::WriteMode::Replace).hasValue());
    }
    val.start();
    INFO(logOf(val));
    REQUIRE(val.waitHeight(2, 60s));

    auto key = node::loadKeyFile(node::HomeLayout(net.nodes[1].home).validatorKeyFile());
    REQUIRE(key.hasValue());
    auto vote = [&](std::optional<Hash256> id) {
        Vote v;
        v.type = VoteType::Precommit;
        v.height = 1;
        v.round = 0;
        v.blockId = id;
        v.validator = key->publicKey();
        v.signature = key->sign(v.signDigest("sync-proc").span());
        return v;
    };
    auto ev = DuplicateVoteEvidence::make(vote(sha256(asBytes("one block"))), vote(std::nullopt));
    REQUIRE(ev.hasValue());
    node::GrpcBlockSource peer("127.0.0.1:" + std::to_string(val.p2pPort), node::GrpcBlockSourceOptions{});

    // Forged evidence is refused.
    auto forged = *ev;
    forged.first.signature = forged.second.signature;
    REQUIRE_FALSE(peer.submitEvidence(encode(forged)).hasValue());

    const std::uint64_t submittedAt = val.height();
    auto added = peer.submitEvidence(encode(*ev));
    INFO((added ? std::string() : added.error()));
    REQUIRE(added.hasValue());
    REQUIRE(*added);

    const std::string valoper = Address::fromPublicKey(key->publicKey()).toBech32(kValidatorPrefix);
    auto tombstoned = [&] {
        for (const auto& v : val.validators())
            if (v.operator_() == valoper && v.tombstoned()) return true;
        return false;
    };
    REQUIRE(test::waitUntil(tombstoned, 30s));

    // The block that carried it.
    const Bytes evBytes = encode(*ev);
    std::optional<std::uint64_t> includedAt;
    for (std::uint64_t h = submittedAt; h <= val.height() && !includedAt; ++h) {
        auto b = val.block(h);
        REQUIRE(b.has_value());
        for (const auto& e : b->block().evidence())
            if (Bytes(e.begin(), e.end()) == evBytes) includedAt = h;
    }
    REQUIRE(includedAt.has_value());

    // The evidence query: one record naming the validator, the block and both votes.
    {
        auto listed = val.evidence("");
        REQUIRE(listed.has_value());
        REQUIRE(listed->evidence_size() == 1);
        const auto& r = listed->evidence(0);
        CHECK(r.hash() == std::string(reinterpret_cast<const char*>(sha256(evBytes).bytes().data()), 32));
        CHECK(r.height() == *includedAt);
        CHECK(r.infraction_height() == 1);
        CHECK(r.validator_operator() == valoper);
        CHECK(r.consensus_key() == key->publicKey().toHex());
        CHECK(r.kind() == "duplicate_vote");
        CHECK(r.vote_type() == "precommit");
        CHECK(r.first().block_id().empty());  // nil sorts first
        CHECK(r.second().block_id().size() == 32);
        // Filters: by validator, by inclusion height range, and a malformed address.
        const std::string other =
            Address::fromPublicKey(
                node::loadKeyFile(node::HomeLayout(net.nodes[0].home).validatorKeyFile())->publicKey())
                .toBech32(kValidatorPrefix);
        CHECK(val.evidence(valoper)->evidence_size() == 1);
        CHECK(val.evidence(other)->evidence_size() == 0);
        CHECK(val.evidence("", *includedAt, *includedAt)->evidence_size() == 1);
        CHECK(val.evidence("", *includedAt + 1)->evidence_size() == 0);
        CHECK(val.evidence("", 1, *includedAt - 1)->evidence_size() == 0);
        CHECK_FALSE(val.evidence("agora1notanaddress").has_value());
        // The CLI prints the same record.
        const std::string out = net.dir.path("evidence-cli.json");
        REQUIRE(test::runToExit({AGORA_CLI_BINARY, "--node", "127.0.0.1:" + std::to_string(val.grpcPort), "query",
                                 "evidence", "--validator", valoper, "-o", "json"},
                                out) == 0);
        std::ifstream in(out);
        std::string line;
        std::getline(in, line);
        auto j = nlohmann::json::parse(line, nullptr, false);
        INFO(line);
        REQUIRE(j.is_object());
        REQUIRE(j["evidence"].size() == 1);
        CHECK(j["evidence"][0]["validator"] == valoper);
        CHECK(j["evidence"][0]["height"] == *includedAt);
        CHECK(j["evidence"][0]["infraction_height"] == 1);
        CHECK(j["evidence"][0]["hash"] == sha256(evBytes).toHex());
        CHECK(j["evidence"][0]["first"]["block_id"].is_null());
        CHECK(j["evidence"][0]["second"]["block_id"] == sha256(asBytes("one block")).toHex());
        // And the gateway: GET /v1/evidence with the same filters.
        auto rest = node::test::httpRequest(static_cast<std::uint16_t>(val.httpPort), "GET",
                                            "/v1/evidence?validator=" + valoper);
        REQUIRE(rest.has_value());
        INFO(rest->body);
        REQUIRE(rest->status == 200);
        CHECK(rest->json()["evidence"] == j["evidence"]);
        auto later = node::test::httpRequest(static_cast<std::uint16_t>(val.httpPort), "GET",
                                             "/v1/evidence?min_height=" + std::to_string(*includedAt + 1));
        REQUIRE(later.has_value());
        CHECK(later->json()["evidence"].empty());
        auto bad = node::test::httpRequest(static_cast<std::uint16_t>(val.httpPort), "GET",
                                           "/v1/evidence?validator=agora1bad");
        REQUIRE(bad.has_value());
        CHECK(bad->status == 400);
    }
    // Once committed it is not pooled again.
    auto again = peer.submitEvidence(evBytes);
    REQUIRE((!again.hasValue() || !*again));
    // The chain goes on without the tombstoned validator.
    REQUIRE(val.waitHeight(*includedAt + 5, 60s));
    val.stop();
}

TEST_CASE("agorad init --full-node writes a home with a node key but no validator key or genesis", "[sync][process]") {
    test::TempDir dir("agora-fullnode-init");
    const node::HomeLayout home(dir.path("home"));
    REQUIRE(test::runToExit(
                {AGORAD_BINARY, "--home", home.root.string(), "init", "follower", "--chain-id", "x", "--full-node"},
                dir.path("init.log")) == 0);
    REQUIRE(std::filesystem::exists(home.nodeKeyFile()));
    REQUIRE(std::filesystem::exists(home.configFile()));
    REQUIRE_FALSE(std::filesystem::exists(home.validatorKeyFile()));
    REQUIRE_FALSE(std::filesystem::exists(home.genesisFile()));
}
