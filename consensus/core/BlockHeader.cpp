#include "consensus/core/BlockHeader.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"

namespace agora {

void BlockHeader::encodeTo(Writer& w) const {
    w.u8(kHeaderVersion);
    w.string(chainId);
    w.u64(height);
    w.u64(timeMs);
    for (const Hash256* h : {&lastBlockId, &lastCommitHash, &dataHash, &validatorsHash, &nextValidatorsHash, &appHash,
                             &resultsHash, &evidenceHash})
        codec::put(w, *h);
    codec::put(w, proposer);
}

BlockHeader BlockHeader::decodeFrom(Reader& r) {
    BlockHeader h;
    if (r.u8() != kHeaderVersion && r.ok()) {
        r.fail(CodecError::UnknownTag);
        return h;
    }
    h.chainId = r.string(limits::kChainIdMax, 1);
    h.height = r.u64();
    h.timeMs = r.u64();
    for (Hash256* f : {&h.lastBlockId, &h.lastCommitHash, &h.dataHash, &h.validatorsHash, &h.nextValidatorsHash,
                       &h.appHash, &h.resultsHash, &h.evidenceHash})
        *f = codec::getHash(r);
    h.proposer = codec::getAddress(r);
    return h;
}

Hash256 merkleRoot(const std::vector<Hash256>& leaves) {
    if (leaves.empty()) return sha256({});
    std::vector<Hash256> level;
    level.reserve(leaves.size());
    for (const auto& l : leaves) {
        const std::uint8_t tag = 0x00;
        level.push_back(Sha256Hasher().update(ByteSpan(&tag, 1)).update(l.span()).finish());
    }
    while (level.size() > 1) {
        std::vector<Hash256> next;
        next.reserve((level.size() + 1) / 2);
        for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
            const std::uint8_t tag = 0x01;
            next.push_back(
                Sha256Hasher().update(ByteSpan(&tag, 1)).update(level[i].span()).update(level[i + 1].span()).finish());
        }
        if (level.size() % 2 == 1) next.push_back(level.back());
        level = std::move(next);
    }
    return level.front();
}

}  // namespace agora
