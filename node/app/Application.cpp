#include "node/app/Application.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"
#include "consensus/state/Sandbox.h"
#include "contracts/Bank.h"
#include "contracts/Invariants.h"
#include "contracts/Keys.h"
#include "contracts/Ledger.h"
#include "contracts/Staking.h"
#include "node/app/ParallelVerify.h"
#include "node/storage/KeySpace.h"

namespace agora::node {

namespace {

leveldb::Slice slice(const Bytes& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Unexpected<std::string> fail(std::string msg) {
    return Unexpected(std::move(msg));
}

// The mempool's view of one committed state snapshot.
class SnapshotLedgerView final : public MempoolLedgerView {
public:
    SnapshotLedgerView(std::shared_ptr<const state::StateSnapshot> snap, std::string chainId)
        : snap_(std::move(snap)), ledger_(std::move(chainId)), params_(contracts::loadParams(*snap_)) {}

    CheckResult check(const SignedTx& tx) const override {
        const auto rc = ledger_.check(tx, contracts::SignatureStatus::Valid);
        if (rc == state::ResultCode::Ok) return {};
        return {static_cast<std::uint16_t>(rc), std::string(state::resultMessage(rc))};
    }
    Account account(const Address& a) const override {
        auto raw = snap_->get(contracts::keys::account(a));
        if (!raw) return {};
        auto acc = decode<contracts::Account>(*raw);
        if (!acc) return {};
        return {acc->nonce, acc->balance};
    }
    Amount minFee(const Tx& tx) const override { return contracts::requiredFee(params_, tx); }

private:
    std::shared_ptr<const state::StateSnapshot> snap_;
    contracts::Ledger ledger_;
    contracts::Params params_;
};

}  // namespace

void ChainRecord::encodeTo(Writer& w) const {
    next.encodeTo(w);
    decidedBy.encodeTo(w);
    w.u64(height);
    codec::put(w, blockId);
    codec::put(w, appHash);
    w.u64(timeMs);
}

ChainRecord ChainRecord::decodeFrom(Reader& r) {
    ChainRecord c;
    c.next = consensus::ChainState::decodeFrom(r);
    c.decidedBy = ValidatorSet::decodeFrom(r);
    c.height = r.u64();
    c.blockId = codec::getHash(r);
    c.appHash = codec::getHash(r);
    c.timeMs = r.u64();
    return c;
}

Hash256 validatorSetHash(const ValidatorSet& set) {
    std::vector<Hash256> leaves;
    leaves.reserve(set.size());
    for (const auto& v : set.members()) {
        Writer w;
        codec::put(w, v.key);
        w.u64(v.power);
        leaves.push_back(sha256(w.data()));
    }
    return merkleRoot(leaves);
}

Application::Application(GenesisDoc genesis, std::shared_ptr<leveldb::DB> db, Options options,
                         std::shared_ptr<SignatureCache> sigCache, BlockStore blocks)
    : genesis_(std::move(genesis)),
      db_(std::move(db)),
      options_(options),
      sigCache_(std::move(sigCache)),
      blocks_(std::move(blocks)) {}

Expected<std::unique_ptr<Application>, std::string> Application::open(GenesisDoc genesis,
                                                                      std::shared_ptr<leveldb::DB> db, Options options,
                                                                      std::shared_ptr<SignatureCache> sigCache) {
    auto blocks = BlockStore::open(db);
    if (!blocks) return fail(blocks.error());
    std::unique_ptr<Application> app(
        new Application(std::move(genesis), db, options, std::move(sigCache), std::move(*blocks)));
    auto store = LevelDbStateStore::attach(db, StateStoreOptions{options.stateVersionsKept});
    if (!store) return fail("state store: " + store.error().message());
    app->store_ = std::move(*store);

    std::string raw;
    const Bytes recordKey(1, keyspace::kChainRecord);
    const auto s = db->Get(leveldb::ReadOptions(), slice(recordKey), &raw);
    if (s.ok()) {
        auto rec = decode<ChainRecord>(asBytes(raw));
        if (!rec) return fail("chain record is corrupt: " + rec.error().message());
        app->record_ = std::move(*rec);
        if (app->record_.height != app->blocks_.latestHeight() || app->store_->latestVersion() != app->record_.height)
            return fail("database is inconsistent: chain record at " + std::to_string(app->record_.height) +
                        ", blocks at " + std::to_string(app->blocks_.latestHeight()) + ", state at " +
                        std::to_string(app->store_->latestVersion()));
        return app;
    }
    if (!s.IsNotFound()) return fail("cannot read chain record: " + s.ToString());
    if (app->blocks_.latestHeight() != 0 || app->store_->latestVersion() != 0)
        return fail("database has blocks or state but no chain record");
    // Fresh chain: the genesis validator set decides the first height.
    state::MemoryState scratch;
    auto updates = contracts::initGenesis(scratch, app->genesis_.genesis);
    if (!updates) return fail("genesis: " + updates.error().message);
    auto set = ValidatorSet::fromUpdates(*updates);
    if (!set) return fail("genesis: validator set is invalid");
    app->record_.next = consensus::ChainState::genesis(*set);
    app->record_.next.height = app->genesis_.genesis.initialHeight;
    if (const auto& imported = app->genesis_.genesis.appState) {
        // An exported chain continues with the validator changes already queued.
        for (const auto& p : imported->pendingUpdates) {
            auto queued = p.updates;
            std::sort(queued.begin(), queued.end(), [](const ValidatorUpdate& a, const ValidatorUpdate& b) {
                return a.consensusKey < b.consensusKey;
            });
            app->record_.next.pending.push_back({p.effectiveHeight, std::move(queued)});
        }
    }
    app->record_.decidedBy = *set;
    app->record_.height = 0;
    app->record_.timeMs = app->genesis_.genesisTimeMs;
    return app;
}

consensus::ChainState Application::chainState() const {
    std::lock_guard lock(mu_);
    return record_.next;
}
std::uint64_t Application::lastHeight() const {
    std::lock_guard lock(mu_);
    return record_.height;
}
Hash256 Application::lastBlockId() const {
    std::lock_guard lock(mu_);
    return record_.blockId;
}
Hash256 Application::lastAppHash() const {
    std::lock_guard lock(mu_);
    return record_.appHash;
}
std::uint64_t Application::lastTimeMs() const {
    std::lock_guard lock(mu_);
    return record_.timeMs;
}
std::optional<std::uint64_t> Application::blockTimeMs(std::uint64_t height) const {
    {
        std::lock_guard lock(mu_);
        if (height == record_.height) return record_.timeMs;
    }
    if (height == 0) return genesis_.genesisTimeMs;
    auto block = blocks_.block(height);
    if (!block) return std::nullopt;
    return block->header.timeMs;
}
std::uint64_t Application::nextHeight() const {
    std::lock_guard lock(mu_);
    return record_.next.height;
}

std::shared_ptr<const MempoolLedgerView> Application::ledgerView() const {
    // The store's latest version only moves in commit() on the consensus
    // thread; a view of version v reads exactly what a fresh snapshot of v
    // would, so sharing it changes no admission outcome.
    const std::uint64_t latest = store_->latestVersion();
    {
        std::lock_guard lock(mu_);
        if (view_ && viewVersion_ == latest) return view_;
    }
    auto snap = store_->snapshot();
    const std::uint64_t version = snap->version();
    auto view = std::make_shared<const SnapshotLedgerView>(std::move(snap), genesis_.genesis.chainId);
    std::lock_guard lock(mu_);
    // Two threads may race to build it: keep the newer one.
    if (!view_ || viewVersion_ <= version) {
        view_ = view;
        viewVersion_ = version;
    }
    return view;
}

Expected<Application::Proposal, std::string> Application::proposeBytes(
    const PublicKey& proposer, std::uint64_t timeMs, const std::vector<Bytes>& candidates,
    const std::vector<DuplicateVoteEvidence>& evidence, const std::optional<CommitCertificate>& lastCommit) {
    std::vector<TxRef> decoded;
    decoded.reserve(candidates.size());
    for (const auto& bytes : candidates)
        if (auto tx = decodeTx(bytes)) decoded.push_back(std::move(*tx));  // a malformed candidate is left out
    return propose(proposer, timeMs, decoded, evidence, lastCommit);
}

Expected<Application::Proposal, std::string> Application::propose(const PublicKey& proposer, std::uint64_t timeMs,
                                                                  const std::vector<TxRef>& candidates,
                                                                  const std::vector<DuplicateVoteEvidence>& evidence,
                                                                  const std::optional<CommitCertificate>& lastCommit) {
    ChainRecord rec;
    {
        std::lock_guard lock(mu_);
        rec = record_;
    }
    if (rec.timeMs == std::numeric_limits<std::uint64_t>::max())
        return fail("the last block time is the largest representable; no later block time exists");
    Block block;
    auto& h = block.header;
    h.chainId = genesis_.genesis.chainId;
    h.height = rec.next.height;
    h.timeMs = std::max(timeMs, rec.timeMs + 1);  // strictly increasing; no wrap (checked above)
    h.lastBlockId = rec.blockId;
    h.validatorsHash = validatorSetHash(rec.next.validators);
    h.proposer = Address::fromPublicKey(proposer);
    block.lastCommit = rec.next.lastCommit;
    // A fuller certificate of the parent (late precommits gathered after the
    // quorum) replaces the deciding one when it is valid: validators then
    // count its signers as present (absences come from the block only).
    if (lastCommit && rec.next.lastCommit && lastCommit->height == rec.height && lastCommit->blockId == rec.blockId &&
        lastCommit->signatures.size() > rec.next.lastCommit->signatures.size() &&
        lastCommit->verify(genesis_.genesis.chainId, rec.height, rec.decidedBy))
        block.lastCommit = lastCommit;
    // Within the block's envelope allowance (limits.h): at most kBlockEvidenceMax.
    block.evidence.assign(evidence.begin(), evidence.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                   evidence.size(), limits::kBlockEvidenceMax)));
    // The size budget (docs/consensus.md): at most kBlockTxBytesMax tx bytes,
    // whatever the options say, so the block fits kBlockBytesMax.
    const std::size_t maxTxs = std::min(options_.maxBlockTxs, limits::kBlockTxsMax);
    const std::size_t maxTxBytes = std::min(options_.maxBlockBytes, limits::kBlockTxBytesMax);
    std::size_t bytes = 0;
    std::vector<TxRef> txs;
    for (const auto& tx : candidates) {
        if (txs.size() >= maxTxs) break;
        if (tx->bytes.size() > maxTxBytes - bytes) break;
        bytes += tx->bytes.size();
        txs.push_back(tx);
    }
    auto exec = execute(std::move(block), std::move(txs), true);
    if (!exec) return fail(exec.error());
    if (exec->bytes.size() > limits::kBlockBytesMax)  // the envelope allowance is proven to cover the rest
        return fail("built block of " + std::to_string(exec->bytes.size()) + " bytes exceeds the block limit");
    Proposal p{exec->block->id(), exec->bytes, exec->block->txs.size()};
    executed_.insert_or_assign(p.id, std::move(*exec));
    return p;
}

