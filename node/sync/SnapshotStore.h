#pragma once
// The state snapshots a node keeps for peers (docs/sync.md, "State sync"):
// one folder per height under <home>/data/snapshots, holding `manifest` (a
// canonical SnapshotManifest) and `chunk-<index>` (canonical StateChunks).
// A snapshot is written into a `tmp-` folder and renamed into place, so a
// reader never sees half of one and a crash leaves only a `tmp-` folder,
// removed at the next open.
//
// Threads: write() and keepNewest() from the snapshot writer's thread;
// list() and readChunk() from any thread (gRPC). A snapshot removed while
// being read gives NotFound, never a partial file.

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "consensus/state/StateChunk.h"
#include "node/sync/SnapshotManifest.h"

namespace agora::node {

class SnapshotStore {
public:
    // Creates the folder if needed and removes unfinished `tmp-` folders.
    static Expected<std::unique_ptr<SnapshotStore>, std::string> open(std::filesystem::path dir);

    // Kept snapshots, newest first; a folder whose manifest does not decode
    // is skipped (and logged).
    std::vector<SnapshotManifest> list() const;
    std::optional<SnapshotManifest> manifest(std::uint64_t height) const;
    // The encoded chunk; nullopt when that snapshot or chunk is not kept.
    std::optional<Bytes> readChunk(std::uint64_t height, std::uint32_t index) const;

    // Writes every chunk and the manifest, then publishes them at once.
    Expected<void, std::string> write(const SnapshotManifest& manifest, const std::vector<Bytes>& chunks);
    // Removes all but the newest `keep` snapshots.
    void keepNewest(std::size_t keep);

    const std::filesystem::path& dir() const { return dir_; }

private:
    explicit SnapshotStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
    std::filesystem::path folderOf(std::uint64_t height) const;
    // The heights of the published snapshots, newest first. Caller holds mu_.
    std::vector<std::uint64_t> heightsNewestFirst() const;

    std::filesystem::path dir_;
    mutable std::mutex mu_;  // orders publish/remove against list (files themselves are immutable)
};

}  // namespace agora::node
