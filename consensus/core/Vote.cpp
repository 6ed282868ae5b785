#include "consensus/core/Vote.h"

#include "consensus/core/Fields.h"
#include "consensus/core/SignDigest.h"

namespace agora {
namespace {

// The signed part: the fields before the key and the signature.
template <typename IO, typename Self>
void payloadFields(IO& io, Self& v) {
    io(v.height);
    io.check(v.height != 0, CodecError::InvalidValue);
    io(v.round,
       codec::oneOf(v.type, static_cast<std::uint8_t>(VoteType::Prevote),
                    static_cast<std::uint8_t>(VoteType::Precommit)),
       v.blockId);
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
    codec::Encoder io(w);
    payloadFields(io, *this);
    return w.take();
}

Hash256 Vote::signDigest(std::string_view chainId) const {
    return agora::signDigest(domain::kVote, chainId, signPayload());
}

bool Vote::verifySignature(std::string_view chainId) const {
    const Hash256 d = signDigest(chainId);
    return verifySchnorr(validator, d.span(), signature);
}

AGORA_CODEC_FIELDS(Vote)
template <typename IO, typename Self>
void Vote::fields(IO& io, Self& m) {
    payloadFields(io, m);
    io(m.validator, m.signature);
}

}  // namespace agora
