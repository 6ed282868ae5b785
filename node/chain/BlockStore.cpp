#include "node/chain/BlockStore.h"
#include "node/chain/RestoredBase.h"

#include <algorithm>

#include "consensus/core/Tx.h"
#include "node/chain/EvidenceIndex.h"
#include "node/storage/KeySpace.h"

namespace agora::node {

namespace {
using keyspace::kBlockByHeight;
using keyspace::kCommitByHeight;
using keyspace::kHeightByHash;
using keyspace::kResultsByHeight;
using keyspace::kTxIndex;
constexpr std::uint8_t kMeta = keyspace::kBlockMeta;

Bytes key(std::uint8_t space, std::uint64_t height) {
    Writer w;
    w.u8(space);
    w.u64(height);
    return w.take();
}

Bytes key(std::uint8_t space, const Hash256& h) {
    Writer w;
    w.u8(space);
    w.fixed(h.bytes());
    return w.take();
}

leveldb::Slice slice(ByteSpan b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Bytes metaValue(std::uint64_t base, std::uint64_t latest) {
    Writer w;
    w.u64(base);
    w.u64(latest);
    return w.take();
}

// The keys every stored block has, in both ways a block enters the store
// (a commit, or a state-sync base): the block, its height by id, its
// certificate (checked to decide it) and the evidence it carries.
Expected<void, std::string> stageBlockKeys(leveldb::WriteBatch& batch, const Block& block, ByteSpan bytes,
                                           const CommitCertificate& commit) {
    const std::uint64_t h = block.header.height;
    if (commit.height != h || commit.blockId != block.id())
        return Unexpected("block store: certificate does not decide block " + std::to_string(h));
    batch.Put(slice(key(kBlockByHeight, h)), slice(bytes));
    Writer hw;
    hw.u64(h);
    batch.Put(slice(key(kHeightByHash, block.id())), slice(hw.data()));
    const Bytes certBytes = encode(commit);
    batch.Put(slice(key(kCommitByHeight, h)), slice(certBytes));
    stageEvidenceIndex(batch, block);
    return {};
}
}  // namespace

Expected<BlockStore, std::string> BlockStore::open(std::shared_ptr<leveldb::DB> db) {
    BlockStore store(std::move(db));
    if (auto meta = store.get(Bytes(1, kMeta))) {
        Reader r(*meta);
        store.base_ = r.u64();
        store.latest_ = r.u64();
        r.expectEnd();
        if (!r.ok()) return Unexpected(std::string("block store: corrupt meta record: ") + r.error()->message());
    }
    return store;
}

std::optional<Bytes> BlockStore::get(const Bytes& k) const {
    std::string value;
    const auto s = db_->Get(leveldb::ReadOptions(), slice(k), &value);
    if (!s.ok()) return std::nullopt;
    return Bytes(value.begin(), value.end());
}

Expected<void, std::string> BlockStore::stage(leveldb::WriteBatch& batch, const Block& block,
                                              const CommitCertificate& commit, const Bytes& results) {
    std::vector<Hash256> hashes;
    hashes.reserve(block.txs.size());
    for (const auto& tx : block.txs) hashes.push_back(txHash(tx));
    return stage(batch, block, encode(block), hashes, commit, results);
}

Expected<void, std::string> BlockStore::stage(leveldb::WriteBatch& batch, const Block& block, ByteSpan bytes,
                                              const std::vector<Hash256>& txHashes, const CommitCertificate& commit,
                                              const Bytes& results) {
    const std::uint64_t h = block.header.height;
    if (txHashes.size() != block.txs.size())
        return Unexpected("block store: " + std::to_string(txHashes.size()) + " tx hashes for " +
                          std::to_string(block.txs.size()) + " txs");
    if (latest_ != 0 && h != latest_ + 1)
        return Unexpected("block store: height " + std::to_string(h) + " does not follow " + std::to_string(latest_));
    if (auto staged = stageBlockKeys(batch, block, bytes, commit); !staged) return staged;
    for (std::size_t i = 0; i < block.txs.size(); ++i) {
        const Bytes loc = encode(TxLocation{h, static_cast<std::uint32_t>(i)});
        batch.Put(slice(key(kTxIndex, txHashes[i])), slice(loc));
    }
    batch.Put(slice(key(kResultsByHeight, h)), slice(results));
    batch.Put(slice(Bytes(1, kMeta)), slice(metaValue(latest_ == 0 ? h : base_.load(), h)));
    return {};
}

Expected<void, std::string> stageRestoredBase(const BlockStore& store, leveldb::WriteBatch& batch, const Block& block,
                                              const CommitCertificate& commit) {
    const std::uint64_t h = block.header.height;
    if (store.latestHeight() != 0) return Unexpected(std::string("block store: a restored base needs an empty store"));
    if (auto staged = stageBlockKeys(batch, block, encode(block), commit); !staged) return staged;
    batch.Put(slice(Bytes(1, kMeta)), slice(metaValue(h, h)));
    return {};
}

Expected<std::uint64_t, std::string> BlockStore::stagePrune(leveldb::WriteBatch& batch, std::uint64_t below,
                                                            std::uint64_t maxHeights, std::uint64_t latest) const {
    const std::uint64_t base = base_.load();
    if (base == 0 || latest == 0) return base;  // nothing stored before this block
    below = std::min(below, latest);            // the latest block always stays
    if (below <= base) return base;
    const std::uint64_t end = below - base > maxHeights ? base + maxHeights : below;
    for (std::uint64_t h = base; h < end; ++h) {
        auto raw = blockBytes(h);
        if (!raw)
            return Unexpected("block store: block " + std::to_string(h) + " is missing above base " +
                              std::to_string(base) + ", cannot prune");
        auto block = decodeBlock(*raw);
        if (!block) return Unexpected("block store: stored block " + std::to_string(h) + " does not decode");
        for (const auto& tx : block->txs) batch.Delete(slice(key(kTxIndex, txHash(tx))));
        batch.Delete(slice(key(kHeightByHash, block->id())));
        batch.Delete(slice(key(kBlockByHeight, h)));
        batch.Delete(slice(key(kCommitByHeight, h)));
        batch.Delete(slice(key(kResultsByHeight, h)));
    }
    batch.Put(slice(Bytes(1, kMeta)), slice(metaValue(end, latest)));
    return end;
}

void BlockStore::committed(std::uint64_t height, std::uint64_t newBase) {
    if (latest_ == 0) base_ = height;
    if (newBase != 0) base_ = newBase;
    latest_ = height;
}

std::vector<CommittedEvidence> BlockStore::evidence(const EvidenceFilter& filter) const {
    return listCommittedEvidence(*db_, filter);
}

std::optional<Bytes> BlockStore::blockBytes(std::uint64_t height) const {
    return get(key(kBlockByHeight, height));
}

std::optional<Block> BlockStore::block(std::uint64_t height) const {
    auto raw = blockBytes(height);
    if (!raw) return std::nullopt;
    auto b = decodeBlock(*raw);
    if (!b) return std::nullopt;
    return std::move(*b);
}

std::optional<std::uint64_t> BlockStore::heightOf(const Hash256& blockId) const {
    auto raw = get(key(kHeightByHash, blockId));
    if (!raw) return std::nullopt;
    Reader r(*raw);
    const std::uint64_t h = r.u64();
    r.expectEnd();
    if (!r.ok()) return std::nullopt;
    return h;
}

std::optional<CommitCertificate> BlockStore::commit(std::uint64_t height) const {
    auto raw = get(key(kCommitByHeight, height));
    if (!raw) return std::nullopt;
    auto c = decode<CommitCertificate>(*raw);
    if (!c) return std::nullopt;
    return std::move(*c);
}

std::optional<TxLocation> BlockStore::txLocation(const Hash256& txHash) const {
    auto raw = get(key(kTxIndex, txHash));
    if (!raw) return std::nullopt;
    auto l = decode<TxLocation>(*raw);
    if (!l) return std::nullopt;
    return *l;
}

std::optional<Bytes> BlockStore::results(std::uint64_t height) const {
    return get(key(kResultsByHeight, height));
}

}  // namespace agora::node
