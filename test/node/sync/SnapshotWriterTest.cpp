#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "agora/p2p/v1/statesync.grpc.pb.h"
#include "consensus/core/Codec.h"
#include "consensus/state/StateChunk.h"
#include "node/rpc/GrpcServer.h"
#include "node/storage/LevelDbStateStore.h"
#include "node/sync/SnapshotStore.h"
#include "node/sync/SnapshotWriter.h"
#include "node/sync/StateSyncService.h"
#include "support/TempDir.h"
#include "support/TestRng.h"

using namespace agora;
using namespace agora::node;
using agora::test::TempDir;
using agora::test::TestRng;

namespace {

Bytes bytesOf(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

// A LevelDB state store with `keys` random pairs committed at `version`.
struct FilledStore {
    TempDir dir{"snapshot"};
    std::unique_ptr<LevelDbStateStore> store;
    std::map<Bytes, Bytes> model;
    Hash256 root;

    FilledStore(int keys, std::uint64_t version, std::uint64_t seed = 1) {
        store = LevelDbStateStore::open(dir.path("state")).value();
        TestRng rng(seed);
        state::StateChanges changes;
        for (int i = 0; i < keys; ++i) {
            Bytes v(static_cast<std::size_t>(20 + rng.below(60)));
            for (auto& b : v) b = static_cast<std::uint8_t>(rng.next());
            changes[bytesOf("acct/" + std::to_string(i))] = v;
            model[bytesOf("acct/" + std::to_string(i))] = v;
        }
        root = store->commit(version, changes).value();
    }
};

// Every chunk of the snapshot at `height` in `snapshots` verifies against
// `root`; returns the pairs they hold together.
std::map<Bytes, Bytes> restoreAll(const SnapshotStore& snapshots, std::uint64_t height, const Hash256& root) {
    const auto m = snapshots.manifest(height);
    REQUIRE(m.has_value());
    CHECK(m->appHash == root);
    std::map<Bytes, Bytes> out;
    for (std::uint32_t i = 0; i < m->chunkCount(); ++i) {
        const auto bytes = snapshots.readChunk(height, i);
        REQUIRE(bytes.has_value());
        const auto chunk = decode<state::StateChunk>(*bytes);
        REQUIRE(chunk.hasValue());
        const auto ok = state::verifyStateChunk(state::ChunkRequest{height, root, m->depth, i}, *chunk);
        INFO((ok.hasValue() ? std::string() : ok.error().message()));
        CHECK(ok.hasValue());
        for (const auto& e : chunk->entries) out.emplace(e.key, e.value);
    }
    return out;
}

template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace

TEST_CASE("a snapshot of the state store is cut into chunks that each verify against its root", "[statesync]") {
    FilledStore s(2000, 5);
    TempDir out("snapshots");
    auto snapshots = SnapshotStore::open(out.path("snapshots")).value();
    SnapshotPolicy policy;
    policy.targetChunkBytes = 16 * 1024;  // ~160 KB of state: depth 4
    auto built = SnapshotWriter::build(*s.store->snapshot(), sha256(bytesOf("block 5")), bytesOf("record"), policy);
    REQUIRE(built.hasValue());
    CHECK(built->manifest.height == 5);
    CHECK(built->manifest.keys == 2000);
    CHECK(built->manifest.depth >= 3);
    CHECK(built->manifest.chainRecord == bytesOf("record"));
    REQUIRE(snapshots->write(built->manifest, built->chunks).hasValue());

    CHECK(restoreAll(*snapshots, 5, s.root) == s.model);
    // Reopened from disk, the same.
    snapshots.reset();
    auto reopened = SnapshotStore::open(out.path("snapshots")).value();
    REQUIRE(reopened->list().size() == 1);
    CHECK(reopened->list().front() == built->manifest);
}

TEST_CASE("a chunk above the size bound cuts the snapshot deeper", "[statesync]") {
    FilledStore s(400, 2);
    SnapshotPolicy policy;
    policy.targetChunkBytes = std::size_t{1} << 30;  // depth 0 by the average
    policy.maxChunkBytes = 8 * 1024;
    auto built = SnapshotWriter::build(*s.store->snapshot(), Hash256{}, {}, policy);
    REQUIRE(built.hasValue());
    CHECK(built->manifest.depth > 0);
    for (const auto& c : built->chunks) CHECK(c.size() <= policy.maxChunkBytes);
}

TEST_CASE("the writer snapshots every interval heights on its own thread and keeps the newest", "[statesync]") {
    TempDir dir("snapshot-writer");
    auto store = LevelDbStateStore::open(dir.path("state")).value();
    auto snapshots = SnapshotStore::open(dir.path("snapshots")).value();
    SnapshotWriter writer(*snapshots, SnapshotPolicy{3, 2});
    std::map<std::uint64_t, Hash256> roots;
    for (std::uint64_t h = 1; h <= 10; ++h) {
        state::StateChanges c;
        c[bytesOf("height")] = bytesOf(std::to_string(h));
        c[bytesOf("k/" + std::to_string(h))] = bytesOf("v");
        roots[h] = store->commit(h, c).value();
        writer.onCommit(h, Hash256{}, store->snapshot(), {});
        if (writer.due(h)) REQUIRE(waitFor([&] { return writer.lastWritten() == h; }));
    }
    const auto kept = snapshots->list();
    REQUIRE(kept.size() == 2);
    CHECK(kept[0].height == 9);
    CHECK(kept[1].height == 6);
    CHECK(restoreAll(*snapshots, 9, roots[9]).at(bytesOf("height")) == bytesOf("9"));
    CHECK_FALSE(snapshots->manifest(3).has_value());
}

TEST_CASE("an unfinished snapshot folder is removed at open and never listed", "[statesync]") {
    TempDir dir("snapshot-tmp");
    const auto root = std::filesystem::path(dir.path("snapshots"));
    std::filesystem::create_directories(root / "tmp-00000000000000000007");
    std::filesystem::create_directories(root / "00000000000000000008");  // no manifest: skipped
    auto snapshots = SnapshotStore::open(root).value();
    CHECK_FALSE(std::filesystem::exists(root / "tmp-00000000000000000007"));
    CHECK(snapshots->list().empty());
}

TEST_CASE("StateSync serves the kept snapshots and their chunks over gRPC", "[statesync]") {
    FilledStore s(300, 4);
    TempDir out("snapshots-served");
    auto snapshots = SnapshotStore::open(out.path("snapshots")).value();
    SnapshotPolicy policy;
    policy.targetChunkBytes = 4 * 1024;
    auto built = SnapshotWriter::build(*s.store->snapshot(), Hash256{}, {}, policy).value();
    REQUIRE(snapshots->write(built.manifest, built.chunks).hasValue());

    StateSyncService service(*snapshots);
    GrpcServer server(GrpcServerOptions{"127.0.0.1:0"});
    server.addService(&service);
    REQUIRE(server.start().hasValue());
    auto stub = agora::p2p::v1::StateSync::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials()));

    {
        grpc::ClientContext ctx;
        agora::p2p::v1::ListSnapshotsResponse resp;
        REQUIRE(stub->ListSnapshots(&ctx, {}, &resp).ok());
        REQUIRE(resp.manifests_size() == 1);
        const auto& m = resp.manifests(0);
        CHECK(decode<SnapshotManifest>(Bytes(m.begin(), m.end())).value() == built.manifest);
    }
    for (std::uint32_t i = 0; i < built.manifest.chunkCount(); ++i) {
        grpc::ClientContext ctx;
        agora::p2p::v1::GetChunkRequest req;
        req.set_height(4);
        req.set_index(i);
        agora::p2p::v1::GetChunkResponse resp;
        REQUIRE(stub->GetChunk(&ctx, req, &resp).ok());
        CHECK(Bytes(resp.chunk().begin(), resp.chunk().end()) == built.chunks[i]);
    }
    {
        grpc::ClientContext ctx;
        agora::p2p::v1::GetChunkRequest req;
        req.set_height(5);
        agora::p2p::v1::GetChunkResponse resp;
        CHECK(stub->GetChunk(&ctx, req, &resp).error_code() == grpc::StatusCode::NOT_FOUND);
    }
    server.shutdown(1000);
}
