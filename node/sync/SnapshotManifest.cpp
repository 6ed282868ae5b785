#include "node/sync/SnapshotManifest.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/state/StateChunk.h"

namespace agora::node {

void SnapshotManifest::encodeTo(Writer& w) const {
    w.u8(kFormat);
    w.u64(height);
    codec::put(w, blockId);
    codec::put(w, appHash);
    w.u8(depth);
    w.u64(keys);
    w.u64(bytes);
    w.bytes(chainRecord);
}

SnapshotManifest SnapshotManifest::decodeFrom(Reader& r) {
    SnapshotManifest m;
    const std::uint8_t format = r.u8();
    if (r.ok() && format != kFormat) {
        r.fail(CodecError::UnknownTag);
        return m;
    }
    m.height = r.u64();
    m.blockId = codec::getHash(r);
    m.appHash = codec::getHash(r);
    m.depth = r.u8();
    if (r.ok() && m.depth > state::kChunkDepthMax) {
        r.fail(CodecError::InvalidValue);
        return m;
    }
    m.keys = r.u64();
    m.bytes = r.u64();
    m.chainRecord = r.bytes(kChainRecordBytesMax);
    return m;
}

}  // namespace agora::node
