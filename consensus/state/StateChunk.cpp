#include "consensus/state/StateChunk.h"

#include <algorithm>
#include <cassert>

#include "consensus/core/CodecTypes.h"
#include "consensus/state/TreeHash.h"

namespace agora::state {

SubtreeSummary SubtreeSummary::leaf(const Hash256& keyHash, const Hash256& valueHash) {
    SubtreeSummary s;
    s.kind = NodeKind::Leaf;
    s.keyHash = keyHash;
    s.valueHash = valueHash;
    return s;
}

SubtreeSummary SubtreeSummary::internal(const Hash256& hash) {
    SubtreeSummary s;
    s.kind = NodeKind::Internal;
    s.nodeHash = hash;
    return s;
}

Hash256 SubtreeSummary::hash() const {
    switch (kind) {
        case NodeKind::Empty:
            return treeEmptyHash();
        case NodeKind::Leaf:
            return treeLeafHash(keyHash, valueHash);
        case NodeKind::Internal:
            return nodeHash;
    }
    return treeEmptyHash();
}

void SubtreeSummary::encodeTo(Writer& w) const {
    w.u8(static_cast<std::uint8_t>(kind));
    switch (kind) {
        case NodeKind::Empty:
            break;
        case NodeKind::Leaf:
            codec::put(w, keyHash);
            codec::put(w, valueHash);
            break;
        case NodeKind::Internal:
            codec::put(w, nodeHash);
            break;
    }
}

SubtreeSummary SubtreeSummary::decodeFrom(Reader& r) {
    SubtreeSummary s;
    const std::uint8_t k = r.u8();
    if (!r.ok()) return s;
    switch (k) {
        case static_cast<std::uint8_t>(NodeKind::Empty):
            return s;
        case static_cast<std::uint8_t>(NodeKind::Leaf):
            s.kind = NodeKind::Leaf;
            s.keyHash = codec::getHash(r);
            s.valueHash = codec::getHash(r);
            return s;
        case static_cast<std::uint8_t>(NodeKind::Internal):
            s.kind = NodeKind::Internal;
            s.nodeHash = codec::getHash(r);
            return s;
        default:
            r.fail(CodecError::InvalidEnum);
            return s;
    }
}

SubtreeSummary combineSubtrees(const SubtreeSummary& left, const SubtreeSummary& right) {
    if (right.kind == NodeKind::Empty && left.kind != NodeKind::Internal) return left;
    if (left.kind == NodeKind::Empty && right.kind == NodeKind::Leaf) return right;
    return SubtreeSummary::internal(treeInternalHash(left.hash(), right.hash()));
}

SubtreeSummary summarizeSubtree(unsigned depth, std::span<const LeafHashes> leaves) {
    if (leaves.empty()) return SubtreeSummary::empty();
    if (leaves.size() == 1) return SubtreeSummary::leaf(leaves.front().keyHash, leaves.front().valueHash);
    // Distinct key hashes differ in some bit below 256.
    assert(depth < kTreeMaxDepth);
    const auto mid = std::partition_point(leaves.begin(), leaves.end(),
                                          [depth](const LeafHashes& l) { return !treeBit(l.keyHash, depth); });
    const auto split = static_cast<std::size_t>(mid - leaves.begin());
    return combineSubtrees(summarizeSubtree(depth + 1, leaves.first(split)),
                           summarizeSubtree(depth + 1, leaves.subspan(split)));
}

std::uint32_t chunkIndexOf(const Hash256& keyHash, unsigned depth) {
    std::uint32_t index = 0;
    for (unsigned d = 0; d < depth; ++d) index = (index << 1U) | (treeBit(keyHash, d) ? 1U : 0U);
    return index;
}

void StateChunk::encodeTo(Writer& w) const {
    w.u8(kFormat);
    w.u64(height);
    w.u8(depth);
    w.u32(index);
    w.varint(entries.size());
    for (const auto& e : entries) {
        w.bytes(e.key);
        w.bytes(e.value);
    }
    w.varint(siblings.size());
    for (const auto& s : siblings) s.encodeTo(w);
}

StateChunk StateChunk::decodeFrom(Reader& r) {
    StateChunk c;
    const std::uint8_t format = r.u8();
    if (r.ok() && format != kFormat) {
        r.fail(CodecError::UnknownTag);
        return c;
    }
    c.height = r.u64();
    c.depth = r.u8();
    if (r.ok() && c.depth > kChunkDepthMax) {
        r.fail(CodecError::InvalidValue);
        return c;
    }
    c.index = r.u32();
    if (r.ok() && c.index >= (std::uint32_t{1} << c.depth)) {
        r.fail(CodecError::InvalidValue);
        return c;
    }
    const std::size_t n = r.count(kChunkEntriesMax);
    if (!r.ok()) return c;
    // Never reserve from an unchecked count: each entry takes two bytes at least.
    c.entries.reserve(std::min(n, r.remaining() / 2));
    Hash256 previous;
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
        StateChunkEntry e;
        e.key = r.bytes(kChunkKeyMax);
        e.value = r.bytes(kTreeValueMax);
        if (!r.ok()) return c;
        const Hash256 kh = sha256(e.key);
        if (i > 0 && !(previous < kh)) {
            r.fail(CodecError::NotSorted);
            return c;
        }
        previous = kh;
        c.entries.push_back(std::move(e));
    }
    const std::size_t s = r.count(c.depth, c.depth);
    for (std::size_t i = 0; i < s && r.ok(); ++i) c.siblings.push_back(SubtreeSummary::decodeFrom(r));
    return c;
}

