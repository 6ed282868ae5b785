#include "node/chain/EvidenceIndex.h"

#include <memory>

#include "node/storage/KeySpace.h"

namespace agora::node {

namespace {

leveldb::Slice slice(const Bytes& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

constexpr std::size_t kKeySize = 1 + 8 + 4;

Bytes indexKey(std::uint64_t height, std::uint32_t index) {
    Writer w;
    w.u8(keyspace::kEvidenceByHeight);
    w.u64(height);
    w.u32(index);
    return w.take();
}

}  // namespace

void stageEvidenceIndex(leveldb::WriteBatch& batch, const Block& block) {
    for (std::size_t i = 0; i < block.evidence.size(); ++i) {
        const Bytes value = encode(block.evidence[i]);
        batch.Put(slice(indexKey(block.header.height, static_cast<std::uint32_t>(i))), slice(value));
    }
}

std::vector<CommittedEvidence> listCommittedEvidence(leveldb::DB& db, const EvidenceFilter& filter) {
    std::vector<CommittedEvidence> out;
    if (filter.limit == 0) return out;
    std::unique_ptr<leveldb::Iterator> it(db.NewIterator(leveldb::ReadOptions()));
    for (it->Seek(slice(indexKey(filter.minHeight, 0))); it->Valid(); it->Next()) {
        const auto k = it->key();
        if (k.empty() || static_cast<std::uint8_t>(k[0]) != keyspace::kEvidenceByHeight) break;
        if (k.size() != kKeySize) continue;
        Reader kr(ByteSpan(reinterpret_cast<const std::uint8_t*>(k.data()), k.size()));
        (void)kr.u8();
        CommittedEvidence e;
        e.height = kr.u64();
        e.index = kr.u32();
        if (filter.maxHeight != 0 && e.height > filter.maxHeight) break;
        const auto v = it->value();
        Reader vr(ByteSpan(reinterpret_cast<const std::uint8_t*>(v.data()), v.size()));
        e.evidence = DuplicateVoteEvidence::decodeFrom(vr);
        vr.expectEnd();
        if (!kr.ok() || !vr.ok()) continue;
        if (filter.validator && e.evidence.validator() != *filter.validator) continue;
        out.push_back(std::move(e));
        if (out.size() >= filter.limit) break;
    }
    return out;
}

}  // namespace agora::node
