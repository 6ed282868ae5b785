#include "node/chain/TxLookup.h"

namespace agora::node {

Expected<CommittedTxRecord, TxLookupFailure> findCommittedTx(const BlockStore& blocks, const Hash256& hash) {
    auto loc = blocks.txLocation(hash);
    if (!loc)
        return Unexpected(TxLookupFailure{TxLookupError::NotFound, "no committed tx " + hash.toHex() +
                                                                       " (unknown, or still pending in the mempool)"});
    auto block = blocks.block(loc->height);
    auto rawResults = blocks.results(loc->height);
    if (!block || !rawResults || loc->index >= block->txs.size())
        return Unexpected(TxLookupFailure{TxLookupError::DataLoss, "tx index names a missing block or result"});
    auto results = decode<BlockResults>(*rawResults);
    if (!results || loc->index >= results->txs.size())
        return Unexpected(TxLookupFailure{TxLookupError::DataLoss, "stored block results do not decode"});
    CommittedTxRecord r;
    r.tx = block->txs[loc->index];
    r.height = loc->height;
    r.index = loc->index;
    r.outcome = results->txs[loc->index];
    return r;
}

}  // namespace agora::node
