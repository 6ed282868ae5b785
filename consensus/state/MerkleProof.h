#pragma once
// Inclusion and exclusion proofs of the sparse Merkle tree, their canonical
// encoding (so they can travel over RPC) and a verifier that needs nothing
// but the root. Byte layout in docs/state.md, "Proof format".

#include <cstdint>
#include <optional>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"
#include "consensus/state/TreeNode.h"

namespace agora::state {

// Stable codes; they are part of the proof encoding.
enum class ProofTerminal : std::uint8_t {
    Empty = 0,      // the key's path ends in an empty subtree: key absent
    KeyLeaf = 1,    // the path ends in the key's own leaf: key present
    OtherLeaf = 2,  // the path ends in a leaf of another key: key absent
};

struct MerkleProof {
    static constexpr std::uint8_t kFormat = 1;

    ProofTerminal terminal = ProofTerminal::Empty;
    // Only for OtherLeaf: the leaf found where the key would be.
    Hash256 otherKeyHash;
    Hash256 otherValueHash;
    // Sibling hashes from the root down: siblings[d] is the sibling of the
    // path node at depth d + 1. Its length is the terminal's depth.
    std::vector<Hash256> siblings;

    void encodeTo(Writer& w) const;
    static MerkleProof decodeFrom(Reader& r);
    bool operator==(const MerkleProof&) const = default;
};

// What prove() hands out: the value at that version (nullopt when absent)
// and the proof of it.
struct StateProof {
    std::optional<Bytes> value;
    MerkleProof proof;
};

// True iff `proof` shows that, in the tree with root `root`, `key` maps to
// `value` (or is absent when value is nullopt).
bool verifyProof(const Hash256& root, ByteSpan key, const std::optional<Bytes>& value, const MerkleProof& proof);

}  // namespace agora::state
