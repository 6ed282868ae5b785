#pragma once
// State sync (docs/sync.md, "State sync"): the first block of a block store
// that starts at that block's height, restored from a snapshot instead of
// executed. Kept out of BlockStore.h on purpose: only the state syncer
// writes it.

#include <leveldb/write_batch.h>

#include "consensus/core/Block.h"
#include "consensus/core/CommitCertificate.h"
#include "node/chain/BlockStore.h"

namespace agora::node {

// Adds to batch: the block, its id index entry and certificate, and base =
// latest = its height. Its tx results and tx index entries are not known (a
// snapshot holds state, not results), so results(h) and lookups of its txs
// find nothing. Only into an empty store; reopen the store after the write.
Expected<void, std::string> stageRestoredBase(const BlockStore& store, leveldb::WriteBatch& batch, const Block& block,
                                              const CommitCertificate& commit);

}  // namespace agora::node
