#pragma once
// A validator's prevote or precommit for one (height, round), and its
// canonical sign-bytes (docs/consensus.md, "Sign-bytes").
//
//   payload   = u64 height || u32 round || u8 type || optional<Hash256> block_id
//   digest    = signDigest(domain::kVote, chain_id, payload)
//   wire form = payload || validator key (32) || signature (64)
//
// A missing block id is a vote for nil. Decoding rejects height 0, unknown
// vote types and every non-canonical form the codec rejects.

#include <cstdint>
#include <optional>
#include <string_view>

#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"

namespace agora {

// Stable numeric values: they are signed.
enum class VoteType : std::uint8_t {
    Prevote = 1,
    Precommit = 2,
};

std::string_view voteTypeName(VoteType t);

struct Vote {
    VoteType type = VoteType::Prevote;
    std::uint64_t height = 0;
    std::uint32_t round = 0;
    std::optional<Hash256> blockId;  // nullopt = nil
    PublicKey validator;
    Signature signature;

    // The canonical bytes covered by the signature (without key and signature).
    Bytes signPayload() const;
    Hash256 signDigest(std::string_view chainId) const;
    // True when signature is a valid BIP-340 signature by validator.
    bool verifySignature(std::string_view chainId) const;

    AGORA_CODEC_FIELDS_DECL(Vote);
    bool operator==(const Vote&) const = default;
};

}  // namespace agora
