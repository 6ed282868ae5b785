#pragma once
// The domain-separated hashes of the sparse Merkle tree (docs/state.md).
//
//   empty subtree   SHA-256(0x02)
//   leaf            SHA-256(0x00 || keyHash || valueHash)
//   internal        SHA-256(0x01 || leftHash || rightHash)
//   keyHash         SHA-256(state key bytes)
//   valueHash       SHA-256(state value bytes)
//
// Leaf and internal preimages are both 65 bytes and differ in the first
// byte, so a leaf can never be passed off as an internal node or back.

#include "consensus/core/Hash256.h"

namespace agora::state {

const Hash256& treeEmptyHash();
Hash256 treeLeafHash(const Hash256& keyHash, const Hash256& valueHash);
Hash256 treeInternalHash(const Hash256& left, const Hash256& right);

// Bit `index` (0 = most significant bit of byte 0) of a key hash: 0 = left.
inline bool treeBit(const Hash256& h, unsigned index) {
    return ((h.bytes()[index / 8] >> (7 - index % 8)) & 1U) != 0;
}

}  // namespace agora::state
