#include "node/sync/SnapshotWriter.h"

#include <chrono>

#include "node/base/Logging.h"

namespace agora::node {

SnapshotWriter::SnapshotWriter(SnapshotStore& store, SnapshotPolicy policy)
    : store_(store), policy_(policy), thread_([this] { run(); }) {}

SnapshotWriter::~SnapshotWriter() {
    stop();
}

void SnapshotWriter::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::uint64_t SnapshotWriter::lastWritten() const {
    std::lock_guard lock(mu_);
    return lastWritten_;
}

void SnapshotWriter::onCommit(std::uint64_t height, const Hash256& blockId,
                              std::shared_ptr<const state::StateSnapshot> state, Bytes chainRecord) {
    if (!due(height)) return;
    if (state->version() != height) {
        moduleLog("statesync")
            ->warn("snapshot of height {} skipped: state is already at version {}", height, state->version());
        return;
    }
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        if (busy_ || pending_) {
            moduleLog("statesync")
                ->warn("snapshot of height {} skipped: the previous one is still being written", height);
            return;
        }
        pending_ = Job{height, blockId, std::move(state), std::move(chainRecord)};
    }
    cv_.notify_all();
}

void SnapshotWriter::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
            if (stopping_) return;
            job = std::move(*pending_);
            pending_.reset();
            busy_ = true;
        }
        const auto started = std::chrono::steady_clock::now();
        auto built = build(*job.state, job.blockId, std::move(job.chainRecord), policy_);
        job.state.reset();  // releases the LevelDB snapshot before the files are written
        bool written = false;
        if (!built) {
            moduleLog("statesync")->error("snapshot of height {} failed: {}", job.height, built.error());
        } else if (auto ok = store_.write(built->manifest, built->chunks); !ok) {
            moduleLog("statesync")->error("snapshot of height {} not written: {}", job.height, ok.error());
        } else {
            store_.keepNewest(policy_.keep);
            written = true;
            const auto ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
            moduleLog("statesync")
                ->info("snapshot of height {}: {} keys, {} chunks, {} bytes in {} ms", job.height, built->manifest.keys,
                       built->manifest.chunkCount(), built->manifest.bytes, ms.count());
        }
        std::lock_guard lock(mu_);
        busy_ = false;
        if (written) lastWritten_ = job.height;
    }
}

Expected<BuiltSnapshot, std::string> SnapshotWriter::build(const state::StateSnapshot& state, const Hash256& blockId,
                                                           Bytes chainRecord, const SnapshotPolicy& policy) {
    std::vector<state::StateChunkEntry> entries;
    std::uint64_t totalBytes = 0;
    state.scan({}, {}, [&](ByteSpan key, ByteSpan value) {
        entries.push_back(state::StateChunkEntry{Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end())});
        totalBytes += key.size() + value.size();
        return true;
    });
    const std::uint64_t keys = entries.size();
    unsigned depth = 0;
    while (depth < state::kChunkDepthMax && (totalBytes >> depth) > policy.targetChunkBytes) ++depth;

    for (;;) {
        state::StateChunkBuilder builder(state.version(), depth);
        for (auto& e : entries) {
            auto ok = builder.add(std::move(e.key), std::move(e.value));
            if (!ok) return Unexpected("state key not snapshottable: " + ok.error().message());
        }
        entries.clear();
        Hash256 root;
        auto chunks = std::move(builder).finish(&root);
        if (root != state.root())
            return Unexpected("chunks fold to " + root.toHex() + ", state root is " + state.root().toHex());
        BuiltSnapshot out;
        out.chunks.reserve(chunks.size());
        std::size_t largest = 0;
        for (const auto& c : chunks) {
            out.chunks.push_back(encode(c));
            largest = std::max(largest, out.chunks.back().size());
        }
        if (largest > policy.maxChunkBytes && depth < state::kChunkDepthMax) {
            // Cut deeper: take the pairs back out of the chunks.
            for (auto& c : chunks)
                for (auto& e : c.entries) entries.push_back(std::move(e));
            ++depth;
            continue;
        }
        out.manifest.height = state.version();
        out.manifest.blockId = blockId;
        out.manifest.appHash = root;
        out.manifest.depth = static_cast<std::uint8_t>(depth);
        out.manifest.keys = keys;
        for (const auto& c : out.chunks) out.manifest.bytes += c.size();
        out.manifest.chainRecord = std::move(chainRecord);
        return out;
    }
}

}  // namespace agora::node
