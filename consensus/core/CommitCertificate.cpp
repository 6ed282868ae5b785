#include "consensus/core/CommitCertificate.h"

#include "consensus/core/CodecTypes.h"

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

void CommitCertificate::encodeTo(Writer& w) const {
    w.u64(height);
    w.u32(round);
    codec::put(w, blockId);
    w.varint(signatures.size());
    for (const auto& s : signatures) {
        codec::put(w, s.validator);
        codec::put(w, s.signature);
    }
}

CommitCertificate CommitCertificate::decodeFrom(Reader& r) {
    CommitCertificate c;
    c.height = r.u64();
    if (r.ok() && c.height == 0) r.fail(CodecError::InvalidValue);
    c.round = r.u32();
    c.blockId = codec::getHash(r);
    const std::size_t n = r.count(ValidatorSet::kMaxValidators, 1);
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
        CommitSignature s;
        s.validator = codec::getPublicKey(r);
        s.signature = codec::getSignature(r);
        if (r.ok() && !c.signatures.empty() && !(c.signatures.back().validator < s.validator)) {
            r.fail(CodecError::NotSorted);
        }
        c.signatures.push_back(s);
    }
    return c;
}

}  // namespace agora
