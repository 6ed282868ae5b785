// State sync with real agorad processes on loopback (docs/sync.md, "State
// sync"): a validator with a few hundred state keys writes snapshots; a fresh
// full node started with --state-sync and a trusted height and block id
// restores that height from it, then block-syncs and follows the chain.
// Second case: a lying peer (an in-test gRPC server) serves tampered chunks;
// they are refused, the liar is dropped and the honest peer completes it.
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>

#include "agora/p2p/v1/statesync.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "consensus/core/Codec.h"
#include "consensus/state/StateChunk.h"
#include "node/config/NodeConfig.h"
#include "node/daemon/HomeLayout.h"
#include "node/genesis/GenesisFile.h"
#include "node/rpc/GrpcServer.h"
#include "node/sync/SnapshotManifest.h"
#include "node/sync/SnapshotSource.h"
#include "support/ChildProcess.h"
#include "support/RunningNode.h"
#include "support/TempDir.h"
#include "wallet/AtomicFile.h"

#ifndef AGORAD_BINARY
#error "AGORAD_BINARY must name the agorad executable (test/CMakeLists.txt)"
#endif

using namespace agora;
namespace q = agora::query::v1;
namespace pb = agora::p2p::v1;
using namespace std::chrono_literals;

namespace {

struct ProcNode {
    std::string home;
    int grpcPort = test::freePort();
    int p2pPort = test::freePort();
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<test::RunningNode> agorad;  // runs the home (RunningNode::ExistingHome)
    std::string logFile;

    // Not waiting: the test waits on heights (a syncing node has none for a while).
    void start(const std::vector<std::string>& extra = {}) { agorad->launch(extra); }
    std::optional<q::StatusResponse> status() {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 2s);
        q::StatusResponse resp;
        if (!q::QueryService::NewStub(channel)->Status(&ctx, q::StatusRequest{}, &resp).ok()) return std::nullopt;
        return resp;
    }
    std::uint64_t height() {
        auto s = status();
        return s ? s->latest_height() : 0;
    }
    bool waitHeight(std::uint64_t h, std::chrono::milliseconds timeout = 120s) {
        return test::waitUntil([&] { return height() >= h; }, timeout);
    }
    grpc::Status block(std::uint64_t h, q::BlockResponse* resp) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 5s);
        q::BlockRequest req;
        req.set_height(h);
        return q::QueryService::NewStub(channel)->Block(&ctx, req, resp);
    }
    std::string log() const {
        std::ifstream in(logFile);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::string p2pAddress() const { return "127.0.0.1:" + std::to_string(p2pPort); }
};

// One validator and one (empty) full node from `agorad testnet init-files`,
// with `accounts` extra funded accounts in genesis (state keys) and the
// validator writing a snapshot every 10 heights in chunks of ~4 KiB.
struct Net {
    test::TempDir dir{"agora-statesync-proc"};
    ProcNode val;
    ProcNode full;

