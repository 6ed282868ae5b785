#pragma once
// Signature checks of a block's txs spread over the machine's cores
// (docs/performance.md, "Signature verification").
//
// Verifying a BIP-340 signature is a pure function of the tx bytes, so doing
// it on several threads and in any order gives the same answers as the
// sequential check in Ledger::deliverTx; the caller passes the answers in as
// SignatureStatus, which only skips repeated work and never changes a result.

#include <cstddef>
#include <span>
#include <vector>

#include "consensus/core/Tx.h"

namespace agora::node {

// Below this many signatures a block verifies them on the calling thread
// (starting threads costs more than it saves).
inline constexpr std::size_t kParallelVerifyMin = 64;

// valid[i] = txs[i]->verifySignature(). Uses up to `threads` threads (0 =
// hardware concurrency); txs must stay alive for the call.
std::vector<bool> verifyInParallel(std::span<const SignedTx* const> txs, unsigned threads = 0);

}  // namespace agora::node