Expected<void, std::string> Application::checkHeader(const Block& block, const std::vector<Hash256>& txHashes) const {
    ChainRecord rec;
    {
        std::lock_guard lock(mu_);
        rec = record_;
    }
    const auto& h = block.header;
    const auto& chain = rec.next;
    if (h.chainId != genesis_.genesis.chainId) return fail("block for chain " + h.chainId);
    if (h.height != chain.height)
        return fail("block height " + std::to_string(h.height) + ", expected " + std::to_string(chain.height));
    if (h.lastBlockId != rec.blockId) return fail("block does not extend the last block");
    if (h.timeMs <= rec.timeMs) return fail("block time does not increase");
    if (h.validatorsHash != validatorSetHash(chain.validators)) return fail("validators_hash mismatch");
    bool proposerKnown = false;
    for (const auto& v : chain.validators.members())
        if (Address::fromPublicKey(v.key) == h.proposer) proposerKnown = true;
    if (!proposerKnown) return fail("proposer is not a validator");
    if (!block.contentMatchesHeader(txHashes)) return fail("content hashes do not match the header");
    if (chain.lastCommit.has_value() != block.lastCommit.has_value() ||
        (block.lastCommit && !(*block.lastCommit == *chain.lastCommit))) {
        // Any valid certificate for the parent is acceptable, not only ours.
        if (!block.lastCommit) return fail("block lacks the parent's commit certificate");
        if (block.lastCommit->blockId != rec.blockId) return fail("parent certificate names another block");
        auto ok = block.lastCommit->verify(h.chainId, rec.height, rec.decidedBy);
        if (!ok) return fail(std::string("parent certificate invalid: ") + std::string(errorName(ok.error())));
    }
    for (const auto& ev : block.evidence) {
        auto ok = ev.verify(h.chainId);
        if (!ok) return fail(std::string("evidence invalid: ") + std::string(errorName(ok.error())));
        if (auto admissible = evidenceAdmissibleAt(rec, ev); !admissible) return admissible;
    }
    return {};
}

