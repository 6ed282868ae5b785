#pragma once
// Application: the node's bridge between consensus and the ledger, in the
// spirit of ABCI++ (prepare / process proposal, finalize, commit).
//
//   propose()   builds the next block from candidate txs: executes them on a
//               sandbox over the latest state, leaves out txs that fail the
//               ledger's check or precheck, and seals the header with the
//               resulting app_hash and results_hash (docs/design-decisions.md #4).
//   validate()  checks a proposed block of the next height (header links,
//               validator hashes, parent certificate, content hashes,
//               evidence) and re-executes it; the app_hash and results_hash
//               must match. The execution is kept for commit().
//   commit()    writes the decided block, its certificate, results, tx index,
//               the state changes and the consensus state for the next height
//               in ONE synced LevelDB batch. A crash leaves the node at h or
//               h+1, never between.
//
// Single-threaded: the consensus executor calls it. Readers use snapshot(),
// blocks() (thread-safe point reads) and the last* accessors guarded by a mutex.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Block.h"
#include "consensus/engine/ChainState.h"
#include "contracts/Ledger.h"
#include "node/chain/BlockResults.h"
#include "node/chain/BlockStore.h"
#include "node/config/SizeBudget.h"
#include "node/genesis/GenesisFile.h"
#include "node/mempool/Mempool.h"
#include "node/mempool/SignatureCache.h"
#include "node/storage/LevelDbStateStore.h"

namespace agora::node {

// Persisted with every block: where consensus continues from.
struct ChainRecord {
    consensus::ChainState next;  // state for height + 1
    ValidatorSet decidedBy;      // the set that decided `height` (absent-validator accounting)
    std::uint64_t height = 0;
    Hash256 blockId;
    Hash256 appHash;
    std::uint64_t timeMs = 0;

    void encodeTo(Writer& w) const;
    static ChainRecord decodeFrom(Reader& r);
};

#ifdef NDEBUG
inline constexpr bool kCheckInvariantsByDefault = false;
#else
inline constexpr bool kCheckInvariantsByDefault = true;
#endif

// Hash of a validator set's membership and powers (not proposer priorities):
// merkleRoot(SHA-256(key || u64 power)) in key order.
Hash256 validatorSetHash(const ValidatorSet& set);

// What a commit hands to the after-commit step (mempool, evidence pool,
// waiters, events): the decided block as already decoded and its txs' hashes
// as already computed, so nothing after the commit decodes or hashes again.
struct CommitOutcome {
    std::uint64_t height = 0;
    Hash256 blockId;
    Hash256 appHash;
    std::shared_ptr<const Block> block;
    std::vector<Hash256> txHashes;  // txHash of block->txs[i]
    BlockResults results;
};

class Application {
public:
    // Most heights one commit prunes, so that turning retain_blocks on for a
    // long chain spreads the removal over many commits instead of one batch.
    static constexpr std::uint64_t kPruneHeightsPerCommit = 64;

    struct Options {
        std::uint64_t validatorUpdateDelay = 2;
        std::size_t maxBlockTxs = 5'000;
        std::size_t maxBlockBytes = budget::kDefaultBlockTxBytes;  // tx bytes; <= limits::kBlockTxBytesMax
        std::uint64_t stateVersionsKept = 0;                       // 0 = all
        // Blocks kept (storage.retain_blocks): each commit removes what falls
        // below the newest retainBlocks heights, at most kPruneHeightsPerCommit
        // of them, in the commit's own write batch. 0 = keep every block.
        std::uint64_t retainBlocks = 0;

        // Full scan of contracts::checkInvariants after executing each block,
        // O(state): on in builds without NDEBUG, else by config
        // ([debug] check_invariants). A violation makes commit() fail, so
        // the node stops before the state is written.
        bool checkInvariants = kCheckInvariantsByDefault;
    };

    static Expected<std::unique_ptr<Application>, std::string> open(GenesisDoc genesis, std::shared_ptr<leveldb::DB> db,
                                                                    Options options,
                                                                    std::shared_ptr<SignatureCache> sigCache);

    // Consensus state of the next height (genesis set before the first block).
    consensus::ChainState chainState() const;
    std::uint64_t lastHeight() const;
    Hash256 lastBlockId() const;
    Hash256 lastAppHash() const;
    std::uint64_t lastTimeMs() const;
    // The time (ms) of the block at `height`, whose state a snapshot of
    // version `height` holds (state does not record it): the last block's
    // without a read, an older one's from its stored header, the genesis time
    // at height 0. nullopt when that block is not kept (pruned).
    std::optional<std::uint64_t> blockTimeMs(std::uint64_t height) const;
    std::uint64_t nextHeight() const;
    const GenesisDoc& genesis() const { return genesis_; }

