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

// What a buffered message holds in memory, near enough: its block bytes and
// a fixed allowance for the fields and the container.
std::size_t bufferedBytes(const InputBody& body) {
    constexpr std::size_t kFixed = 256;
    if (const auto* p = std::get_if<ProposalReceived>(&body)) return kFixed + p->proposal.block.size();
    return kFixed;
}

// Who signed a proposal or vote from the network.
PublicKey signerOf(const InputBody& body) {
    if (const auto* p = std::get_if<ProposalReceived>(&body)) return p->proposal.proposer;
    return std::get<VoteReceived>(body).vote.validator;
}

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
    // Shared with the task: if the executor drops it (stopped, or a task
    // threw) the promise breaks and get() below returns instead of hanging.
    auto promise = std::make_shared<std::promise<Expected<void, std::string>>>();
    auto result = promise->get_future();
    const bool posted = executor_.postInternal([this, promise] {
        auto& done = *promise;
        if (engine_) {
            done.set_value({});  // already running
            return;
        }
        const bool restart = running_.exchange(true) || generation_.load() > 0;
        if (restart) {
            if (stoppedAt_ && *stoppedAt_ == app_.chainState().height) {
                // Nothing was applied since stop() (a sync that found no
                // usable block): resume the same height from its WAL, so the
                // engine gets back its round, its votes and its lock. Starting
                // it afresh at round 0 would forget the lock (amnesia).
                walEntries_ = std::move(heightInputs_);
            } else if (auto ok = wal_.resetForHeight(); !ok) {
                // Block sync moved the chain on: the WAL's entries are for an older height.
                running_ = false;
                done.set_value(Unexpected(ok.error()));
                return;
            }
            heightInputs_.clear();
            stoppedAt_.reset();
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
            heightInputs_.push_back(entry);
            remember(entry);
            execute(engine_->replay(entry));
            ++replayed;
        }
        walEntries_.clear();
        if (replayed > 0) log()->info("replayed {} WAL entries at height {}", replayed, engine_->height());
        done.set_value({});
    });
    if (!posted) return Unexpected(std::string("consensus executor is not running"));
    try {
        return result.get();
    } catch (const std::future_error&) {
        return Unexpected(std::string("consensus executor stopped before consensus started"));
    }
}

void ConsensusDriver::stop() {
    auto promise = std::make_shared<std::promise<void>>();
    auto result = promise->get_future();
    const bool posted = executor_.postInternal([this, promise] {
        ++generation_;
        if (engine_) stoppedAt_ = engine_->height();
        engine_.reset();
        waitingFinalize_.reset();
        wakeAtTxs_ = 0;
        statusWaitingForTxs_ = false;
        signer_.reset();
        running_ = false;
        promise->set_value();
    });
    if (posted) result.wait();  // ready also when the executor dropped the task (broken promise)
}

Expected<bool, std::string> ConsensusDriver::submitEvidence(const DuplicateVoteEvidence& evidence) {
    return evidence_.add(evidence, app_.genesis().genesis.chainId, admissible());
}

void ConsensusDriver::post(InputBody body, Lane lane) {
    const std::uint64_t gen = generation_.load();
    auto task = [this, gen, b = std::move(body)]() mutable {
        if (gen == generation_.load()) handle(Input{nowTicks(), std::move(b)});
    };
    if (lane == Lane::Own) {
        // Never refused while the executor runs (Executor.h): our own votes,
        // proposals and the application's answers must not be lost.
        executor_.postInternal(std::move(task));
        return;
    }
    if (!executor_.post(std::move(task))) {
        // A peer's message; gossip re-sends it. Counted (Executor::refused,
        // /metrics agora_consensus_peer_inputs_dropped), logged at debug so a
        // flood does not flood the log too.
        log()->debug("input queue full, dropping a peer's message");
    }
}

void ConsensusDriver::receiveProposal(Proposal proposal) {
    post(ProposalReceived{std::move(proposal)}, Lane::Peer);
}

void ConsensusDriver::receiveVote(Vote vote) {
    post(VoteReceived{std::move(vote)}, Lane::Peer);
}

std::shared_ptr<const ConsensusAdmission> ConsensusDriver::admission() const {
    std::lock_guard lock(admissionMu_);
    return admission_;
}

Admission ConsensusDriver::admitProposal(const Proposal& p) const {
    const auto window = admission();
    return window ? window->proposal(p, statusRound_.load()) : Admission::FutureHeight;
}

Admission ConsensusDriver::admitVote(const Vote& v) const {
    const auto window = admission();
    return window ? window->vote(v, statusRound_.load()) : Admission::FutureHeight;
}

