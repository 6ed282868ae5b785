#include "consensus/state/TreeHash.h"

#include <array>

namespace agora::state {

namespace {
constexpr std::uint8_t kLeafTag = 0x00;
constexpr std::uint8_t kInternalTag = 0x01;
constexpr std::uint8_t kEmptyTag = 0x02;

Hash256 hashTagged(std::uint8_t tag, const Hash256& a, const Hash256& b) {
    std::array<std::uint8_t, 1 + 2 * Hash256::kSize> buf{};
    buf[0] = tag;
    for (std::size_t i = 0; i < Hash256::kSize; ++i) {
        buf[1 + i] = a.bytes()[i];
        buf[1 + Hash256::kSize + i] = b.bytes()[i];
    }
    return sha256(ByteSpan(buf.data(), buf.size()));
}
}  // namespace

const Hash256& treeEmptyHash() {
    static const Hash256 h = [] {
        const std::array<std::uint8_t, 1> tag{kEmptyTag};
        return sha256(ByteSpan(tag.data(), tag.size()));
    }();
    return h;
}

Hash256 treeLeafHash(const Hash256& keyHash, const Hash256& valueHash) {
    return hashTagged(kLeafTag, keyHash, valueHash);
}

Hash256 treeInternalHash(const Hash256& left, const Hash256& right) {
    return hashTagged(kInternalTag, left, right);
}

}  // namespace agora::state
