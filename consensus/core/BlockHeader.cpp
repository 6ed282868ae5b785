#include "consensus/core/BlockHeader.h"

#include "consensus/core/Fields.h"
#include "consensus/core/Limits.h"

namespace agora {

AGORA_CODEC_FIELDS(BlockHeader)
template <typename IO, typename Self>
void BlockHeader::fields(IO& io, Self& m) {
    io(codec::tag(kHeaderVersion), codec::limited(m.chainId, limits::kChainIdMax, 1), m.height, m.timeMs, m.lastBlockId,
       m.lastCommitHash, m.dataHash, m.validatorsHash, m.nextValidatorsHash, m.appHash, m.resultsHash, m.evidenceHash,
       m.proposer);
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