EvidenceAdmission ConsensusDriver::admitEvidence(const DuplicateVoteEvidence& e) const {
    if (const auto window = admission()) {
        const EvidenceAdmission verdict = window->evidence(e);
        if (verdict != EvidenceAdmission::Admitted) return verdict;
    }
    return evidence_.known(e) ? EvidenceAdmission::Known : EvidenceAdmission::Admitted;
}

Admission ConsensusDriver::admitInput(const InputBody& body) const {
    if (const auto* p = std::get_if<ProposalReceived>(&body)) return admitProposal(p->proposal);
    if (const auto* v = std::get_if<VoteReceived>(&body)) return admitVote(v->vote);
    return Admission::Relay;  // the node's own inputs
}

ConsensusDriver::FutureBufferStats ConsensusDriver::futureBuffer() const {
    return {futureCountShown_.load(), futureBytesShown_.load(), futureRefusedAdmission_.load(),
            futureRefusedFull_.load(), futureRefusedSignerFull_.load()};
}

std::size_t ConsensusDriver::futureSignerMessagesMax(std::size_t validators) {
    return std::max(kFutureMessagesMax / std::max<std::size_t>(validators, 1), kFutureSignerMessagesMin);
}

std::size_t ConsensusDriver::futureSignerBytesMax(std::size_t validators) {
    return std::max(kFutureBytesMax / std::max<std::size_t>(validators, 1), kFutureSignerBytesMin);
}

void ConsensusDriver::publishAdmission() {
    const ChainState& chain = engine_->chainState();
    const std::uint64_t h = chain.height;
    // The set of h + 1: the application's once it committed h (exact);
    // before, the chain state advanced with no new updates, exact when
    // updates returned by h take effect at h + 2 or later.
    ValidatorSet next;
    bool nextExact = false;
    if (app_.chainState().height == h + 1) {
        next = app_.chainState().validators;
        nextExact = true;
    } else {
        next = chain.next(CommitCertificate{}, {}, options_.validatorUpdateDelay).validators;
        nextExact = options_.validatorUpdateDelay >= 2;
    }
    std::optional<ConsensusAdmission::Decided> previous;
    if (lastCommit_ && lastCommit_->height + 1 == h)
        previous = ConsensusAdmission::Decided{lastDecidedBy_, lastCommit_->round};
    auto window = std::make_shared<const ConsensusAdmission>(h, std::move(previous), chain.validators, std::move(next),
                                                             nextExact, kFutureHeights);
    std::lock_guard lock(admissionMu_);
    admission_ = std::move(window);
}

void ConsensusDriver::txsAvailable() {
    // Cheap while nobody waits (0) or the mempool is short of the count the
    // driver waits for; the exchange makes one wake-up per wait.
    const std::size_t wanted = wakeAtTxs_.load();
    if (wanted == 0 || mempool_.size() < wanted) return;
    if (wakeAtTxs_.exchange(0) == 0) return;
    const std::uint64_t gen = generation_.load();
    // Internal lane: losing the wake-up would leave an idle chain waiting
    // although a tx is there.
    executor_.postInternal([this, gen] {
        if (gen == generation_.load()) maybeFinalize(false);
    });
}

bool ConsensusDriver::certificateComplete() const {
    return lastCommit_ && lastCommit_->signatures.size() >= lastDecidedBy_.size();
}

bool ConsensusDriver::nextHeightMayStart() {
    // Txs in the mempool that end the commit pause early: the first one once
    // every validator's precommit is in the certificate our next proposal
    // carries (nobody to wait for), else a full block's worth (waiting longer
    // would only make the next block wait too).
    std::size_t enough = certificateComplete() ? 1 : std::max<std::size_t>(options_.maxBlockTxs, 1);
    if (commitPauseOver_) {
        if (options_.createEmptyBlocks || mempool_.size() > 0) return true;
        enough = 1;  // no empty blocks: wait for the first tx
        statusWaitingForTxs_ = true;
    } else if (mempool_.size() >= enough) {
        return true;
    }
    // Set before the mempool is looked at again, so a tx admitted in between
    // wakes us (txsAvailable); a late precommit or the pause's timer also does.
    wakeAtTxs_ = enough;
    if (mempool_.size() < enough) return false;
    wakeAtTxs_ = 0;
    return true;
}

void ConsensusDriver::maybeFinalize(bool force) {
    if (failed_ || !engine_ || !waitingFinalize_) return;
    // A peer already at the next height: its proposer has started, waiting
    // here would only delay our votes.
    if (!force && !peerAhead_ && !nextHeightMayStart()) return;
    wakeAtTxs_ = 0;
    statusWaitingForTxs_ = false;
    BlockFinalized f = std::move(*waitingFinalize_);
    waitingFinalize_.reset();
    handle(Input{nowTicks(), std::move(f)});
}