std::string_view errorName(ChunkErrorCode c) {
    switch (c) {
        case ChunkErrorCode::WrongHeight:
            return "chunk of another height";
        case ChunkErrorCode::WrongLayout:
            return "chunk layout mismatch";
        case ChunkErrorCode::EntriesNotSorted:
            return "chunk entries not sorted";
        case ChunkErrorCode::EntryOutsideChunk:
            return "chunk entry outside its subtree";
        case ChunkErrorCode::SiblingOutsidePath:
            return "chunk sibling outside its subtree";
        case ChunkErrorCode::RootMismatch:
            return "chunk does not match the app hash";
        case ChunkErrorCode::EntryTooLarge:
            return "chunk entry too large";
    }
    return "unknown chunk error";
}

namespace {

Unexpected<ChunkError> chunkError(ChunkErrorCode code, std::string detail) {
    return Unexpected(ChunkError{code, std::move(detail)});
}

}  // namespace

Expected<void, ChunkError> verifyStateChunk(const ChunkRequest& want, const StateChunk& chunk) {
    if (chunk.height != want.height)
        return chunkError(ChunkErrorCode::WrongHeight, "chunk is of height " + std::to_string(chunk.height) +
                                                           ", restoring height " + std::to_string(want.height));
    if (chunk.depth != want.depth || chunk.index != want.index || chunk.depth > kChunkDepthMax ||
        chunk.index >= (std::uint32_t{1} << chunk.depth) || chunk.siblings.size() != chunk.depth)
        return chunkError(ChunkErrorCode::WrongLayout,
                          "chunk " + std::to_string(chunk.index) + " at depth " + std::to_string(chunk.depth) +
                              " with " + std::to_string(chunk.siblings.size()) + " siblings, wanted chunk " +
                              std::to_string(want.index) + " at depth " + std::to_string(want.depth));
    const unsigned depth = chunk.depth;

    std::vector<LeafHashes> leaves;
    leaves.reserve(chunk.entries.size());
    for (std::size_t i = 0; i < chunk.entries.size(); ++i) {
        const auto& e = chunk.entries[i];
        if (e.key.size() > kChunkKeyMax || e.value.size() > kTreeValueMax)
            return chunkError(ChunkErrorCode::EntryTooLarge, "entry " + std::to_string(i));
        const Hash256 kh = sha256(e.key);
        if (chunkIndexOf(kh, depth) != chunk.index)
            return chunkError(ChunkErrorCode::EntryOutsideChunk, "entry " + std::to_string(i) + " has key hash " +
                                                                     kh.toHex() + ", outside chunk " +
                                                                     std::to_string(chunk.index));
        if (!leaves.empty() && !(leaves.back().keyHash < kh))
            return chunkError(ChunkErrorCode::EntriesNotSorted, "entry " + std::to_string(i));
        leaves.push_back(LeafHashes{kh, sha256(e.value)});
    }

    SubtreeSummary cur = summarizeSubtree(depth, leaves);
    for (unsigned d = depth; d >= 1; --d) {
        const SubtreeSummary& sib = chunk.siblings[d - 1];
        const std::uint32_t node = chunk.index >> (depth - d);  // the path node at depth d
        // A lone leaf claimed for the sibling subtree must be in it: otherwise
        // a pair of this chunk could be passed off as a sibling's and dropped.
        if (sib.kind == NodeKind::Leaf && chunkIndexOf(sib.keyHash, d) != (node ^ 1U))
            return chunkError(ChunkErrorCode::SiblingOutsidePath, "sibling at depth " + std::to_string(d));
        cur = (node & 1U) != 0 ? combineSubtrees(sib, cur) : combineSubtrees(cur, sib);
    }
    const Hash256 root = cur.hash();
    if (root != want.appHash)
        return chunkError(ChunkErrorCode::RootMismatch, "chunk " + std::to_string(chunk.index) + " folds to " +
                                                            root.toHex() + ", app hash is " + want.appHash.toHex());
    return {};
}