    explicit Net(int accounts) {
        REQUIRE(test::runToExit({AGORAD_BINARY, "testnet", "init-files", "--output", dir.path("net"), "--validators",
                                 "1", "--full-nodes", "1", "--chain-id", "statesync-proc"},
                                dir.path("init.log")) == 0);
        val.home = dir.path("net/node0");
        full.home = dir.path("net/node1");
        val.logFile = dir.path("node0.log");
        full.logFile = dir.path("node1.log");
        // More state: funded accounts added to the shared genesis.
        auto doc = node::GenesisDoc::load(node::HomeLayout(val.home).genesisFile());
        REQUIRE(doc.hasValue());
        for (int i = 0; i < accounts; ++i) {
            const Hash256 h = sha256(Bytes{static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)});
            doc->genesis.accounts.push_back(
                {*Address::fromSpan(ByteSpan(h.bytes().data(), Address::kSize)), Amount(1'000'000)});
        }
        for (const auto* n : {&val, &full})
            REQUIRE(wallet::writeFileAtomic(node::HomeLayout(n->home).genesisFile(), doc->prettyJson(),
                                            wallet::WriteMode::Replace)
                        .hasValue());
        ProcNode* nodes[2] = {&val, &full};
        for (int i = 0; i < 2; ++i) {
            auto& n = *nodes[i];
            n.channel =
                grpc::CreateChannel("127.0.0.1:" + std::to_string(n.grpcPort), grpc::InsecureChannelCredentials());
            const node::HomeLayout home(n.home);
            auto cfg = node::NodeConfig::load(home.configFile());
            REQUIRE(cfg.hasValue());
            cfg->grpc.address = "127.0.0.1:" + std::to_string(n.grpcPort);
            cfg->p2p.listenAddress = n.p2pAddress();
            cfg->http.enabled = false;
            const auto& other = *nodes[1 - i];
            const auto& entry = cfg->p2p.persistentPeers.at(0);
            cfg->p2p.persistentPeers = {entry.substr(0, entry.find('@')) + "@" + other.p2pAddress()};
            // Snapshots every 10 heights: the chain must make blocks while idle,
            // but not so fast that the snapshot a test picked rotates out
            // (20 kept x 10 heights x ~100 ms) before the full node fetched it.
            cfg->consensus.createEmptyBlocks = true;
            cfg->consensus.timeoutCommitMs = 100;
            cfg->consensus.timeoutProposeMs = 200;
            cfg->consensus.timeoutPrevoteMs = 100;
            cfg->consensus.timeoutPrecommitMs = 100;
            cfg->statesync.snapshotInterval = 10;
            cfg->statesync.snapshotChunkBytes = 4096;
            cfg->statesync.snapshotKeep = 20;
            REQUIRE(wallet::writeFileAtomic(home.configFile(), cfg->toToml(), wallet::WriteMode::Replace).hasValue());
            n.agorad = std::make_unique<test::RunningNode>(test::RunningNode::ExistingHome{n.home, n.logFile});
        }
    }

    // The validator's newest snapshot once it has one at or above minHeight.
    node::SnapshotManifest snapshotAtLeast(std::uint64_t minHeight) {
        node::GrpcSnapshotSource source(val.p2pAddress(), {});
        std::optional<node::SnapshotManifest> found;
        REQUIRE(test::waitUntil(
            [&] {
                auto list = source.snapshots();
                if (!list || list->empty()) return false;
                auto m = decode<node::SnapshotManifest>(list->front());
                if (!m || m->height < minHeight) return false;
                found = *m;
                return true;
            },
            120s));
        return *found;
    }

    // What an operator takes from a source they trust: the block id at H.
    std::string trustedBlockIdHex(std::uint64_t h) {
        q::BlockResponse resp;
        REQUIRE(val.block(h, &resp).ok());
        const auto& id = resp.block().header_view().block_id();
        return toHex(Bytes(id.begin(), id.end()));
    }

    void requireSameAppHash(std::uint64_t h) {
        q::BlockResponse a;
        q::BlockResponse b;
        REQUIRE(val.block(h, &a).ok());
        REQUIRE(full.block(h, &b).ok());
        INFO("height " << h);
        REQUIRE(a.block().header_view().block_id() == b.block().header_view().block_id());
        REQUIRE(a.block().header_view().app_hash() == b.block().header_view().app_hash());
    }
};

// StateSync that forwards to an honest peer but tampers with every chunk it
// hands out (one value changed, or a pair added to an empty chunk).
class LyingStateSync final : public pb::StateSync::Service {
public:
    explicit LyingStateSync(const std::string& honest) : honest_(honest, {}) {}

    grpc::Status ListSnapshots(grpc::ServerContext*, const pb::ListSnapshotsRequest*,
                               pb::ListSnapshotsResponse* resp) override {
        auto list = honest_.snapshots();
        if (!list) return {grpc::StatusCode::UNAVAILABLE, list.error()};
        for (const auto& m : *list) resp->add_manifests(std::string(m.begin(), m.end()));
        return grpc::Status::OK;
    }
    grpc::Status GetChunk(grpc::ServerContext*, const pb::GetChunkRequest* req, pb::GetChunkResponse* resp) override {
        auto bytes = honest_.chunk(req->height(), req->index());
        if (!bytes) return {grpc::StatusCode::UNAVAILABLE, bytes.error()};
        auto chunk = decode<state::StateChunk>(*bytes);
        if (!chunk) return {grpc::StatusCode::INTERNAL, "honest chunk does not decode"};
        if (!chunk->entries.empty())
            chunk->entries.front().value.push_back(0x01);
        else if (!chunk->siblings.empty())
            chunk->siblings.front() = state::SubtreeSummary::internal(sha256(Bytes{1, 2, 3}));
        ++served;
        const Bytes out = encode(*chunk);
        resp->set_chunk(std::string(out.begin(), out.end()));
        return grpc::Status::OK;
    }

