#pragma once
// Block header. Block id = SHA-256 of the canonical header bytes.
//
// app_hash is the state root AFTER applying this block's transactions (the
// proposer executes before proposing and validators re-execute before
// voting), so a committed header directly authenticates the state it
// describes: a query proof at height h verifies against header h.

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"

namespace agora {

inline constexpr std::uint8_t kHeaderVersion = 1;

struct BlockHeader {
    std::string chainId;
    std::uint64_t height = 0;
    std::uint64_t timeMs = 0;    // proposer's time, Unix ms; strictly increasing with height
    Hash256 lastBlockId;         // zero at height 1
    Hash256 lastCommitHash;      // hash of the parent's commit certificate bytes
    Hash256 dataHash;            // merkleRoot of the tx hashes
    Hash256 validatorsHash;      // validator set that signs this block
    Hash256 nextValidatorsHash;  // validator set for the next height
    Hash256 appHash;             // state root after this block
    Hash256 resultsHash;         // merkleRoot of per-tx result digests
    Hash256 evidenceHash;        // merkleRoot of evidence hashes
    Address proposer;            // operator address of the proposer

    Hash256 id() const { return sha256(encode(*this)); }

    AGORA_CODEC_FIELDS_DECL(BlockHeader);
    bool operator==(const BlockHeader&) const = default;
};

// Binary Merkle root over leaf hashes (RFC 6962 shape): leaf = SHA-256(0x00 || h),
// node = SHA-256(0x01 || left || right), an odd last node is promoted as is;
// the root of an empty list is SHA-256 of nothing.
Hash256 merkleRoot(const std::vector<Hash256>& leaves);

}  // namespace agora
