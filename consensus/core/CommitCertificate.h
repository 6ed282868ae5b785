#pragma once
// Proof that a block was decided: precommits for (height, round, block_id)
// from validators holding more than 2/3 of the voting power of that height.
// Block h+1 carries the certificate of block h.
//
//   wire form = u64 height || u32 round || Hash256 block_id
//               || list<PublicKey validator || Signature signature>
//
// Each signature is over the precommit sign-bytes (Vote.h) of
// (height, round, Precommit, block_id). Signers are strictly increasing by key,
// so one certificate has exactly one encoding.

#include <cstdint>
#include <string_view>
#include <vector>

#include "consensus/core/Codec.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/ValidatorSet.h"
#include "consensus/core/Vote.h"

namespace agora {

// Stable numeric codes; never renumber.
enum class CertificateError : std::uint8_t {
    WrongHeight = 1,
    UnknownSigner = 2,
    BadSignature = 3,
    NoQuorum = 4,
    NotSorted = 5,
};

std::string_view errorName(CertificateError e);

struct CommitSignature {
    PublicKey validator;
    Signature signature;
    AGORA_CODEC_FIELDS_DECL(CommitSignature);
    bool operator==(const CommitSignature&) const = default;
};

struct CommitCertificate {
    std::uint64_t height = 0;
    std::uint32_t round = 0;
    Hash256 blockId;
    std::vector<CommitSignature> signatures;  // strictly increasing by validator

    // The precommit that signer i signed.
    Vote precommitOf(std::size_t i) const;
    // Checks height, membership, order, every signature and > 2/3 power of set.
    Expected<void, CertificateError> verify(std::string_view chainId, std::uint64_t expectedHeight,
                                            const ValidatorSet& set) const;

    AGORA_CODEC_FIELDS_DECL(CommitCertificate);
    bool operator==(const CommitCertificate&) const = default;
};

}  // namespace agora