Expected<void, std::string> Application::evidenceAdmissible(const DuplicateVoteEvidence& evidence) const {
    ChainRecord rec;
    {
        std::lock_guard lock(mu_);
        rec = record_;
    }
    return evidenceAdmissibleAt(rec, evidence);
}

Expected<void, std::string> Application::evidenceAdmissibleAt(const ChainRecord& rec,
                                                              const DuplicateVoteEvidence& ev) const {
    const PublicKey& key = ev.validator();
    if (rec.next.validators.powerOf(key) > 0 || rec.decidedBy.powerOf(key) > 0) return {};
    // Out of the recent sets: accountable while staking still holds its
    // stake (within the unbonding period) and it is not tombstoned yet. The
    // state read is the latest committed one, which the block at rec.next
    // executes on, so every node decides alike.
    const std::uint64_t infraction = ev.first.height;
    if (infraction > rec.next.height)
        return fail("evidence from height " + std::to_string(infraction) + ", above the height being decided");
    auto snap = store_->snapshot();
    if (snap->version() != rec.height) return fail("state and chain record disagree; retry");
    const auto params = contracts::loadParams(*snap);
    if (rec.next.height - infraction > params.unbondingBlocks)
        return fail("evidence from height " + std::to_string(infraction) + " is older than unbonding_blocks (" +
                    std::to_string(params.unbondingBlocks) + ")");
    auto v = contracts::validatorByConsensusKey(*snap, key);
    if (!v) return fail("evidence names a key no validator holds");
    if (v->tombstoned) return fail("evidence against a validator already tombstoned");
    return {};
}

