#include "consensus/state/MerkleProof.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/state/TreeHash.h"

namespace agora::state {

void MerkleProof::encodeTo(Writer& w) const {
    w.u8(kFormat);
    w.u8(static_cast<std::uint8_t>(terminal));
    if (terminal == ProofTerminal::OtherLeaf) {
        codec::put(w, otherKeyHash);
        codec::put(w, otherValueHash);
    }
    codec::putList(w, siblings, [](Writer& out, const Hash256& h) { codec::put(out, h); });
}

MerkleProof MerkleProof::decodeFrom(Reader& r) {
    MerkleProof p;
    const std::uint8_t format = r.u8();
    if (r.ok() && format != kFormat) {
        r.fail(CodecError::UnknownTag);
        return p;
    }
    const std::uint8_t t = r.u8();
    if (!r.ok()) return p;
    switch (t) {
        case static_cast<std::uint8_t>(ProofTerminal::Empty):
            p.terminal = ProofTerminal::Empty;
            break;
        case static_cast<std::uint8_t>(ProofTerminal::KeyLeaf):
            p.terminal = ProofTerminal::KeyLeaf;
            break;
        case static_cast<std::uint8_t>(ProofTerminal::OtherLeaf):
            p.terminal = ProofTerminal::OtherLeaf;
            p.otherKeyHash = codec::getHash(r);
            p.otherValueHash = codec::getHash(r);
            break;
        default:
            r.fail(CodecError::InvalidEnum);
            return p;
    }
    p.siblings = codec::getList<Hash256>(r, kTreeMaxDepth, [](Reader& in) { return codec::getHash(in); });
    return p;
}

bool verifyProof(const Hash256& root, ByteSpan key, const std::optional<Bytes>& value, const MerkleProof& proof) {
    if (proof.siblings.size() > kTreeMaxDepth) return false;
    const unsigned depth = static_cast<unsigned>(proof.siblings.size());
    const Hash256 keyHash = sha256(key);

    Hash256 cur;
    switch (proof.terminal) {
        case ProofTerminal::KeyLeaf:
            if (!value) return false;
            cur = treeLeafHash(keyHash, sha256(*value));
            break;
        case ProofTerminal::Empty:
            if (value) return false;
            cur = treeEmptyHash();
            break;
        case ProofTerminal::OtherLeaf:
            // The other leaf must sit on this key's path (same first `depth`
            // bits) and be another key; otherwise it proves nothing about key.
            if (value || proof.otherKeyHash == keyHash) return false;
            if (pathPrefix(proof.otherKeyHash, depth) != pathPrefix(keyHash, depth)) return false;
            cur = treeLeafHash(proof.otherKeyHash, proof.otherValueHash);
            break;
    }
    for (unsigned d = depth; d-- > 0;) {
        const Hash256& sib = proof.siblings[d];
        cur = treeBit(keyHash, d) ? treeInternalHash(sib, cur) : treeInternalHash(cur, sib);
    }
    return cur == root;
}

}  // namespace agora::state
