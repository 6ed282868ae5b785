#include "consensus/core/Vote.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/core/SignDigest.h"

namespace agora {
namespace {

void putPayload(Writer& w, const Vote& v) {
    w.u64(v.height);
    w.u32(v.round);
    w.u8(static_cast<std::uint8_t>(v.type));
    codec::putOptional(w, v.blockId, [](Writer& ww, const Hash256& h) { codec::put(ww, h); });
}

}  // namespace

std::string_view voteTypeName(VoteType t) {
    switch (t) {
        case VoteType::Prevote:
            return "prevote";
        case VoteType::Precommit:
            return "precommit";
    }
    return "unknown";
}

Bytes Vote::signPayload() const {
    Writer w;
    putPayload(w, *this);
    return w.take();
}

Hash256 Vote::signDigest(std::string_view chainId) const {
    return agora::signDigest(domain::kVote, chainId, signPayload());
}

bool Vote::verifySignature(std::string_view chainId) const {
    const Hash256 d = signDigest(chainId);
    return verifySchnorr(validator, d.span(), signature);
}

void Vote::encodeTo(Writer& w) const {
    putPayload(w, *this);
    codec::put(w, validator);
    codec::put(w, signature);
}

Vote Vote::decodeFrom(Reader& r) {
    Vote v;
    v.height = r.u64();
    if (r.ok() && v.height == 0) r.fail(CodecError::InvalidValue);
    v.round = r.u32();
    const std::uint8_t type = r.u8();
    if (r.ok() && type != static_cast<std::uint8_t>(VoteType::Prevote) &&
        type != static_cast<std::uint8_t>(VoteType::Precommit)) {
        r.fail(CodecError::InvalidEnum);
    }
    v.type = type == static_cast<std::uint8_t>(VoteType::Precommit) ? VoteType::Precommit : VoteType::Prevote;
    v.blockId = codec::getOptional<Hash256>(r, [](Reader& rr) { return codec::getHash(rr); });
    v.validator = codec::getPublicKey(r);
    v.signature = codec::getSignature(r);
    return v;
}

}  // namespace agora