Expected<Application::Execution, std::string> Application::execute(Block block, std::vector<TxRef> txs, bool proposing,
                                                                   Bytes wire) {
    ChainRecord rec;
    {
        std::lock_guard lock(mu_);
        rec = record_;
    }
    auto snap = store_->snapshot();
    if (snap->version() != rec.height) return fail("state is not at the last block");
    state::Sandbox sb(*snap);
    if (rec.height == 0) {
        auto init = contracts::initGenesis(sb, genesis_.genesis);
        if (!init) return fail("genesis: " + init.error().message);
    }
    state::BlockContext ctx;
    ctx.height = block.header.height;
    ctx.time = block.header.timeMs;
    ctx.chainId = block.header.chainId;
    for (const auto& v : rec.next.validators.members())
        if (Address::fromPublicKey(v.key) == block.header.proposer) ctx.proposer = v.key;
    if (block.lastCommit) {
        std::set<PublicKey> signers;
        for (const auto& s : block.lastCommit->signatures) signers.insert(s.validator);
        for (const auto& v : rec.decidedBy.members())
            if (signers.count(v.key) == 0) ctx.absentValidators.push_back(v.key);
    }
    for (const auto& ev : block.evidence)
        ctx.evidence.push_back({state::MisbehaviourKind::DoubleSign, ev.validator(), ev.first.height});

    contracts::Ledger ledger(genesis_.genesis.chainId);
    Execution exec;
    exec.results.beginEvents = ledger.beginBlock(sb, ctx);
    // The txs come decoded and hashed (the mempool's, or decoded once by
    // validate); check the signatures the mempool has not already checked,
    // across cores (a block from a peer, or replayed on sync).
    const std::size_t n = txs.size();
    std::vector<contracts::SignatureStatus> sigStatus(n, contracts::SignatureStatus::Unchecked);
    std::vector<std::uint8_t> cachedSig(n, 0);
    std::vector<const SignedTx*> toVerify;
    std::vector<std::size_t> toVerifyAt;
    for (std::size_t i = 0; i < n; ++i) {
        if (sigCache_->isVerified(txs[i]->hash)) {
            sigStatus[i] = contracts::SignatureStatus::Valid;
            cachedSig[i] = 1;
        } else {
            toVerify.push_back(&txs[i]->tx);
            toVerifyAt.push_back(i);
        }
    }
    if (!toVerify.empty()) {
        const auto valid = verifyInParallel(toVerify);
        for (std::size_t k = 0; k < valid.size(); ++k)
            sigStatus[toVerifyAt[k]] =
                valid[k] ? contracts::SignatureStatus::Valid : contracts::SignatureStatus::Invalid;
    }
    std::vector<TxRef> kept;
    kept.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const DecodedTx& tx = *txs[i];
        const auto result = ledger.deliverTx(sb, tx.tx, sigStatus[i]);
        const auto group = state::resultGroup(result.code);
        if (group == state::ResultGroup::Malformed || group == state::ResultGroup::Rejected) {
            if (proposing) continue;
            return fail("tx " + std::to_string(i) + " cannot be included: " + result.message);
        }
        if (cachedSig[i] == 0) sigCache_->markVerified(tx.hash);
        exec.results.txs.push_back(TxOutcome{static_cast<std::uint16_t>(result.code), result.feeCharged.micro(),
                                             result.message, result.events});
        kept.push_back(txs[i]);
    }
    auto end = ledger.endBlock(sb);
    exec.results.endEvents = std::move(end.events);
    exec.results.validatorUpdates = std::move(end.validatorUpdates);
    if (options_.checkInvariants) exec.invariantViolation = contracts::checkInvariants(sb);

    auto prepared = store_->prepare(block.header.height, sb.changes());
    if (!prepared) return fail("state: " + prepared.error().message());
    // The set of the next height exactly as the chain state will hold it
    // after this block (ChainState::next: pending updates due there, and this
    // block's own updates when validator_update_delay is 1).
    const Hash256 nextValidatorsHash = validatorSetHash(
        rec.next.next(CommitCertificate{}, exec.results.validatorUpdates, options_.validatorUpdateDelay).validators);
    exec.txHashes.reserve(kept.size());
    for (const auto& tx : kept) exec.txHashes.push_back(tx->hash);
    if (proposing) {
        block.txs.clear();
        block.txs.reserve(kept.size());
        for (const auto& tx : kept) block.txs.push_back(tx->bytes);
        block.header.nextValidatorsHash = nextValidatorsHash;
        block.header.appHash = prepared->root;
        block.header.resultsHash = exec.results.resultsHash();
        block.sealContentHashes(exec.txHashes);
    } else {
        if (block.header.appHash != prepared->root) return fail("app_hash mismatch: block executes to another state");
        if (block.header.resultsHash != exec.results.resultsHash()) return fail("results_hash mismatch");
        if (block.header.nextValidatorsHash != nextValidatorsHash)
            return fail("next_validators_hash mismatch: not the validator set of the next height");
    }
    exec.bytes = proposing ? encode(block) : std::move(wire);
    exec.block = std::make_shared<const Block>(std::move(block));
    exec.prepared = std::move(*prepared);
    return exec;
}

