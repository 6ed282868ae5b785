#include "node/consensus/ConsensusDriver.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <limits>
#include "consensus/core/Block.h"
#include "node/base/Logging.h"

namespace agora::node {

using namespace consensus;

namespace {
std::shared_ptr<spdlog::logger> log() {
    return moduleLog("consensus");
}

template <typename... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

std::uint64_t wallClockMs() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}
}  // namespace

class ConsensusDriver::KeyAdapter final : public KeyHandle {
public:
    explicit KeyAdapter(const wallet::SecretKey& key) : key_(key), pub_(key.publicKey()) {}
    PublicKey publicKey() const override { return pub_; }
    Signature sign(const Hash256& digest) override { return key_.sign(digest.span()); }

private:
    const wallet::SecretKey& key_;
    PublicKey pub_;
};

ConsensusDriver::ConsensusDriver(Application& app, Mempool& mempool, std::optional<wallet::SecretKey> validatorKey,
                                 SignerStateFile& signerState, FileWal wal, std::vector<Input> walEntries,
                                 ConsensusNetwork& network, Executor& executor, DriverOptions options,
                                 CommitCallback onCommit, FatalCallback onFatal)
    : app_(app),
      mempool_(mempool),
      key_(std::move(validatorKey)),
      signerState_(signerState),
      wal_(std::move(wal)),
      walEntries_(std::move(walEntries)),
      network_(network),
      executor_(executor),
      options_(options),
      onCommit_(std::move(onCommit)),
      onFatal_(std::move(onFatal)) {}

ConsensusDriver::~ConsensusDriver() = default;

std::uint64_t ConsensusDriver::nowTicks() const {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Executor::Clock::now() - epoch_).count());
}

Expected<void, std::string> ConsensusDriver::start() {
    std::promise<Expected<void, std::string>> done;
    auto result = done.get_future();
    const bool posted = executor_.post([this, &done] {
        if (engine_) {
            done.set_value({});  // already running
            return;
        }
        const bool restart = running_.exchange(true) || generation_.load() > 0;
        if (restart) {
            // Block sync moved the chain on: the WAL's entries are for an older height.
            if (auto ok = wal_.resetForHeight(); !ok) {
                running_ = false;
                done.set_value(Unexpected(ok.error()));
                return;
            }
        }
        EngineConfig cfg;
        cfg.chainId = app_.genesis().genesis.chainId;
        cfg.timeouts = options_.timeouts;
        cfg.validatorUpdateDelay = options_.validatorUpdateDelay;
        if (key_) {
            auto last = signerState_.load();
            if (!last) {
                running_ = false;
                done.set_value(Unexpected(last.error()));
                return;
            }
            keyAdapter_ = std::make_unique<KeyAdapter>(*key_);
            signer_ = std::make_unique<Signer>(cfg.chainId, *last, signerState_, *keyAdapter_);
            cfg.self = key_->publicKey();
        }
        engine_ = std::make_unique<Engine>(cfg, app_.chainState(), verifier_);
        execute(engine_->start());
        std::size_t replayed = 0;
        for (const auto& entry : walEntries_) {
            if (entry.height() != engine_->height()) continue;
            remember(entry);
            execute(engine_->replay(entry));
            ++replayed;
        }
        walEntries_.clear();
        if (replayed > 0) log()->info("replayed {} WAL entries at height {}", replayed, engine_->height());
        done.set_value({});
    });
    if (!posted) return Unexpected(std::string("consensus executor is not running"));
    return result.get();
}

void ConsensusDriver::stop() {
    std::promise<void> done;
    auto result = done.get_future();
    const bool posted = executor_.post([this, &done] {
        ++generation_;
        engine_.reset();
        waitingFinalize_.reset();
        wantTxs_ = false;
        signer_.reset();
        running_ = false;
        done.set_value();
    });
    if (posted) result.wait();
}

Expected<bool, std::string> ConsensusDriver::submitEvidence(const DuplicateVoteEvidence& evidence) {
    return evidence_.add(evidence, app_.genesis().genesis.chainId, admissible());
}

void ConsensusDriver::post(InputBody body) {
    const std::uint64_t gen = generation_.load();
    if (!executor_.post([this, gen, b = std::move(body)]() mutable {
            if (gen == generation_.load()) handle(Input{nowTicks(), std::move(b)});
        }))
        log()->warn("input queue full, dropping an input");
}

void ConsensusDriver::receiveProposal(Proposal proposal) {
    post(ProposalReceived{std::move(proposal)});
}

