#include "consensus/core/Block.h"

#include "consensus/core/Fields.h"
#include "consensus/core/Limits.h"
#include "consensus/core/Tx.h"
#include "consensus/core/ValidatorSet.h"

namespace agora {

namespace {
// The worst case of a block's bytes other than its txs' own: must fit the
// envelope allowance, or a block of kBlockTxBytesMax tx bytes could exceed
// kBlockBytesMax (docs/consensus.md, "Size budget").
constexpr std::size_t kVarintMax = 5;  // a u32 length or count
constexpr std::size_t kHeaderBytesMax = 1 + kVarintMax + limits::kChainIdMax + 8 + 8 + 8 * 32 + 20;
constexpr std::size_t kVoteBytesMax = 8 + 4 + 1 + 1 + 32 + 32 + 64;
constexpr std::size_t kCertificateBytesMax = 8 + 4 + 32 + kVarintMax + ValidatorSet::kMaxValidators * (32 + 64);
constexpr std::size_t kEnvelopeWorstCase = kHeaderBytesMax + kVarintMax + limits::kBlockTxsMax * kVarintMax + 1 +
                                           kCertificateBytesMax + kVarintMax +
                                           limits::kBlockEvidenceMax * 2 * kVoteBytesMax;
static_assert(kEnvelopeWorstCase <= limits::kBlockEnvelopeBytesMax,
              "the block envelope allowance does not cover the worst-case header, prefixes, certificate and evidence");
}  // namespace

Hash256 Block::computeDataHash() const {
    std::vector<Hash256> leaves;
    leaves.reserve(txs.size());
    for (const auto& tx : txs) leaves.push_back(txHash(tx));
    return merkleRoot(leaves);
}

Hash256 Block::dataHashOf(const std::vector<Hash256>& txHashes) {
    return merkleRoot(txHashes);
}

Hash256 Block::computeLastCommitHash() const {
    return lastCommit ? sha256(encode(*lastCommit)) : Hash256{};
}

Hash256 Block::computeEvidenceHash() const {
    std::vector<Hash256> leaves;
    leaves.reserve(evidence.size());
    for (const auto& e : evidence) leaves.push_back(sha256(encode(e)));
    return merkleRoot(leaves);
}

void Block::sealContentHashes() {
    header.dataHash = computeDataHash();
    header.lastCommitHash = computeLastCommitHash();
    header.evidenceHash = computeEvidenceHash();
}

void Block::sealContentHashes(const std::vector<Hash256>& txHashes) {
    header.dataHash = dataHashOf(txHashes);
    header.lastCommitHash = computeLastCommitHash();
    header.evidenceHash = computeEvidenceHash();
}

bool Block::contentMatchesHeader() const {
    return header.dataHash == computeDataHash() && header.lastCommitHash == computeLastCommitHash() &&
           header.evidenceHash == computeEvidenceHash();
}

bool Block::contentMatchesHeader(const std::vector<Hash256>& txHashes) const {
    return txHashes.size() == txs.size() && header.dataHash == dataHashOf(txHashes) &&
           header.lastCommitHash == computeLastCommitHash() && header.evidenceHash == computeEvidenceHash();
}

AGORA_CODEC_FIELDS(Block)
template <typename IO, typename Self>
void Block::fields(IO& io, Self& m) {
    io(m.header, codec::list(m.txs, {limits::kBlockTxsMax, 0}, {limits::kTxBytesMax, 1}), m.lastCommit,
       codec::list(m.evidence, limits::kBlockEvidenceMax));
}

Expected<Block, DecodeError> decodeBlock(ByteSpan bytes) {
    if (bytes.size() > limits::kBlockBytesMax) return Unexpected(DecodeError{CodecError::LengthTooLong, 0});
    return decode<Block>(bytes);
}

}  // namespace agora
