#include "consensus/core/Proposal.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/core/SignDigest.h"

namespace agora {
namespace {

void putPayload(Writer& w, const Proposal& p) {
    w.u64(p.height);
    w.u32(p.round);
    codec::putOptional(w, p.polRound, [](Writer& ww, std::uint32_t v) { ww.u32(v); });
    codec::put(w, p.blockId);
}

}  // namespace

Bytes Proposal::signPayload() const {
    Writer w;
    putPayload(w, *this);
    return w.take();
}

Hash256 Proposal::signDigest(std::string_view chainId) const {
    return agora::signDigest(domain::kProposal, chainId, signPayload());
}

bool Proposal::verifySignature(std::string_view chainId) const {
    const Hash256 d = signDigest(chainId);
    return verifySchnorr(proposer, d.span(), signature);
}

void Proposal::encodeTo(Writer& w) const {
    putPayload(w, *this);
    codec::put(w, proposer);
    w.bytes(block);
    codec::put(w, signature);
}

Proposal Proposal::decodeFrom(Reader& r) {
    Proposal p;
    p.height = r.u64();
    if (r.ok() && p.height == 0) r.fail(CodecError::InvalidValue);
    p.round = r.u32();
    p.polRound = codec::getOptional<std::uint32_t>(r, [](Reader& rr) { return rr.u32(); });
    if (r.ok() && p.polRound && *p.polRound >= p.round) r.fail(CodecError::InvalidValue);
    p.blockId = codec::getHash(r);
    p.proposer = codec::getPublicKey(r);
    p.block = r.bytes(kBlockBytesMax);
    p.signature = codec::getSignature(r);
    return p;
}

}  // namespace agora
