#pragma once
// Dry-run of a signed tx: executed by contracts::Ledger as the first tx of
// the next block, on a throwaway sandbox over the latest committed state.
// Nothing is written anywhere; the result (code, message, events, fee) is
// what the tx would produce if it were included right now (other txs of the
// same block or the mempool are not taken into account).

#include <cstdint>
#include <string>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "contracts/Ledger.h"
#include "node/app/Application.h"

namespace agora::node {

struct Simulation {
    std::uint64_t height = 0;  // the height the tx was executed at
    Hash256 txHash;
    contracts::TxResult result;
    Amount requiredFee;         // the least fee this tx must carry (contracts::requiredFee: by weight)
    bool nonceAssumed = false;  // the tx's nonce was ahead and taken as next
};

struct SimulateOptions {
    // false: the signature is not verified (estimates before signing).
    bool checkSignature = true;
    // A nonce ahead of the signer's committed one (its earlier txs still in
    // the mempool) is taken as the next nonce; only the nonce is assumed, not
    // the other effects of those txs.
    bool allowFutureNonce = false;
};

// An error only when the bytes are not a canonical signed tx.
Expected<Simulation, std::string> simulateTx(const Application& app, ByteSpan txBytes, SimulateOptions options);

}  // namespace agora::node
