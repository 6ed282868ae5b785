#include "consensus/state/TreeNode.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/state/TreeHash.h"

namespace agora::state {

namespace {
constexpr std::uint8_t kInternalTag = 1;
constexpr std::uint8_t kLeafTag = 2;
}  // namespace

Bytes NodeKey::encode() const {
    Writer w;
    w.u64(version);
    w.u16(depth);
    const std::size_t n = (static_cast<std::size_t>(depth) + 7) / 8;
    w.raw(ByteSpan(path.bytes().data(), n));
    return w.take();
}

Hash256 pathPrefix(const Hash256& h, unsigned depth) {
    std::array<std::uint8_t, Hash256::kSize> b = h.bytes();
    for (unsigned i = 0; i < Hash256::kSize; ++i) {
        const unsigned bitStart = i * 8;
        if (bitStart >= depth) {
            b[i] = 0;
        } else if (depth - bitStart < 8) {
            const unsigned keep = depth - bitStart;
            b[i] = static_cast<std::uint8_t>(b[i] & static_cast<std::uint8_t>(0xFFU << (8 - keep)));
        }
    }
    return Hash256(b);
}

Hash256 childPath(const Hash256& path, unsigned depth, bool bit) {
    if (!bit) return path;
    std::array<std::uint8_t, Hash256::kSize> b = path.bytes();
    b[depth / 8] = static_cast<std::uint8_t>(b[depth / 8] | (0x80U >> (depth % 8)));
    return Hash256(b);
}

ChildRef ChildRef::empty() {
    return ChildRef{NodeKind::Empty, 0, treeEmptyHash()};
}

void ChildRef::encodeTo(Writer& w) const {
    w.u8(static_cast<std::uint8_t>(kind));
    if (kind == NodeKind::Empty) return;
    w.u64(version);
    codec::put(w, hash);
}

ChildRef ChildRef::decodeFrom(Reader& r) {
    const std::uint8_t k = r.u8();
    if (!r.ok()) return empty();
    switch (k) {
        case static_cast<std::uint8_t>(NodeKind::Empty):
            return empty();
        case static_cast<std::uint8_t>(NodeKind::Leaf):
        case static_cast<std::uint8_t>(NodeKind::Internal): {
            ChildRef c;
            c.kind = static_cast<NodeKind>(k);
            c.version = r.u64();
            c.hash = codec::getHash(r);
            return c;
        }
        default:
            r.fail(CodecError::InvalidEnum);
            return empty();
    }
}

Hash256 InternalNode::hash() const {
    return treeInternalHash(left.hash, right.hash);
}

Hash256 LeafNode::hash() const {
    return treeLeafHash(keyHash, sha256(value));
}

Hash256 TreeNode::hash() const {
    return std::visit([](const auto& n) { return n.hash(); }, node);
}

void TreeNode::encodeTo(Writer& w) const {
    if (const auto* in = std::get_if<InternalNode>(&node)) {
        w.u8(kInternalTag);
        in->left.encodeTo(w);
        in->right.encodeTo(w);
    } else {
        const auto& leaf = std::get<LeafNode>(node);
        w.u8(kLeafTag);
        codec::put(w, leaf.keyHash);
        w.bytes(leaf.value);
    }
}

TreeNode TreeNode::decodeFrom(Reader& r) {
    const std::uint8_t tag = r.u8();
    if (tag == kInternalTag) {
        InternalNode in;
        in.left = ChildRef::decodeFrom(r);
        in.right = ChildRef::decodeFrom(r);
        return TreeNode{in};
    }
    if (tag == kLeafTag) {
        LeafNode leaf;
        leaf.keyHash = codec::getHash(r);
        leaf.value = r.bytes(kTreeValueMax);
        return TreeNode{leaf};
    }
    if (r.ok()) r.fail(CodecError::UnknownTag);
    return TreeNode{InternalNode{}};
}

}  // namespace agora::state
