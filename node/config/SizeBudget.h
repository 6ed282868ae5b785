#pragma once
// One size budget for blocks and the messages that carry them (docs/p2p.md,
// "Size budget"). The chain of limits, each derived from the one before:
//
//   mempool.max_block_bytes + limits::kBlockEnvelopeBytesMax
//     <= limits::kBlockBytesMax            (consensus: the largest block)
//     <  kProposalMessageBytesMax          (that block in a proposal, in a p2p envelope)
//     <= p2p.max_message_bytes             (what a peer link accepts)
//   kSyncedBlockMessageBytesMax            (that block with its certificate, one block-sync message)
//
// The p2p limit is checked against the largest proposal any validator may
// send, not against this node's own mempool.max_block_bytes: other validators
// may build larger blocks, and a proposal this node cannot receive stalls it.
// NodeConfig::parse refuses settings that break the chain.

#include <cstddef>
#include <cstdint>

#include "consensus/core/Limits.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/ValidatorSet.h"

namespace agora::node::budget {

// Protobuf framing around one canonical message (field tags, length
// prefixes, the envelope's oneof): generously above the few bytes it takes.
inline constexpr std::size_t kTransportOverheadMax = 1024;

// The largest proposal message on a peer link.
inline constexpr std::size_t kProposalMessageBytesMax = Proposal::kEncodedBytesMax + kTransportOverheadMax;

// A commit certificate of a full validator set: height, round, block id,
// count, then key and signature per signer.
inline constexpr std::size_t kCertificateBytesMax = 8 + 4 + 32 + 5 + ValidatorSet::kMaxValidators * (32 + 64);

// The largest block-sync message (SyncedBlock: height, block, certificate).
inline constexpr std::size_t kSyncedBlockMessageBytesMax =
    limits::kBlockBytesMax + kCertificateBytesMax + kTransportOverheadMax;

// Defaults of the keys in the chain.
inline constexpr std::uint32_t kDefaultP2pMessageBytes = 8 * 1024 * 1024 + 64 * 1024;
inline constexpr std::uint64_t kDefaultBlockTxBytes = 2 * 1024 * 1024;
// p2p.send_queue_max_bytes: four largest messages (droppable ones stop at
// half: two); config load refuses less than two largest proposals.
inline constexpr std::uint64_t kDefaultSendQueueBytes = 4ULL * kDefaultP2pMessageBytes;
// p2p.recv_rate_bytes_per_sec: four largest messages a second (a bucket of
// two seconds); config load refuses less than one largest proposal.
inline constexpr std::uint64_t kDefaultRecvRateBytes = 4ULL * kDefaultP2pMessageBytes;

static_assert(kDefaultBlockTxBytes <= limits::kBlockTxBytesMax);
static_assert(kProposalMessageBytesMax <= kDefaultP2pMessageBytes);
static_assert(kSyncedBlockMessageBytesMax < (std::size_t{1} << 31), "gRPC limits are ints");

}  // namespace agora::node::budget