void ConsensusDriver::receiveVote(Vote vote) {
    post(VoteReceived{std::move(vote)});
}

void ConsensusDriver::txsAvailable() {
    if (!wantTxs_.exchange(false)) return;
    const std::uint64_t gen = generation_.load();
    if (!executor_.post([this, gen] {
            if (gen == generation_.load()) maybeFinalize(false);
        }))
        log()->warn("input queue full, dropping a txs-available wake-up");
}

void ConsensusDriver::maybeFinalize(bool force) {
    if (failed_ || !engine_ || !waitingFinalize_ || !commitPauseOver_) return;
    if (!force && !options_.createEmptyBlocks && !peerAhead_ && mempool_.size() == 0) {
        // Nothing to propose: wait for the first tx. The flag is set before
        // the mempool is looked at again, so a tx admitted in between wakes us.
        wantTxs_ = true;
        if (mempool_.size() == 0) return;
        wantTxs_ = false;
    }
    wantTxs_ = false;
    BlockFinalized f = std::move(*waitingFinalize_);
    waitingFinalize_.reset();
    handle(Input{nowTicks(), std::move(f)});
}

void ConsensusDriver::receiveEvidence(DuplicateVoteEvidence evidence) {
    // The pool verifies both signatures against the current validator set and
    // ignores duplicates and evidence already committed.
    auto added = submitEvidence(evidence);
    if (!added)
        log()->warn("evidence from a peer rejected: {}", added.error());
    else if (*added)
        log()->warn("evidence from a peer: validator {} double-signed at height {}", evidence.validator().toHex(),
                    evidence.first.height);
}

DriverCatchUp ConsensusDriver::catchUpFor(std::uint64_t height, std::uint32_t round) const {
    DriverCatchUp out;
    std::lock_guard lock(catchUpMu_);
    if (height == catchUpHeight_) {
        // Small sets go whole (a re-proposal's proof-of-lock prevotes may be of an
        // earlier round); large ones from the peer's round on.
        const bool all = current_.size() <= 256;
        for (const auto& m : current_) {
            if (!all && m.round < round) continue;
            (m.proposal ? out.proposals : out.votes).push_back(m.bytes);
        }
        return out;
    }
    for (std::uint64_t h = height; h < catchUpHeight_ && h < height + kCatchUpHeightsPerRequest; ++h) {
        auto it = decided_.find(h);
        if (it == decided_.end()) break;
        out.proposals.push_back(it->second.proposal);
        for (const auto& v : it->second.precommits) out.votes.push_back(v);
    }
    return out;
}

void ConsensusDriver::remember(const Input& input) {
    RoundMessage m;
    if (const auto* p = std::get_if<ProposalReceived>(&input.body)) {
        m = {p->proposal.round, true, encode(p->proposal), p->proposal.blockId};
    } else if (const auto* op = std::get_if<OwnProposalSigned>(&input.body)) {
        m = {op->proposal.round, true, encode(op->proposal), op->proposal.blockId};
    } else if (const auto* v = std::get_if<VoteReceived>(&input.body)) {
        m = {v->vote.round, false, encode(v->vote), Hash256{}};
    } else if (const auto* ov = std::get_if<OwnVoteSigned>(&input.body)) {
        m = {ov->vote.round, false, encode(ov->vote), Hash256{}};
    } else {
        return;
    }
    std::lock_guard lock(catchUpMu_);
    if (input.height() != catchUpHeight_ || current_.size() >= 8192) return;
    if (!currentSeen_.insert(sha256(m.bytes)).second) return;
    current_.push_back(std::move(m));
}

void ConsensusDriver::rememberDecided(const CommitBlock& commit) {
    std::lock_guard lock(catchUpMu_);
    const auto& cert = commit.certificate;
    for (const auto& m : current_) {
        if (!m.proposal || m.round != cert.round || m.blockId != cert.blockId) continue;
        Decided d;
        d.proposal = m.bytes;
        for (std::size_t i = 0; i < cert.signatures.size(); ++i) d.precommits.push_back(encode(cert.precommitOf(i)));
        decided_[commit.height] = std::move(d);
        break;
    }
    while (decided_.size() > kDecidedKept) decided_.erase(decided_.begin());
}

