#pragma once
// Blocks, their commit certificates, per-tx results and the tx index, in the
// node's LevelDB database (key spaces 0x10..0x15, docs/state.md, node/storage/KeySpace.h). Writes go
// into a caller's WriteBatch so a block commits atomically with its state
// changes; reads are point lookups safe from any thread.
//
//   0x10 || height            -> canonical Block bytes
//   0x11 || block id          -> height (u64)
//   0x12 || height            -> commit certificate that decided the block
//   0x13 || tx hash           -> TxLocation (height, index)
//   0x14 || height            -> the block's tx results (canonical, opaque here)
//   0x15                      -> BlockStoreMeta (base height, latest height)
//   0x17 || height || index   -> committed evidence (node/chain/EvidenceIndex.h)

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include "consensus/core/Block.h"
#include "consensus/core/CommitCertificate.h"
#include "consensus/core/Expected.h"
#include "node/chain/EvidenceIndex.h"

namespace agora::node {

struct TxLocation {
    std::uint64_t height = 0;
    std::uint32_t index = 0;
    void encodeTo(Writer& w) const {
        w.u64(height);
        w.u32(index);
    }
    static TxLocation decodeFrom(Reader& r) {
        TxLocation l;
        l.height = r.u64();
        l.index = r.u32();
        return l;
    }
    bool operator==(const TxLocation&) const = default;
};

class BlockStore {
public:
    // Reads the meta record; an error when it exists but does not decode.
    static Expected<BlockStore, std::string> open(std::shared_ptr<leveldb::DB> db);

    // Adds the block, its certificate, results and tx index entries to batch
    // and advances the in-memory latest height once `committed()` is called
    // after the batch was written. Heights must be consecutive.
    Expected<void, std::string> stage(leveldb::WriteBatch& batch, const Block& block, const CommitCertificate& commit,
                                      const Bytes& results);
    // The same with the block's encoding and its txs' hashes already at hand
    // (Application::commit), so nothing is encoded or hashed twice.
    Expected<void, std::string> stage(leveldb::WriteBatch& batch, const Block& block, ByteSpan blockBytes,
                                      const std::vector<Hash256>& txHashes, const CommitCertificate& commit,
                                      const Bytes& results);
    // Pruning (storage.retain_blocks): adds to batch, after stage() of block
    // `latest`, the removal of heights baseHeight() .. below-1, at most
    // maxHeights of them: each block, its id index entry, certificate,
    // results and its txs' index entries (the evidence index stays: it is
    // small and evidence stays listable). Never removes `latest`. Returns the
    // base height after the batch (baseHeight() when nothing is removed).
    Expected<std::uint64_t, std::string> stagePrune(leveldb::WriteBatch& batch, std::uint64_t below,
                                                    std::uint64_t maxHeights, std::uint64_t latest) const;
    // Call after the batch holding stage()'s (and stagePrune()'s) writes was
    // durably written; newBase: what stagePrune returned (0 = unchanged).
    void committed(std::uint64_t height, std::uint64_t newBase = 0);

    std::uint64_t latestHeight() const { return latest_.load(); }  // 0 = empty
    std::uint64_t baseHeight() const { return base_.load(); }

    // Heights are written by the committing thread and read by RPC threads.
    BlockStore(BlockStore&& other) noexcept
        : db_(std::move(other.db_)), base_(other.base_.load()), latest_(other.latest_.load()) {}

    std::optional<Bytes> blockBytes(std::uint64_t height) const;
    std::optional<Block> block(std::uint64_t height) const;
    std::optional<std::uint64_t> heightOf(const Hash256& blockId) const;
    std::optional<CommitCertificate> commit(std::uint64_t height) const;
    std::optional<TxLocation> txLocation(const Hash256& txHash) const;
    std::optional<Bytes> results(std::uint64_t height) const;
    // Committed evidence by inclusion height (EvidenceIndex).
    std::vector<CommittedEvidence> evidence(const EvidenceFilter& filter) const;

private:
    explicit BlockStore(std::shared_ptr<leveldb::DB> db) : db_(std::move(db)) {}
    std::optional<Bytes> get(const Bytes& key) const;

    std::shared_ptr<leveldb::DB> db_;
    std::atomic<std::uint64_t> base_{0};
    std::atomic<std::uint64_t> latest_{0};
};

}  // namespace agora::node
