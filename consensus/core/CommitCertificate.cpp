#include "consensus/core/CommitCertificate.h"

#include "consensus/core/Fields.h"

namespace agora {

std::string_view errorName(CertificateError e) {
    switch (e) {
        case CertificateError::WrongHeight:
            return "certificate for another height";
        case CertificateError::UnknownSigner:
            return "signer not in the validator set";
        case CertificateError::BadSignature:
            return "invalid precommit signature";
        case CertificateError::NoQuorum:
            return "signers hold no more than 2/3 of the power";
        case CertificateError::NotSorted:
            return "signers not strictly increasing";
    }
    return "unknown certificate error";
}

Vote CommitCertificate::precommitOf(std::size_t i) const {
    Vote v;
    v.type = VoteType::Precommit;
    v.height = height;
    v.round = round;
    v.blockId = blockId;
    v.validator = signatures[i].validator;
    v.signature = signatures[i].signature;
    return v;
}

Expected<void, CertificateError> CommitCertificate::verify(std::string_view chainId, std::uint64_t expectedHeight,
                                                           const ValidatorSet& set) const {
    if (height != expectedHeight) return Unexpected(CertificateError::WrongHeight);
    std::uint64_t power = 0;
    for (std::size_t i = 0; i < signatures.size(); ++i) {
        if (i > 0 && !(signatures[i - 1].validator < signatures[i].validator)) {
            return Unexpected(CertificateError::NotSorted);
        }
        const std::uint64_t p = set.powerOf(signatures[i].validator);
        if (p == 0) return Unexpected(CertificateError::UnknownSigner);
        if (!precommitOf(i).verifySignature(chainId)) return Unexpected(CertificateError::BadSignature);
        power += p;  // total <= kMaxTotalPower, cannot overflow
    }
    if (!set.isQuorum(power)) return Unexpected(CertificateError::NoQuorum);
    return {};
}

namespace {
struct SignerKey {
    const PublicKey& operator()(const CommitSignature& s) const { return s.validator; }
};
}  // namespace

AGORA_CODEC_FIELDS(CommitSignature)
template <typename IO, typename Self>
void CommitSignature::fields(IO& io, Self& m) {
    io(m.validator, m.signature);
}

AGORA_CODEC_FIELDS(CommitCertificate)
template <typename IO, typename Self>
void CommitCertificate::fields(IO& io, Self& m) {
    io(m.height);
    io.check(m.height != 0, CodecError::InvalidValue);
    // Signers strictly increasing, checked as each arrives.
    io(m.round, m.blockId,
       codec::sortedList(m.signatures, codec::Bounds{ValidatorSet::kMaxValidators, 1}, SignerKey{},
                         codec::SortCheck::EachElement));
}

}  // namespace agora