void ConsensusDriver::onHeightMaybeChanged() {
    const auto h = engine_->height();
    if (h == lastHeight_) return;
    lastHeight_ = h;
    {
        std::lock_guard lock(catchUpMu_);
        catchUpHeight_ = h;
        current_.clear();
        currentSeen_.clear();
    }
    // Feed what arrived early; drop what is now stale.
    std::vector<InputBody> ready;
    for (auto it = future_.begin(); it != future_.end() && it->first <= h;) {
        if (it->first == h) ready.push_back(std::move(it->second));
        it = future_.erase(it);
        --futureCount_;
    }
    for (auto& body : ready) post(std::move(body));
}

void ConsensusDriver::doubleSign(const Vote& signedVote) {
    Vote twin = signedVote;
    if (twin.blockId) {
        twin.blockId.reset();
    } else {
        const std::string_view tag = "agora/unsafe-double-sign";
        twin.blockId = sha256(ByteSpan(reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()));
    }
    twin.signature = key_->sign(twin.signDigest(app_.genesis().genesis.chainId).span());
    log()->warn("UNSAFE: double-signing a prevote at height {} round {}", twin.height, twin.round);
    network_.broadcastVote(twin);
}

ConsensusStatus ConsensusDriver::status() const {
    return {statusHeight_.load(), statusRound_.load(), statusStep_.load()};
}

void ConsensusDriver::fatal(const std::string& message) {
    if (failed_) return;
    failed_ = true;
    log()->critical("consensus halted: {}", message);
    if (onFatal_) onFatal_(message);
}

void ConsensusDriver::handle(const Input& input) {
    if (failed_ || !engine_) return;
    const bool fromNetwork =
        std::holds_alternative<ProposalReceived>(input.body) || std::holds_alternative<VoteReceived>(input.body);
    if (fromNetwork && input.height() > engine_->height()) {
        if (input.height() <= engine_->height() + kFutureHeights && futureCount_ < kFutureMessagesMax) {
            const auto [first, last] = future_.equal_range(input.height());
            for (auto it = first; it != last; ++it)
                if (it->second == input.body) return;  // catch-up re-sends repeat
            future_.emplace(input.height(), input.body);
            ++futureCount_;
        }
        // A peer is at the next height: its proposer had work, so do we.
        if (waitingFinalize_ && input.height() == engine_->height() + 1) {
            peerAhead_ = true;
            maybeFinalize(false);
        }
        return;
    }
    execute(engine_->handle(input));
}