namespace {
Expected<void, std::string> checkTimeBound(const BlockHeader& h, std::optional<std::uint64_t> latestTimeMs) {
    if (latestTimeMs && h.timeMs > *latestTimeMs)
        return fail("block time " + std::to_string(h.timeMs) + " ms is later than this validator's clock allows (" +
                    std::to_string(*latestTimeMs) + " ms)");
    return {};
}
}  // namespace

Expected<void, std::string> Application::validate(const Hash256& id, ByteSpan bytes,
                                                  std::optional<std::uint64_t> latestTimeMs) {
    if (auto known = executed_.find(id); known != executed_.end())  // already executed (e.g. our own proposal)
        return checkTimeBound(known->second.block->header, latestTimeMs);
    auto block = decodeBlock(bytes);
    if (!block) return fail("block does not decode: " + block.error().message());
    if (block->id() != id) return fail("block id does not match its header");
    if (auto timely = checkTimeBound(block->header, latestTimeMs); !timely) return timely;
    // Each tx decoded and hashed once, here; execution and commit reuse both.
    std::vector<TxRef> txs;
    std::vector<Hash256> hashes;
    txs.reserve(block->txs.size());
    hashes.reserve(block->txs.size());
    for (std::size_t i = 0; i < block->txs.size(); ++i) {
        auto tx = decodeTx(block->txs[i]);
        if (!tx) return fail("tx " + std::to_string(i) + " is malformed: " + tx.error().message());
        hashes.push_back((*tx)->hash);
        txs.push_back(std::move(*tx));
    }
    if (auto ok = checkHeader(*block, hashes); !ok) return ok;
    auto exec = execute(std::move(*block), std::move(txs), false, Bytes(bytes.begin(), bytes.end()));
    if (!exec) return fail(exec.error());
    executed_.insert_or_assign(id, std::move(*exec));
    return {};
}

