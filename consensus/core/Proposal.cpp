#include "consensus/core/Proposal.h"

#include "consensus/core/Fields.h"
#include "consensus/core/SignDigest.h"

namespace agora {
namespace {

// The signed part: the fields before the proposer, the block and the signature.
template <typename IO, typename Self>
void payloadFields(IO& io, Self& p) {
    io(p.height);
    io.check(p.height != 0, CodecError::InvalidValue);
    io(p.round, p.polRound);
    io.check(!p.polRound || *p.polRound < p.round, CodecError::InvalidValue);
    io(p.blockId);
}

}  // namespace

Bytes Proposal::signPayload() const {
    Writer w;
    codec::Encoder io(w);
    payloadFields(io, *this);
    return w.take();
}

Hash256 Proposal::signDigest(std::string_view chainId) const {
    return agora::signDigest(domain::kProposal, chainId, signPayload());
}

bool Proposal::verifySignature(std::string_view chainId) const {
    const Hash256 d = signDigest(chainId);
    return verifySchnorr(proposer, d.span(), signature);
}

AGORA_CODEC_FIELDS(Proposal)
template <typename IO, typename Self>
void Proposal::fields(IO& io, Self& m) {
    payloadFields(io, m);
    io(m.proposer, codec::limited(m.block, kBlockBytesMax), m.signature);
}

}  // namespace agora