EvidenceAdmission ConsensusDriver::receiveEvidence(DuplicateVoteEvidence evidence) {
    // The pool verifies both signatures against the current validator set and
    // ignores duplicates and evidence already committed.
    auto added = submitEvidence(evidence);
    if (!added) {
        // Logged at debug: a peer can send much of it (it is counted on /metrics).
        log()->debug("evidence from a peer rejected: {}", added.error());
        return added.error() == EvidencePool::kFullError ? EvidenceAdmission::PoolFull
                                                         : EvidenceAdmission::Inadmissible;
    }
    if (!*added) return EvidenceAdmission::Known;
    log()->warn("evidence from a peer: validator {} double-signed at height {}", evidence.validator().toHex(),
                evidence.first.height);
    return EvidenceAdmission::Pooled;
}

DriverCatchUp ConsensusDriver::catchUpFor(std::uint64_t height, std::uint32_t round, std::size_t maxBytes) const {
    DriverCatchUp out;
    std::size_t bytes = 0;
    std::lock_guard lock(catchUpMu_);
    if (height == catchUpHeight_) {
        // Small sets go whole (a re-proposal's proof-of-lock prevotes may be of an
        // earlier round); large ones from the peer's round on. In the order the
        // engine accepted them, up to maxBytes (at least one message): the
        // peer asks again at its next status.
        const bool all = current_.size() <= 256;
        for (const auto& m : current_) {
            if (!all && m.round < round) continue;
            if (bytes > 0 && bytes + m.bytes.size() > maxBytes) break;
            bytes += m.bytes.size();
            (m.proposal ? out.proposals : out.votes).push_back(m.bytes);
        }
        return out;
    }
    for (std::uint64_t h = height; h < catchUpHeight_ && h < height + kCatchUpHeightsPerRequest; ++h) {
        auto it = decided_.find(h);
        if (it == decided_.end()) break;
        // Whole heights only: a proposal without its precommits commits nothing.
        std::size_t heightBytes = it->second.proposal.size();
        for (const auto& v : it->second.precommits) heightBytes += v.size();
        if (bytes > 0 && bytes + heightBytes > maxBytes) break;
        bytes += heightBytes;
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
        const std::size_t bytes = bufferedBytes(it->second);
        futureBytes_ -= bytes;
        auto share = futureBySigner_.find(signerOf(it->second));
        if (share != futureBySigner_.end()) {
            share->second.messages -= 1;
            share->second.bytes -= bytes;
            if (share->second.messages == 0) futureBySigner_.erase(share);
        }
        if (it->first == h) ready.push_back(std::move(it->second));
        it = future_.erase(it);
        --futureCount_;
    }
    futureCountShown_ = futureCount_;
    futureBytesShown_ = futureBytes_;
    publishAdmission();
    // Already accepted (and bounded by kFutureMessagesMax): not dropped now.
    for (auto& body : ready) post(std::move(body), Lane::Own);
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
    ConsensusStatus s{statusHeight_.load(), statusRound_.load(), statusStep_.load()};
    s.waitingForTxs = statusWaitingForTxs_.load();
    return s;
}

void ConsensusDriver::fatal(const std::string& message) {
    if (failed_) return;
    failed_ = true;
    log()->critical("consensus halted: {}", message);
    if (onFatal_) onFatal_(message);
}

bool ConsensusDriver::addLatePrecommit(const Vote& vote) {
    if (!lastCommit_ || vote.height != lastCommit_->height || vote.type != VoteType::Precommit ||
        vote.round != lastCommit_->round || vote.blockId != lastCommit_->blockId)
        return false;
    if (lastDecidedBy_.powerOf(vote.validator) == 0) return false;
    auto& sigs = lastCommit_->signatures;
    const auto at = std::lower_bound(sigs.begin(), sigs.end(), vote.validator,
                                     [](const CommitSignature& s, const PublicKey& k) { return s.validator < k; });
    if (at != sigs.end() && at->validator == vote.validator) return false;
    if (!vote.verifySignature(app_.genesis().genesis.chainId)) return false;
    sigs.insert(at, CommitSignature{vote.validator, vote.signature});
    log()->debug("late precommit of {} joins the certificate of height {}", vote.validator.toHex(), vote.height);
    return true;
}

