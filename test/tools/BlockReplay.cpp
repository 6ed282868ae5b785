// agora-block-replay: the sync replay figure (docs/performance.md, "Sync
// replay"). A fresh node's Application re-applies every stored block of a
// finished chain, as block sync would after fetching them: each block with
// its commit certificate goes through Application::commit (header checks,
// parent certificate, execution with the signatures verified across cores
// because nothing is in the fresh node's signature cache, app_hash and
// results_hash checked, one LevelDB batch per block, fsynced every
// --sync-every blocks and at the end, as block sync does per fetched batch).
//
//   agora-block-replay --home SRC_HOME --out DIR [--keep-versions 1000] [--sync-every 64]
//
// Prints one JSON line: blocks, txs, seconds, tx/s, and whether the final
// app_hash equals the source chain's. Peer networking is not measured (true
// block sync over p2p belongs to the sync issue).
#include <sys/resource.h>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "node/app/Application.h"
#include "node/chain/BlockStore.h"
#include "node/genesis/GenesisFile.h"
#include "node/storage/NodeDatabase.h"

using namespace agora;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    std::string home, out;
    std::uint64_t keep = 1000;
    std::uint64_t syncEvery = 64;  // BlockSyncer's default batch
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i];
        if (f == "--home")
            home = argv[i + 1];
        else if (f == "--out")
            out = argv[i + 1];
        else if (f == "--keep-versions")
            keep = std::stoull(argv[i + 1]);
        else if (f == "--sync-every")
            syncEvery = std::max<std::uint64_t>(1, std::stoull(argv[i + 1]));
    }
    if (home.empty() || out.empty()) {
        std::cerr << "usage: agora-block-replay --home SRC_HOME --out DIR\n";
        return 2;
    }
    auto srcDb = node::openNodeDatabase(home + "/data/chain.db", node::DatabaseOptions{false});
    if (!srcDb) {
        std::cerr << srcDb.error().message() << "\n";
        return 2;
    }
    auto src = node::BlockStore::open(*srcDb);
    if (!src) {
        std::cerr << src.error() << "\n";
        return 2;
    }
    auto genesis = node::GenesisDoc::load(home + "/config/genesis.json");
    if (!genesis) {
        std::cerr << genesis.error() << "\n";
        return 2;
    }
    std::filesystem::remove_all(out);
    std::filesystem::create_directories(out);
    auto dstDb = node::openNodeDatabase(out + "/chain.db", node::DatabaseOptions{});
    if (!dstDb) {
        std::cerr << dstDb.error().message() << "\n";
        return 2;
    }
    node::Application::Options ao;
    ao.stateVersionsKept = keep;
    auto app = node::Application::open(std::move(*genesis), *dstDb, ao, std::make_shared<node::SignatureCache>());
    if (!app) {
        std::cerr << app.error() << "\n";
        return 2;
    }
    const std::uint64_t last = src->latestHeight();
    std::uint64_t txs = 0;
    Hash256 lastHash;
    rusage ru0{};
    getrusage(RUSAGE_SELF, &ru0);
    const double cpu0 =
        double(ru0.ru_utime.tv_sec + ru0.ru_stime.tv_sec) + double(ru0.ru_utime.tv_usec + ru0.ru_stime.tv_usec) / 1e6;
    const auto t0 = Clock::now();
    for (std::uint64_t h = 1; h <= last; ++h) {
        auto bytes = src->blockBytes(h);
        auto block = src->block(h);
        auto cert = src->commit(h);
        if (!bytes || !block || !cert) {
            std::cerr << "block " << h << " missing in the source store\n";
            return 2;
        }
        const bool synced = h == last || h % syncEvery == 0;
        auto done =
            (*app)->commit(block->id(), *bytes, *cert,
                           synced ? node::Application::Durability::Synced : node::Application::Durability::Deferred);
        if (!done) {
            std::cerr << "block " << h << ": " << done.error() << "\n";
            return 1;
        }
        txs += block->txs.size();
        lastHash = block->header.appHash;
    }
    const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double cpu = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6 - cpu0;
    nlohmann::json j;
    j["bench"] = "sync_replay";
    j["path"] = "stored blocks + certificates through Application::commit (no p2p)";
    j["blocks"] = last;
    j["sync_every"] = syncEvery;
    j["txs"] = txs;
    j["seconds"] = sec;
    j["tx_per_s"] = sec > 0 ? double(txs) / sec : 0.0;
    // CPU of all threads (parallel signature checks included): on a shared,
    // loaded machine wall time mostly measures waiting for a core and fsync.
    j["cpu_seconds"] = cpu;
    j["tx_per_cpu_s"] = cpu > 0 ? double(txs) / cpu : 0.0;
    j["ms_per_block"] = last > 0 ? sec * 1e3 / double(last) : 0.0;
    // A header carries the app_hash after its own txs: the replayed node's
    // latest app_hash must equal the source's latest state root.
    auto srcState = node::LevelDbStateStore::attach(*srcDb, node::StateStoreOptions{0, 0});
    const bool same = srcState && (*srcState)->root((*srcState)->latestVersion()).hasValue() &&
                      *(*srcState)->root((*srcState)->latestVersion()) == (*app)->lastAppHash();
    j["app_hash_matches"] = same;
    std::cout << j.dump() << std::endl;
    return same ? 0 : 1;
}
