#pragma once
// Evidence that one validator signed two different votes for the same
// (height, round, type). Honest validators never do (their signer refuses),
// so valid evidence proves misbehaviour and the application may punish it.
//
//   wire form = Vote first || Vote second
//
// Canonical order: first.blockId < second.blockId, where nil sorts before any
// block id. Decoding rejects evidence whose votes do not form a duplicate
// (different validator, height, round or type, or equal block ids) or are out
// of order; signatures are checked by verify(), which needs the chain id.

#include <cstdint>
#include <string_view>

#include "consensus/core/Codec.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Vote.h"

namespace agora {

// Stable numeric codes; never renumber.
enum class EvidenceError : std::uint8_t {
    NotDuplicate = 1,  // votes differ in validator/height/round/type or have the same block id
    NotOrdered = 2,    // first.blockId is not below second.blockId
    BadSignature = 3,  // a vote's signature does not verify
};

std::string_view errorName(EvidenceError e);

struct DuplicateVoteEvidence {
    Vote first;
    Vote second;

    // Orders two conflicting votes canonically; an error unless they conflict.
    static Expected<DuplicateVoteEvidence, EvidenceError> make(const Vote& a, const Vote& b);
    // Structure and both signatures.
    Expected<void, EvidenceError> verify(std::string_view chainId) const;
    const PublicKey& validator() const { return first.validator; }

    AGORA_CODEC_FIELDS_DECL(DuplicateVoteEvidence);
    bool operator==(const DuplicateVoteEvidence&) const = default;
};

}  // namespace agora