void ConsensusDriver::handle(const Input& input) {
    if (failed_ || !engine_) return;
    const auto* vote = std::get_if<VoteReceived>(&input.body);
    const bool certificateGrew = vote && addLatePrecommit(vote->vote);
    const bool fromNetwork =
        std::holds_alternative<ProposalReceived>(input.body) || std::holds_alternative<VoteReceived>(input.body);
    if (fromNetwork && input.height() > engine_->height()) {
        // Admission again, against the window of the engine's height now (p2p
        // checked the one it saw): a message that could not be signed by a
        // validator of its height is neither buffered nor taken as a sign
        // that the network moved on.
        const Admission verdict = admitInput(input.body);
        if (!admitted(verdict)) {
            futureRefusedAdmission_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        const std::size_t bytes = bufferedBytes(input.body);
        if (input.height() <= engine_->height() + kFutureHeights) {
            const auto [first, last] = future_.equal_range(input.height());
            for (auto it = first; it != last; ++it)
                if (it->second == input.body) return;  // catch-up re-sends repeat
            // Each signer within its share first (decision 53), then the totals.
            const std::size_t validators = engine_->chainState().validators.size();
            SignerShare& share = futureBySigner_[signerOf(input.body)];
            if (share.messages >= futureSignerMessagesMax(validators) ||
                share.bytes + bytes > futureSignerBytesMax(validators)) {
                futureRefusedSignerFull_.fetch_add(1, std::memory_order_relaxed);
            } else if (futureCount_ < kFutureMessagesMax && futureBytes_ + bytes <= kFutureBytesMax) {
                future_.emplace(input.height(), input.body);
                ++futureCount_;
                futureBytes_ += bytes;
                share.messages += 1;
                share.bytes += bytes;
                futureCountShown_ = futureCount_;
                futureBytesShown_ = futureBytes_;
            } else {
                futureRefusedFull_.fetch_add(1, std::memory_order_relaxed);
            }
            if (share.messages == 0) futureBySigner_.erase(signerOf(input.body));
        }
        // A peer is at the next height: its proposer had work, so do we.
        if (waitingFinalize_ && input.height() == engine_->height() + 1) {
            peerAhead_ = true;
            maybeFinalize(false);
        }
        return;
    }
    execute(engine_->handle(input));
    // During the commit pause: perhaps the certificate is complete now and txs wait.
    if (certificateGrew && waitingFinalize_) maybeFinalize(false);
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
                    heightInputs_.push_back(a.input);
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
                    std::vector<TxRef> txs;
                    for (const auto& e : mempool_.reap(options_.maxBlockTxs, options_.maxBlockBytes))
                        txs.push_back(e->tx);
                    auto p = app_.propose(key_->publicKey(), wallClockMs(), txs, evidence_.pending(admissible()),
                                          lastCommit_);
                    if (!p) {
                        fatal("cannot build a block: " + p.error());
                        return;
                    }
                    log()->debug("proposing height {} round {} with {} txs", a.height, a.round, p->included);
                    post(BlockReady{a.height, a.round, p->id, std::move(p->bytes)}, Lane::Own);
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
                    post(BlockValidated{a.height, a.blockId, ok.hasValue()}, Lane::Own);
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
                    post(OwnProposalSigned{std::move(*signedProposal)}, Lane::Own);
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
                    post(OwnVoteSigned{std::move(*signedVote)}, Lane::Own);
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
                    ValidatorSet decidedBy = app_.chainState().validators;
                    auto outcome = app_.commit(a.blockId, a.block, a.certificate);
                    if (!outcome) {
                        fatal("cannot commit block " + std::to_string(a.height) + ": " + outcome.error());
                        return;
                    }
                    log()->info("committed height {} block {} app_hash {} txs {}", outcome->height,
                                outcome->blockId.toHex().substr(0, 16), outcome->appHash.toHex().substr(0, 16),
                                outcome->txHashes.size());
                    // Precommits for this block that arrive from now on join
                    // the certificate our next proposal carries.
                    lastCommit_ = a.certificate;
                    lastDecidedBy_ = std::move(decidedBy);
                    // The node's after-commit step (node/submit/AfterCommit): mempool,
                    // this driver's evidence pool, commit waiters, events.
                    if (onCommit_) onCommit_(*outcome);
                    waitingFinalize_ = BlockFinalized{a.height, outcome->results.validatorUpdates};
                    commitPauseOver_ = false;
                    peerAhead_ = false;
                    const auto committedAt = Executor::Clock::now();
                    const auto gen = generation_.load();
                    const std::uint64_t height = a.height;
                    // The commit pause is an upper bound: the next height may
                    // start before it ends (nextHeightMayStart). Looked at
                    // once this action list is done (PersistChainState
                    // empties the WAL of this height first).
                    executor_.postInternal([this, gen, height] {
                        if (gen != generation_.load() || !waitingFinalize_ || waitingFinalize_->height != height)
                            return;
                        maybeFinalize(false);
                    });
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
                    heightInputs_.clear();
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
