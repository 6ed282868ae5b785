#include "node/app/GenesisExport.h"

#include "contracts/Ledger.h"
#include "node/storage/NodeDatabase.h"

namespace agora::node {

namespace {
Unexpected<std::string> fail(std::string m) {
    return Unexpected(std::move(m));
}

std::vector<ValidatorUpdate> updatesOf(const ValidatorSet& set) {
    std::vector<ValidatorUpdate> out;
    out.reserve(set.size());
    for (const auto& v : set.members()) out.push_back({v.key, v.power});
    return out;
}
}  // namespace

Expected<GenesisDoc, std::string> exportLatest(const Application& app) {
    const auto chain = app.chainState();
    const std::uint64_t height = app.lastHeight();
    if (height == 0) return app.genesis();
    // The snapshot is one LevelDB snapshot: a consistent version even if a
    // block commits meanwhile, which the checks below then report.
    const auto snap = app.snapshot();
    if (snap->version() != height || snap->root() != app.lastAppHash())
        return fail("the state moved on while exporting (height " + std::to_string(height) + ", state at " +
                    std::to_string(snap->version()) + "); export from a stopped node");

    GenesisDoc doc;
    auto& g = doc.genesis;
    g.chainId = app.genesis().genesis.chainId;
    g.initialHeight = height + 1;
    g.params = contracts::loadParams(*snap);
    doc.genesisTimeMs = app.lastTimeMs();  // the next block's time must exceed it, as on the old chain
    contracts::GenesisState s;
    s.height = height;
    s.appHash = snap->root();
    s.validatorSet = updatesOf(chain.validators);
    for (const auto& p : chain.pending) s.pendingUpdates.push_back({p.effectiveHeight, p.updates});
    snap->scan({}, {}, [&](ByteSpan key, ByteSpan value) {
        s.entries.emplace_back(Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end()));
        return true;
    });
    g.appState = std::move(s);
    return doc;
}

Expected<GenesisDoc, std::string> exportAtHeight(const Application& app, std::uint64_t height,
                                                 const std::filesystem::path& scratchDir) {
    const std::uint64_t latest = app.lastHeight();
    if (height == latest) return exportLatest(app);
    if (height > latest)
        return fail("--height " + std::to_string(height) + " is above the latest height " + std::to_string(latest));
    const std::uint64_t first = app.genesis().genesis.initialHeight;
    if (height < first)
        return fail("--height " + std::to_string(height) + " is below the chain's first height " +
                    std::to_string(first) + "; the genesis file holds that state");
    if (app.blocks().baseHeight() != first)
        return fail("blocks below " + std::to_string(app.blocks().baseHeight()) +
                    " are not kept; only the latest height can be exported");

    std::error_code ec;
    std::filesystem::remove_all(scratchDir, ec);
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup() {
            std::error_code e;
            std::filesystem::remove_all(dir, e);
        }
    } cleanup{scratchDir};
    // Declared after cleanup, so the scratch database closes before its directory goes.
    auto db = openNodeDatabase(scratchDir.string(), DatabaseOptions{});
    if (!db) return fail("scratch database: " + db.error().message());
    auto replay = Application::open(app.genesis(), *db, Application::Options{}, std::make_shared<SignatureCache>());
    if (!replay) return fail("replay: " + replay.error());
    for (std::uint64_t h = first; h <= height; ++h) {
        auto bytes = app.blocks().blockBytes(h);
        auto block = app.blocks().block(h);
        auto cert = app.blocks().commit(h);
        if (!bytes || !block || !cert) return fail("block " + std::to_string(h) + " is missing from the store");
        auto ok = (*replay)->commit(block->id(), *bytes, *cert);
        if (!ok) return fail("replay of block " + std::to_string(h) + " failed: " + ok.error());
    }
    return exportLatest(**replay);
}

}  // namespace agora::node