Expected<CommitOutcome, std::string> Application::commit(const Hash256& id, ByteSpan bytes,
                                                         const CommitCertificate& cert, Durability durability) {
    if (executed_.count(id) == 0) {
        if (auto ok = validate(id, bytes); !ok) return fail("cannot commit: " + ok.error());
    }
    auto node = executed_.extract(id);
    Execution& exec = node.mapped();
    if (exec.invariantViolation)
        return fail("ledger invariant violated after executing block " + std::to_string(exec.block->header.height) +
                    " (not committed): " + *exec.invariantViolation);
    ChainRecord rec;
    {
        std::lock_guard lock(mu_);
        rec = record_;
    }
    ChainRecord next;
    next.next = rec.next.next(cert, exec.results.validatorUpdates, options_.validatorUpdateDelay);
    next.decidedBy = rec.next.validators;
    next.height = exec.block->header.height;
    next.blockId = id;
    next.appHash = exec.block->header.appHash;
    next.timeMs = exec.block->header.timeMs;

    auto staged =
        blocks_.stage(exec.prepared.extra, *exec.block, exec.bytes, exec.txHashes, cert, encode(exec.results));
    if (!staged) return fail(staged.error());
    std::uint64_t newBase = 0;
    if (options_.retainBlocks > 0 && next.height >= options_.retainBlocks) {
        auto pruned = blocks_.stagePrune(exec.prepared.extra, next.height - options_.retainBlocks + 1,
                                         kPruneHeightsPerCommit, next.height);
        if (!pruned) return fail(pruned.error());
        newBase = *pruned;
    }
    const Bytes recordKey(1, keyspace::kChainRecord);
    const Bytes recordValue = encode(next);
    exec.prepared.extra.Put(slice(recordKey), slice(recordValue));
    exec.prepared.sync = durability == Durability::Synced;
    auto written = store_->write(std::move(exec.prepared));
    if (!written && store_->latestVersion() != next.height) return fail("commit failed: " + written.error().message());
    blocks_.committed(next.height, newBase);

    CommitOutcome out;
    out.height = next.height;
    out.blockId = id;
    out.appHash = next.appHash;
    out.txHashes = std::move(exec.txHashes);
    out.block = std::move(exec.block);
    out.results = std::move(exec.results);
    {
        std::lock_guard lock(mu_);
        record_ = std::move(next);
    }
    executed_.clear();
    return out;
}

}  // namespace agora::node