void ConsensusDriver::execute(std::vector<Action> actions) {
    for (auto& action : actions) {
        if (failed_) return;
        std::visit(
            Overloaded{
                [&](const AppendWal& a) {
                    if (auto ok = wal_.append(a.input); !ok) {
                        fatal(ok.error());
                        return;
                    }
                    remember(a.input);
                },
                [&](const BroadcastProposal& a) { network_.broadcastProposal(a.proposal); },
                [&](const BroadcastVote& a) { network_.broadcastVote(a.vote); },
                [&](const ScheduleTimeout& a) {
                    const auto at = Executor::Clock::now() + std::chrono::milliseconds(a.ticks);
                    executor_.schedule(at,
                                       [this, gen = generation_.load(), t = TimeoutFired{a.height, a.round, a.step}] {
                                           if (gen == generation_.load()) handle(Input{nowTicks(), t});
                                       });
                },
                [&](const RequestBlock& a) {
                    // pending() keeps only evidence a block may carry, or the block would not build.
                    std::vector<Bytes> txs;
                    for (const auto& e : mempool_.reap(options_.maxBlockTxs, options_.maxBlockBytes))
                        txs.push_back(e->bytes);
                    auto p = app_.propose(key_->publicKey(), wallClockMs(), txs, evidence_.pending(admissible()));
                    if (!p) {
                        fatal("cannot build a block: " + p.error());
                        return;
                    }
                    log()->debug("proposing height {} round {} with {} txs", a.height, a.round, p->included);
                    post(BlockReady{a.height, a.round, p->id, std::move(p->bytes)});
                },
                [&](const ValidateBlock& a) {
                    // Saturating: a clock near the end of time must not wrap the bound to the past.
                    const std::uint64_t now = wallClockMs();
                    const std::uint64_t ahead = options_.maxBlockTimeAheadMs;
                    const std::uint64_t latest = now > std::numeric_limits<std::uint64_t>::max() - ahead
                                                     ? std::numeric_limits<std::uint64_t>::max()
                                                     : now + ahead;
                    auto ok = app_.validate(a.blockId, a.block, latest);
                    if (!ok)
                        log()->warn("rejecting block {} at height {}: {}", a.blockId.toHex(), a.height, ok.error());
                    post(BlockValidated{a.height, a.blockId, ok.hasValue()});
                },
                [&](const SignProposal& a) {
                    if (!signer_) return;
                    auto signedProposal = signer_->signProposal(a.proposal);
                    if (!signedProposal) {
                        if (signedProposal.error() == SignError::PersistFailed) {
                            fatal("cannot persist the signer state: " + signerState_.lastError());
                            return;
                        }
                        log()->warn("signer refused a proposal at {}/{}: {}", a.proposal.height, a.proposal.round,
                                    errorName(signedProposal.error()));
                        return;
                    }
                    post(OwnProposalSigned{std::move(*signedProposal)});
                },
                [&](const SignVote& a) {
                    if (!signer_) return;
                    auto signedVote = signer_->signVote(a.vote);
                    if (!signedVote) {
                        // A failed persist may have failed an fsync: never go on (docs/crash-consistency.md).
                        if (signedVote.error() == SignError::PersistFailed) {
                            fatal("cannot persist the signer state: " + signerState_.lastError());
                            return;
                        }
                        log()->warn("signer refused a vote at {}/{}: {}", a.vote.height, a.vote.round,
                                    errorName(signedVote.error()));
                        return;
                    }
                    if (options_.unsafeDoubleSignAt && a.vote.height == *options_.unsafeDoubleSignAt &&
                        a.vote.type == VoteType::Prevote)
                        doubleSign(*signedVote);
                    post(OwnVoteSigned{std::move(*signedVote)});
                },
                [&](const ReportEvidence& a) {
                    auto added = evidence_.add(a.evidence, app_.genesis().genesis.chainId, admissible());
                    if (!added) {
                        log()->warn("engine evidence not pooled: {}", added.error());
                    } else if (*added) {
                        log()->warn("duplicate votes by validator {} at height {} round {}: evidence kept for a block",
                                    a.evidence.validator().toHex(), a.evidence.first.height, a.evidence.first.round);
                        network_.broadcastEvidence(a.evidence);
                    }
                },
                [&](const CommitBlock& a) {
                    rememberDecided(a);
                    auto outcome = app_.commit(a.blockId, a.block, a.certificate);
                    if (!outcome) {
                        fatal("cannot commit block " + std::to_string(a.height) + ": " + outcome.error());
                        return;
                    }
                    // Included evidence leaves the pool (the node's commit callback
                    // does the same for blocks applied by block sync).
                    if (auto block = decodeBlock(a.block)) evidence_.markCommitted(block->evidence);
                    log()->info("committed height {} block {} app_hash {} txs {}", outcome->height,
                                outcome->blockId.toHex().substr(0, 16), outcome->appHash.toHex().substr(0, 16),
                                outcome->txHashes.size());
                    if (onCommit_) onCommit_(*outcome);
                    waitingFinalize_ = BlockFinalized{a.height, outcome->results.validatorUpdates};
                    commitPauseOver_ = false;
                    peerAhead_ = false;
                    const auto committedAt = Executor::Clock::now();
                    const auto gen = generation_.load();
                    const std::uint64_t height = a.height;
                    executor_.schedule(
                        committedAt + std::chrono::milliseconds(options_.timeoutCommitMs), [this, gen, height] {
                            if (gen != generation_.load() || !waitingFinalize_ || waitingFinalize_->height != height)
                                return;
                            commitPauseOver_ = true;
                            maybeFinalize(false);
                        });
                    if (!options_.createEmptyBlocks && options_.emptyBlocksIntervalMs > 0) {
                        const auto interval = std::max(options_.emptyBlocksIntervalMs, options_.timeoutCommitMs);
                        executor_.schedule(committedAt + std::chrono::milliseconds(interval), [this, gen, height] {
                            if (gen != generation_.load() || !waitingFinalize_ || waitingFinalize_->height != height)
                                return;
                            commitPauseOver_ = true;
                            maybeFinalize(true);
                        });
                    }
                },
                [&](const PersistChainState& a) {
                    if (!(a.state == app_.chainState())) {
                        fatal("engine and application disagree on the chain state at height " +
                              std::to_string(a.state.height));
                        return;
                    }
                    if (auto ok = wal_.resetForHeight(); !ok) fatal(ok.error());
                },
            },
            action);
    }
    if (engine_) {
        onHeightMaybeChanged();
        statusHeight_ = engine_->height();
        statusRound_ = engine_->round();
        statusStep_ = static_cast<std::uint8_t>(engine_->step());
    }
}

}  // namespace agora::node
