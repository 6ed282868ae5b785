#pragma once
// Bounds on variable-length fields, enforced by the codec when decoding.
// Changing any of them is a consensus change.

#include <cstddef>

namespace agora::limits {

inline constexpr std::size_t kChainIdMax = 64;
inline constexpr std::size_t kMemoMax = 256;
inline constexpr std::size_t kMsgsPerTxMax = 64;
inline constexpr std::size_t kTxBytesMax = 64 * 1024;
inline constexpr std::size_t kMonikerMax = 64;
inline constexpr std::size_t kHostUriMax = 256;
inline constexpr std::size_t kAttributesMax = 32;
inline constexpr std::size_t kAttributeKeyMax = 64;
inline constexpr std::size_t kAttributeValueMax = 128;
inline constexpr std::size_t kGpuModelsMax = 16;
inline constexpr std::size_t kGpuModelMax = 64;
inline constexpr std::size_t kProposalTitleMax = 140;
inline constexpr std::size_t kParamChangesMax = 16;
inline constexpr std::size_t kParamKeyMax = 64;
inline constexpr std::size_t kParamValueMax = 64;
inline constexpr std::size_t kBlockTxsMax = 50'000;
// One size budget (docs/consensus.md, "Size budget"): a block is at most
// kBlockBytesMax bytes, of which kBlockEnvelopeBytesMax are kept for what is
// not a tx's own bytes (header, length prefixes, the parent's certificate,
// evidence; Block.cpp proves the worst case fits). A proposer that puts at
// most kBlockTxBytesMax tx bytes into a block therefore never builds one that
// cannot be proposed, and the node derives its message limits from these.
inline constexpr std::size_t kBlockBytesMax = 8 * 1024 * 1024;
inline constexpr std::size_t kBlockEnvelopeBytesMax = 512 * 1024;
inline constexpr std::size_t kBlockTxBytesMax = kBlockBytesMax - kBlockEnvelopeBytesMax;
inline constexpr std::size_t kBlockEvidenceMax = 256;

}  // namespace agora::limits