    std::atomic<int> served{0};

private:
    node::GrpcSnapshotSource honest_;
};

}  // namespace

TEST_CASE("a fresh node state-syncs a trusted height from a peer's snapshot, then follows the chain",
          "[statesync][process]") {
    Net net(300);
    net.val.start();
    INFO(net.val.log());
    const auto snap = net.snapshotAtLeast(20);
    CHECK(snap.keys >= 300);
    CHECK(snap.depth >= 2);  // ~4 KiB chunks of a few hundred accounts
    const std::uint64_t H = snap.height;

    net.full.start({"--state-sync", "--trust-height", std::to_string(H), "--trust-block-id", net.trustedBlockIdHex(H)});
    INFO(net.full.log());
    REQUIRE(net.full.waitHeight(H + 15, 120s));
    // It started at H: nothing below is kept, and it agrees from H on.
    const auto st = net.full.status();
    REQUIRE(st.has_value());
    CHECK(st->earliest_height() == H);
    q::BlockResponse below;
    CHECK(net.full.block(H - 1, &below).error_code() == grpc::StatusCode::NOT_FOUND);
    for (std::uint64_t h = H; h <= H + 15; ++h) net.requireSameAppHash(h);
    CHECK(net.full.log().find("state sync: restored height " + std::to_string(H)) != std::string::npos);

    // A restart finds the restored chain and does not sync again.
    REQUIRE(net.full.agorad->stop(30s) == 0);
    net.full.start({"--state-sync", "--trust-height", std::to_string(H), "--trust-block-id", net.trustedBlockIdHex(H)});
    REQUIRE(net.full.waitHeight(H + 20, 120s));
    CHECK(net.full.log().find("state sync not needed") != std::string::npos);
}

TEST_CASE("chunks from a lying peer are refused, the peer is dropped and the honest peer completes the sync",
          "[statesync][process]") {
    Net net(300);
    net.val.start();
    INFO(net.val.log());
    const auto snap = net.snapshotAtLeast(10);
    const std::uint64_t H = snap.height;

    LyingStateSync liar(net.val.p2pAddress());
    node::GrpcServer server(node::GrpcServerOptions{"127.0.0.1:0"});
    server.addService(&liar);
    REQUIRE(server.start().hasValue());
    const std::string liarAddress = "127.0.0.1:" + std::to_string(server.port());

    // The liar is asked first; every peer gets a chunk before any gets two.
    net.full.start({"--state-sync", "--trust-height", std::to_string(H), "--trust-block-id", net.trustedBlockIdHex(H),
                    "--state-sync-peer", liarAddress, "--state-sync-peer", net.val.p2pAddress()});
    INFO(net.full.log());
    REQUIRE(net.full.waitHeight(H + 5, 120s));
    CHECK(liar.served.load() >= 1);
    const std::string log = net.full.log();
    CHECK(log.find("dropping peer " + liarAddress + ": refused chunk") != std::string::npos);
    CHECK(log.find("state sync: restored height " + std::to_string(H)) != std::string::npos);
    for (std::uint64_t h = H; h <= H + 5; ++h) net.requireSameAppHash(h);
    server.shutdown(1000);
}

TEST_CASE("state sync refuses a trusted block id that no peer's block matches", "[statesync][process]") {
    Net net(10);
    net.val.start();
    INFO(net.val.log());
    const auto snap = net.snapshotAtLeast(10);
    net.full.start(
        {"--state-sync", "--trust-height", std::to_string(snap.height), "--trust-block-id", std::string(64, 'a')});
    const int code = net.full.agorad->process().waitExit(60s);
    CHECK(code != 0);
    CHECK(code != -1);
    const std::string log = net.full.log();
    INFO(log);
    CHECK(log.find("served block") != std::string::npos);
    CHECK(log.find("no peer serves the trusted block") != std::string::npos);
}
