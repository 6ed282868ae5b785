#pragma once
// Takes a state snapshot every `interval` heights (statesync.snapshot_interval)
// and writes it as chunks into the SnapshotStore on its own thread, so
// neither consensus nor the commit ever waits for it (docs/sync.md, "State
// sync"). The committing thread only hands over a LevelDB snapshot of the
// version just committed (cheap, consistent), the block id and the chain
// record; the writer scans that snapshot, cuts it into chunks and publishes
// them. One snapshot is built at a time: a height that comes due while the
// previous one is still being written is skipped (and logged).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "consensus/state/StateStore.h"
#include "node/sync/SnapshotStore.h"

namespace agora::node {

struct SnapshotPolicy {
    std::uint64_t interval = 0;  // 0 = no snapshots
    std::uint32_t keep = 2;      // snapshots kept, newest first
    // The chunk depth is the smallest that brings the average chunk under
    // targetChunkBytes; a chunk above maxChunkBytes (a skewed or huge value)
    // deepens the cut again, up to kChunkDepthMax.
    std::size_t targetChunkBytes = std::size_t{1} << 20;
    std::size_t maxChunkBytes = std::size_t{4} << 20;
};

// One snapshot's files, built from a state snapshot of `height`.
struct BuiltSnapshot {
    SnapshotManifest manifest;
    std::vector<Bytes> chunks;  // encoded StateChunks, by index
};

class SnapshotWriter {
public:
    SnapshotWriter(SnapshotStore& store, SnapshotPolicy policy);
    ~SnapshotWriter();
    SnapshotWriter(const SnapshotWriter&) = delete;
    SnapshotWriter& operator=(const SnapshotWriter&) = delete;

    // Whether a snapshot of `height` is due (cheap: the caller asks before
    // taking a state snapshot and encoding the chain record).
    bool due(std::uint64_t height) const {
        return policy_.interval != 0 && height != 0 && height % policy_.interval == 0;
    }
    // From the committing thread right after `height` was committed, with a
    // snapshot of that version. Returns at once.
    void onCommit(std::uint64_t height, const Hash256& blockId, std::shared_ptr<const state::StateSnapshot> state,
                  Bytes chainRecord);
    // Ends the thread after the snapshot being written (if any).
    void stop();
    // The newest height written since start (0 = none yet).
    std::uint64_t lastWritten() const;

    // Cuts `state` (of version `height`) into chunks; checks that they fold
    // to the snapshot's root.
    static Expected<BuiltSnapshot, std::string> build(const state::StateSnapshot& state, const Hash256& blockId,
                                                      Bytes chainRecord, const SnapshotPolicy& policy);

private:
    struct Job {
        std::uint64_t height;
        Hash256 blockId;
        std::shared_ptr<const state::StateSnapshot> state;
        Bytes chainRecord;
    };
    void run();

    SnapshotStore& store_;
    SnapshotPolicy policy_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::optional<Job> pending_;
    bool busy_ = false;
    bool stopping_ = false;
    std::uint64_t lastWritten_ = 0;
    std::thread thread_;
};

}  // namespace agora::node
