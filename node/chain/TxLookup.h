#pragma once
// A committed tx by hash: tx index -> block -> stored results. Shared by
// TxService.GetTx and the HTTP gateway's GET /v1/txs/{hash}.

#include <cstdint>
#include <string>

#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "node/chain/BlockResults.h"
#include "node/chain/BlockStore.h"

namespace agora::node {

struct CommittedTxRecord {
    Bytes tx;  // signed tx bytes as included
    std::uint64_t height = 0;
    std::uint32_t index = 0;
    TxOutcome outcome;
};

enum class TxLookupError : std::uint8_t {
    NotFound = 0,  // unknown, or still pending in the mempool
    DataLoss = 1,  // the index names a block or result that is missing or does not decode
};

struct TxLookupFailure {
    TxLookupError kind = TxLookupError::NotFound;
    std::string message;
};

// Point reads only; thread-safe. A storage failure may throw (as BlockStore reads do).
Expected<CommittedTxRecord, TxLookupFailure> findCommittedTx(const BlockStore& blocks, const Hash256& hash);

}  // namespace agora::node
