// agora-statesync-bench: the state half of joining a chain by state sync, at
// N state keys, over real gRPC on loopback. A source LevelDB state store is
// filled with N keys (shaped like StateCommitBench's); its snapshot is cut
// into chunks and served by StateSync; a fresh store is then restored from
// it the way StateSyncer does it: list, fetch every chunk in parallel over
// `--peers` connections, verify each against the root, commit the pairs as
// one version. Prints one JSON line. What it leaves out of a full join: the
// trusted block and manifest checks (a few signature checks) and the block
// sync of the blocks after H (docs/performance.md, "State sync").
//
//   agora-statesync-bench --db DIR [--keys 1000000] [--peers 4] [--chunk-bytes 1048576]
#include <chrono>
#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "BenchKeys.h"
#include "consensus/state/StateChunk.h"
#include "node/rpc/GrpcServer.h"
#include "node/storage/LevelDbStateStore.h"
#include "node/sync/SnapshotSource.h"
#include "node/sync/SnapshotStore.h"
#include "node/sync/SnapshotWriter.h"
#include "node/sync/StateSyncService.h"

using namespace agora;
using Clock = std::chrono::steady_clock;

namespace {

using bench::keyOf;

Bytes valueOf(std::uint64_t i) {
    return bench::valueOf(i, i ^ 0x5555);
}

double msSince(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::string root;
    std::uint64_t keys = 1'000'000;
    std::size_t peers = 4;
    std::size_t chunkBytes = std::size_t{1} << 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "--db")
            root = v;
        else if (f == "--keys")
            keys = std::stoull(v);
        else if (f == "--peers")
            peers = std::max<std::size_t>(1, std::stoull(v));
        else if (f == "--chunk-bytes")
            chunkBytes = std::stoull(v);
    }
    if (root.empty()) {
        std::cerr << "usage: agora-statesync-bench --db DIR [--keys 1000000] [--peers 4] [--chunk-bytes 1048576]\n";
        return 2;
    }
    const std::filesystem::path dir(root);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);

    // The chain's state: N keys over 100 versions.
    auto source = node::LevelDbStateStore::open((dir / "source").string(), node::StateStoreOptions{2}).value();
    const std::uint64_t versions = 100;
    for (std::uint64_t v = 1; v <= versions; ++v) {
        state::StateChanges c;
        for (std::uint64_t i = (v - 1) * keys / versions; i < v * keys / versions; ++i) c[keyOf(i)] = valueOf(i);
        source->commit(v, c).value();
    }
    const Hash256 appHash = source->root(versions).value();

    // The serving node: its snapshot of that version, served on loopback.
    auto t = Clock::now();
    node::SnapshotPolicy policy;
    policy.targetChunkBytes = chunkBytes;
    auto built = node::SnapshotWriter::build(*source->snapshot(), Hash256{}, {}, policy);
    if (!built) {
        std::cerr << built.error() << "\n";
        return 1;
    }
    auto snapshots = node::SnapshotStore::open(dir / "snapshots").value();
    if (auto ok = snapshots->write(built->manifest, built->chunks); !ok) {
        std::cerr << ok.error() << "\n";
        return 1;
    }
    const double snapshotMs = msSince(t);
    const std::uint32_t count = built->manifest.chunkCount();
    const std::uint8_t depth = built->manifest.depth;
    const std::uint64_t bytes = built->manifest.bytes;
    built->chunks.clear();  // the served copies are the files
    built->chunks.shrink_to_fit();
    node::StateSyncService service(*snapshots);
    node::GrpcServer server(node::GrpcServerOptions{"127.0.0.1:0", 64 * 1024 * 1024});
    server.addService(&service);
    if (!server.start()) return 1;
    const std::string address = "127.0.0.1:" + std::to_string(server.port());

    // The joining node.
    t = Clock::now();
    auto target = node::LevelDbStateStore::open((dir / "target").string()).value();
    std::mutex mu;
    std::deque<std::uint32_t> queue;
    for (std::uint32_t i = 0; i < count; ++i) queue.push_back(i);
    std::vector<std::optional<state::StateChunk>> chunks(count);
    std::vector<std::thread> workers;
    bool failed = false;
    for (std::size_t p = 0; p < peers; ++p) {
        workers.emplace_back([&] {
            node::GrpcSnapshotSource src(address, {});
            for (;;) {
                std::uint32_t index = 0;
                {
                    std::lock_guard lock(mu);
                    if (queue.empty()) return;
                    index = queue.front();
                    queue.pop_front();
                }
                std::optional<state::StateChunk> chunk;
                if (auto b = src.chunk(versions, index)) {
                    auto c = decode<state::StateChunk>(*b);
                    if (c && state::verifyStateChunk(state::ChunkRequest{versions, appHash, depth, index}, *c))
                        chunk = std::move(*c);
                }
                std::lock_guard lock(mu);
                if (!chunk) {
                    failed = true;
                    return;
                }
                chunks[index] = std::move(chunk);
            }
        });
    }
    for (auto& w : workers) w.join();
    if (failed) {
        std::cerr << "a chunk failed to fetch or verify\n";
        return 1;
    }
    const double fetchMs = msSince(t);
    state::StateChanges all;
    for (auto& c : chunks)
        for (auto& e : c->entries) all.emplace(std::move(e.key), std::move(e.value));
    chunks.clear();
    const auto commitStarted = Clock::now();
    auto prepared = target->prepare(versions, all).value();
    const double prepareMs = msSince(commitStarted);
    if (prepared.root != appHash) {
        std::cerr << "restored root differs\n";
        return 1;
    }
    if (auto ok = target->write(std::move(prepared)); !ok) {
        std::cerr << ok.error().message() << "\n";
        return 1;
    }
    const double restoreMs = msSince(t);
    server.shutdown(1000);

    std::cout << "{\"bench\": \"statesync\", \"keys\": " << keys << ", \"chunks\": " << count
              << ", \"chunk_bytes_avg\": " << bytes / count << ", \"snapshot_bytes\": " << bytes
              << ", \"peers\": " << peers << ", \"snapshot_build_ms\": " << static_cast<std::uint64_t>(snapshotMs)
              << ", \"fetch_verify_ms\": " << static_cast<std::uint64_t>(fetchMs)
              << ", \"commit_prepare_ms\": " << static_cast<std::uint64_t>(prepareMs)
              << ", \"restore_ms\": " << static_cast<std::uint64_t>(restoreMs) << "}\n";
    return 0;
}