    struct Proposal {
        Hash256 id;
        Bytes bytes;
        std::size_t included = 0;  // txs that made it into the block
    };
    // The block time is max(timeMs, last block time + 1); fails when the last
    // block time is the largest representable (no later time exists).
    // lastCommit: the parent's certificate with the precommits that arrived
    // after its quorum (ConsensusDriver); used instead of the deciding one
    // when it verifies against the set that decided the parent and has more
    // signers (docs/consensus.md, "Late precommits").
    // candidates: txs as the mempool holds them (decoded and hashed once at
    // admission); those the ledger refuses now are left out.
    Expected<Proposal, std::string> propose(const PublicKey& proposer, std::uint64_t timeMs,
                                            const std::vector<TxRef>& candidates,
                                            const std::vector<DuplicateVoteEvidence>& evidence,
                                            const std::optional<CommitCertificate>& lastCommit = std::nullopt);
    // The same from raw bytes, decoded here (tests and tools); malformed ones are left out.
    Expected<Proposal, std::string> proposeBytes(const PublicKey& proposer, std::uint64_t timeMs,
                                                 const std::vector<Bytes>& candidates,
                                                 const std::vector<DuplicateVoteEvidence>& evidence,
                                                 const std::optional<CommitCertificate>& lastCommit = std::nullopt);
    // latestTimeMs: consensus validation of a proposal passes the validator's
    // own clock plus consensus.max_block_time_ahead_ms; a block timed later is
    // refused (docs/consensus.md, "Block time"). Block sync and commit pass
    // nothing: a decided block carries a quorum's certificate.
    Expected<void, std::string> validate(const Hash256& id, ByteSpan bytes,
                                         std::optional<std::uint64_t> latestTimeMs = std::nullopt);
    // May a block at the next height carry this (verified) evidence? Against
    // a member of the current or the previous validator set: yes. Against a
    // validator that left the set (jailed for downtime, unbonded) but is
    // known to staking, not tombstoned, for an infraction no older than
    // unbonding_blocks: yes too, so leaving the set does not escape the
    // double-sign slash (docs/sync.md, "Slashing"). Blocks are checked with
    // this rule, and the proposer takes pending evidence by it.
    Expected<void, std::string> evidenceAdmissible(const DuplicateVoteEvidence& evidence) const;
    // Durability::Deferred skips the fsync of this block's batch (see
    // PreparedCommit::sync): for block sync and replay, whose next synced
    // commit makes it durable. Consensus commits are always Synced.
    enum class Durability { Synced, Deferred };
    Expected<CommitOutcome, std::string> commit(const Hash256& id, ByteSpan bytes, const CommitCertificate& cert,
                                                Durability durability = Durability::Synced);

    // Read side (any thread).
    std::shared_ptr<const state::StateSnapshot> snapshot() const { return store_->snapshot(); }
    const BlockStore& blocks() const { return blocks_; }
    LevelDbStateStore& stateStore() { return *store_; }
    // A mempool view over the latest committed state. Built once per
    // committed version and shared: admission asks for it per tx, and a fresh
    // view costs a LevelDB snapshot, the commit record and the params.
    std::shared_ptr<const MempoolLedgerView> ledgerView() const;

private:
    struct Execution {
        std::shared_ptr<const Block> block;
        std::vector<Hash256> txHashes;  // of block->txs, computed once
        Bytes bytes;
        BlockResults results;
        PreparedCommit prepared;
        std::optional<std::string> invariantViolation;
    };
    Application(GenesisDoc genesis, std::shared_ptr<leveldb::DB> db, Options options,
                std::shared_ptr<SignatureCache> sigCache, BlockStore blocks);

    // Executes block on its txs given decoded and hashed (header content
    // fields set, app/results hash not yet checked). proposing: block.txs is
    // filled from the txs the ledger accepts (the others are left out);
    // otherwise txs[i] is block.txs[i] and a refused tx makes the block invalid,
    // and wire holds the block's bytes as received (decoding is canonical, so
    // they are its encoding: kept, not encoded again).
    Expected<Execution, std::string> execute(Block block, std::vector<TxRef> txs, bool proposing, Bytes wire = {});
    Expected<void, std::string> checkHeader(const Block& block, const std::vector<Hash256>& txHashes) const;
    Expected<void, std::string> evidenceAdmissibleAt(const ChainRecord& rec, const DuplicateVoteEvidence& ev) const;

    GenesisDoc genesis_;
    std::shared_ptr<leveldb::DB> db_;
    Options options_;
    std::shared_ptr<SignatureCache> sigCache_;
    std::unique_ptr<LevelDbStateStore> store_;
    BlockStore blocks_;

    mutable std::mutex mu_;  // guards record_ and view_
    ChainRecord record_;     // last decided block (height 0 = none yet)
    // The ledger view of the latest committed version (see ledgerView()).
    mutable std::shared_ptr<const MempoolLedgerView> view_;
    mutable std::uint64_t viewVersion_ = 0;
    std::map<Hash256, Execution> executed_;  // proposals of the next height, by id
};

}  // namespace agora::node
