#pragma once
// A block: header, the signed txs (canonical bytes, in execution order), the
// commit certificate of the parent (absent at the chain's initial height) and
// duplicate-vote evidence. The header commits to the rest:
//
//   data_hash        = merkleRoot(SHA-256 of each tx's bytes)
//   last_commit_hash = SHA-256(canonical certificate bytes), zero when absent
//   evidence_hash    = merkleRoot(SHA-256 of each evidence's bytes)
//
//   wire form = BlockHeader || list<bytes> txs || optional<CommitCertificate>
//               || list<DuplicateVoteEvidence>

#include <optional>
#include <vector>

#include "consensus/core/BlockHeader.h"
#include "consensus/core/CommitCertificate.h"
#include "consensus/core/Evidence.h"

namespace agora {

struct Block {
    BlockHeader header;
    std::vector<Bytes> txs;
    std::optional<CommitCertificate> lastCommit;
    std::vector<DuplicateVoteEvidence> evidence;

    Hash256 id() const { return header.id(); }
    Hash256 computeDataHash() const;
    // The data hash from the txs' hashes (txHash of each, in block order),
    // for callers that already hold them.
    static Hash256 dataHashOf(const std::vector<Hash256>& txHashes);
    Hash256 computeLastCommitHash() const;
    Hash256 computeEvidenceHash() const;
    // Sets the three content hashes in the header from the content.
    void sealContentHashes();
    void sealContentHashes(const std::vector<Hash256>& txHashes);
    // True when the header's content hashes match the content.
    bool contentMatchesHeader() const;
    bool contentMatchesHeader(const std::vector<Hash256>& txHashes) const;

    AGORA_CODEC_FIELDS_DECL(Block);
    bool operator==(const Block&) const = default;
};

// Decodes a block from wire bytes, enforcing kBlockBytesMax and canonical form.
Expected<Block, DecodeError> decodeBlock(ByteSpan bytes);

}  // namespace agora