ChunkSummaryTree::ChunkSummaryTree(unsigned depth, std::vector<SubtreeSummary> chunkSummaries) : depth_(depth) {
    assert(depth <= kChunkDepthMax && chunkSummaries.size() == (std::size_t{1} << depth));
    levels_.resize(depth + 1);
    levels_[depth] = std::move(chunkSummaries);
    for (unsigned d = depth; d-- > 0;) {
        const auto& below = levels_[d + 1];
        auto& here = levels_[d];
        here.reserve(below.size() / 2);
        for (std::size_t i = 0; i < below.size(); i += 2) here.push_back(combineSubtrees(below[i], below[i + 1]));
    }
}

std::vector<SubtreeSummary> ChunkSummaryTree::siblingsOf(std::uint32_t index) const {
    std::vector<SubtreeSummary> out;
    out.reserve(depth_);
    for (unsigned d = 1; d <= depth_; ++d) out.push_back(levels_[d][(index >> (depth_ - d)) ^ 1U]);
    return out;
}

StateChunkBuilder::StateChunkBuilder(std::uint64_t height, unsigned depth)
    : height_(height), depth_(depth), buckets_(std::size_t{1} << depth) {
    assert(depth <= kChunkDepthMax);
}

Expected<void, ChunkError> StateChunkBuilder::add(Bytes key, Bytes value) {
    if (key.size() > kChunkKeyMax || value.size() > kTreeValueMax)
        return chunkError(ChunkErrorCode::EntryTooLarge, "key of " + std::to_string(key.size()) + " bytes, value of " +
                                                             std::to_string(value.size()) + " bytes");
    const Hash256 kh = sha256(key);
    buckets_[chunkIndexOf(kh, depth_)].emplace_back(kh, StateChunkEntry{std::move(key), std::move(value)});
    return {};
}

std::vector<StateChunk> StateChunkBuilder::finish(Hash256* root) && {
    std::vector<StateChunk> chunks(buckets_.size());
    std::vector<SubtreeSummary> summaries(buckets_.size());
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        auto& bucket = buckets_[i];
        std::sort(bucket.begin(), bucket.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<LeafHashes> leaves;
        leaves.reserve(bucket.size());
        auto& chunk = chunks[i];
        chunk.height = height_;
        chunk.depth = static_cast<std::uint8_t>(depth_);
        chunk.index = static_cast<std::uint32_t>(i);
        chunk.entries.reserve(bucket.size());
        for (auto& [kh, entry] : bucket) {
            leaves.push_back(LeafHashes{kh, sha256(entry.value)});
            chunk.entries.push_back(std::move(entry));
        }
        bucket.clear();
        summaries[i] = summarizeSubtree(depth_, leaves);
    }
    const ChunkSummaryTree tree(depth_, std::move(summaries));
    for (auto& chunk : chunks) chunk.siblings = tree.siblingsOf(chunk.index);
    if (root != nullptr) *root = tree.root().hash();
    return chunks;
}

}  // namespace agora::state
