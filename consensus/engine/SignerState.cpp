#include "consensus/engine/SignerState.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/engine/Step.h"

namespace agora::consensus {

void SignerState::encodeTo(Writer& w) const {
    w.u64(height);
    w.u32(round);
    w.u8(step);
    codec::putOptional(w, digest, [](Writer& ww, const Hash256& h) { codec::put(ww, h); });
}

SignerState SignerState::decodeFrom(Reader& r) {
    SignerState s;
    s.height = r.u64();
    s.round = r.u32();
    s.step = r.u8();
    s.digest = codec::getOptional<Hash256>(r, [](Reader& rr) { return codec::getHash(rr); });
    if (r.ok()) {
        const bool empty = s.step == 0;
        if (!empty && !isStep(s.step)) r.fail(CodecError::InvalidEnum);
        // "Nothing signed" has exactly one form; a signed state has a digest.
        if (empty && (s.height != 0 || s.round != 0 || s.digest)) r.fail(CodecError::InvalidValue);
        if (!empty && !s.digest) r.fail(CodecError::InvalidValue);
    }
    return s;
}

}  // namespace agora::consensus
