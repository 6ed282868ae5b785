#pragma once
// Committed duplicate-vote evidence by inclusion height, for the evidence
// query (QueryService.Evidence, `agora query evidence`, GET /v1/evidence).
// Entries are written into the same WriteBatch as the block that carries the
// evidence (BlockStore::stage), so consensus commits and block sync index it
// alike and a crash never leaves a block without its index entries.
//
//   0x17 || inclusion height (u64 BE) || index in the block (u32 BE) -> evidence bytes
//
// Height-range reads are a seek plus a scan; the validator filter scans the
// range (evidence is rare: one entry per equivocation, then the validator is
// tombstoned).

#include <cstdint>
#include <optional>
#include <vector>

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include "consensus/core/Block.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Hash256.h"

namespace agora::node {

struct CommittedEvidence {
    std::uint64_t height = 0;  // the block that included it
    std::uint32_t index = 0;   // position in that block's evidence list
    DuplicateVoteEvidence evidence;

    // SHA-256 of the canonical evidence bytes (the leaf of the header's evidence_hash).
    Hash256 hash() const { return sha256(encode(evidence)); }
};

struct EvidenceFilter {
    std::optional<PublicKey> validator;  // consensus key; nullopt = any
    std::uint64_t minHeight = 0;         // inclusion heights, inclusive; 0 = unbounded
    std::uint64_t maxHeight = 0;         // 0 = unbounded
    std::size_t limit = 1000;            // at most this many entries, oldest first
};

// Adds the index entries of block's evidence to batch.
void stageEvidenceIndex(leveldb::WriteBatch& batch, const Block& block);

// Reads the index; thread-safe (LevelDB iterators see one snapshot). Entries
// that do not decode are skipped: they can only come from a corrupt database,
// and the block itself stays authoritative.
std::vector<CommittedEvidence> listCommittedEvidence(leveldb::DB& db, const EvidenceFilter& filter);

}  // namespace agora::node
