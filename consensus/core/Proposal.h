#pragma once
// A proposer's block proposal for one (height, round), and its canonical
// sign-bytes (docs/consensus.md, "Sign-bytes").
//
//   payload   = u64 height || u32 round || optional<u32> pol_round || Hash256 block_id
//   digest    = signDigest(domain::kProposal, chain_id, payload)
//   wire form = payload || proposer key (32) || bytes block || signature (64)
//
// The block is opaque to consensus; the application checks that block_id
// identifies the block bytes when it validates the proposal. pol_round (the
// proof-of-lock round) is present only when the proposer re-proposes a value
// it saw > 2/3 prevotes for, and is then strictly below round.

#include <cstdint>
#include <optional>
#include <string_view>

#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/Limits.h"
#include "consensus/core/PublicKey.h"

namespace agora {

struct Proposal {
    // Upper bound on the opaque block bytes a proposal may carry: the block
    // limit (one size budget, docs/consensus.md "Size budget").
    static constexpr std::size_t kBlockBytesMax = limits::kBlockBytesMax;
    // Upper bound on a whole encoded proposal: payload (height, round,
    // pol_round, block id), proposer, the block's length prefix and bytes,
    // signature.
    static constexpr std::size_t kEncodedBytesMax = 8 + 4 + 5 + 32 + 32 + 5 + kBlockBytesMax + 64;

    std::uint64_t height = 0;
    std::uint32_t round = 0;
    std::optional<std::uint32_t> polRound;
    Hash256 blockId;
    PublicKey proposer;
    Bytes block;
    Signature signature;

    Bytes signPayload() const;
    Hash256 signDigest(std::string_view chainId) const;
    bool verifySignature(std::string_view chainId) const;

    AGORA_CODEC_FIELDS_DECL(Proposal);
    bool operator==(const Proposal&) const = default;
};

}  // namespace agora
