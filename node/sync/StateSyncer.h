#pragma once
// StateSyncer: restores the state of one trusted height from peers
// (docs/sync.md, "State sync"; decision 43). Given a trusted height H and
// the id of its block:
//
//   1. asks every peer for its snapshots and keeps those at exactly H;
//   2. fetches block H with its certificate, refuses it unless its id is the
//      trusted one, and takes the app_hash from its header;
//   3. checks each peer's manifest against that block: the app_hash and
//      block id, and the chain record (the deciding set against the header's
//      validators_hash, the next set against next_validators_hash, the
//      height's certificate against the block id and the deciding set);
//   4. fetches the chunks from all agreeing peers in parallel (one thread
//      per peer, a shared queue of chunk indexes) and verifies each against
//      the app_hash alone; a peer that serves a chunk that fails (or does
//      not answer) is dropped for the rest of the sync and the chunk goes
//      back to the queue for another peer;
//   5. hands back the state, the block, its certificate and the chain
//      record; writeRestoredState() then commits them into an empty
//      database in one batch.
//
// Validator updates still pending at H are not committed by header H; block
// sync's re-execution of H + 1 checks them (its next_validators_hash), before
// anything is built on them.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <leveldb/db.h>

#include "consensus/core/Block.h"
#include "consensus/core/CommitCertificate.h"
#include "consensus/state/SparseMerkleTree.h"
#include "node/app/Application.h"
#include "node/sync/SnapshotManifest.h"
#include "node/sync/SnapshotSource.h"

namespace agora::node {

struct StateSyncTrust {
    std::uint64_t height = 0;
    Hash256 blockId;
};

struct RestoredSnapshot {
    Block block;  // the trusted block H
    CommitCertificate certificate;
    ChainRecord record;
    state::StateChanges state;  // every pair of the state after H
    std::uint32_t chunks = 0;
    std::vector<std::string> droppedPeers;  // peers refused during the sync, with the reason
};

// The chain record of `manifest`, checked against the trusted block and its
// certificate (step 3 above); an error saying what does not match.
Expected<ChainRecord, std::string> checkManifest(const SnapshotManifest& manifest, const Block& block,
                                                 const CommitCertificate& certificate, std::string_view chainId);

class StateSyncer {
public:
    StateSyncer(std::string chainId, StateSyncTrust trust, std::vector<std::unique_ptr<SnapshotSource>> sources);

    Expected<RestoredSnapshot, std::string> run();

private:
    std::string chainId_;
    StateSyncTrust trust_;
    std::vector<std::unique_ptr<SnapshotSource>> sources_;
};

// Commits a restored snapshot into an empty node database: the state at
// version H, block H as the block store's base, and the chain record, in one
// synced batch. The state's root must be the block's app_hash.
Expected<void, std::string> writeRestoredState(const std::shared_ptr<leveldb::DB>& db,
                                               const RestoredSnapshot& restored);

}  // namespace agora::node
