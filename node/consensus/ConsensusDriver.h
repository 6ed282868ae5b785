#pragma once
// ConsensusDriver: hosts the pure consensus engine in the node. It feeds the
// engine inputs (network messages, timer expiries, application answers) one
// at a time on the consensus Executor and carries out its actions:
//
//   AppendWal          FileWal::append (fdatasync) before anything else
//   Broadcast*         ConsensusNetwork (p2p; a no-op for a lone validator)
//   ScheduleTimeout    an Executor timer (1 tick = 1 ms)
//   RequestBlock       Application::propose from the mempool's best txs
//   ValidateBlock      Application::validate, bounded by our clock + max_block_time_ahead_ms
//   Sign*              the Signer (signer state fsynced before release); a
//                      failed persist halts the driver like a failed WAL
//                      append or commit: no I/O failure is ever retried
//   ReportEvidence     kept for the next proposal
//   CommitBlock        Application::commit (one synced batch), then the
//                      commit callback (mempool update, waiters, events),
//                      then BlockFinalized: at once when txs wait and every
//                      validator's precommit is in the certificate, else
//                      when a full block of txs waits, a peer is at the next
//                      height, or consensus.timeout_commit_ms is over (with
//                      create_empty_blocks = false, and only then, that
//                      needs a tx too, or empty_blocks_interval_ms: see
//                      nextHeightMayStart, docs/consensus.md)
//   PersistChainState  checked against the Application's record; the WAL is
//                      emptied for the new height
//
// Restart: the engine is rebuilt from the Application's chain state and the
// WAL entries of that height are replayed (docs/consensus.md).
//
// stop() / start() again (block sync, docs/sync.md): stop() drops the engine;
// timers and inputs posted before it are ignored (a generation counter);
// start() rebuilds the engine from the Application's chain state, which
// block sync has moved on; when it has not (the sync applied nothing), the
// engine resumes the height it was at by replaying the WAL entries of that
// height, which stop() left in place: round, votes and lock survive.
// Evidence pooled meanwhile is kept.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/engine/Engine.h"
#include "consensus/engine/Signer.h"
#include "node/app/Application.h"
#include "node/config/SizeBudget.h"
#include "node/consensus/ConsensusAdmission.h"
#include "node/consensus/EvidencePool.h"
#include "node/consensus/Executor.h"
#include "node/consensus/FileWal.h"
#include "node/consensus/SignerStateFile.h"
#include "node/mempool/Mempool.h"
#include "wallet/SecretKey.h"

namespace agora::node {

// Where the driver sends consensus messages; the p2p layer implements it.
class ConsensusNetwork {
public:
    virtual ~ConsensusNetwork() = default;
    virtual void broadcastProposal(const Proposal& proposal) = 0;
    virtual void broadcastVote(const Vote& vote) = 0;
    virtual void broadcastEvidence(const DuplicateVoteEvidence&) {}
};

class NoPeers final : public ConsensusNetwork {
public:
    void broadcastProposal(const Proposal&) override {}
    void broadcastVote(const Vote&) override {}
};

struct DriverOptions {
    consensus::TimeoutConfig timeouts;
    std::uint64_t timeoutCommitMs = 500;
    // An upper bound on the pause after a commit: txs waiting end it early
    // (nextHeightMayStart). false: after the pause the next height starts
    // only once there is work: a tx in the mempool, or a proposal or vote of
    // the next height from a peer (its proposer had txs), or
    // emptyBlocksIntervalMs after the commit (0: never). The engine never
    // sees the difference: it gets its BlockFinalized later.
    bool createEmptyBlocks = true;
    std::uint64_t emptyBlocksIntervalMs = 0;
    std::uint64_t validatorUpdateDelay = 2;
    std::size_t maxBlockTxs = 5'000;
    std::size_t maxBlockBytes = budget::kDefaultBlockTxBytes;
    // A proposed block timed later than our clock plus this is refused
    // (consensus.max_block_time_ahead_ms, docs/consensus.md "Block time").
    std::uint64_t maxBlockTimeAheadMs = 10'000;
    // TEST ONLY (agorad start --unsafe-double-sign-at): at this height every
    // prevote we sign is followed by a conflicting one signed around the
    // signer state and sent to peers, so the network sees an equivocation.
    std::optional<std::uint64_t> unsafeDoubleSignAt;
};

// What the driver re-sends to a peer that lags (docs/p2p.md, catch-up).
struct DriverCatchUp {
    std::vector<Bytes> proposals;  // canonical Proposal bytes
    std::vector<Bytes> votes;      // canonical Vote bytes
};

struct ConsensusStatus {
    std::uint64_t height = 0;
    std::uint32_t round = 0;
    std::uint8_t step = 0;
    bool catchingUp = false;  // set by the node while block sync runs
    // The committed height holds the next one until a tx arrives
    // (create_empty_blocks = false): idle, not stalled.
    bool waitingForTxs = false;
};

class ConsensusDriver {
public:
    using CommitCallback = std::function<void(const CommitOutcome&)>;
    using FatalCallback = std::function<void(const std::string&)>;

    ConsensusDriver(Application& app, Mempool& mempool, std::optional<wallet::SecretKey> validatorKey,
                    SignerStateFile& signerState, FileWal wal, std::vector<consensus::Input> walEntries,
                    ConsensusNetwork& network, Executor& executor, DriverOptions options, CommitCallback onCommit,
                    FatalCallback onFatal);
    ~ConsensusDriver();

    // Runs on the executor: builds the engine, replays the WAL, starts.
    // May be called again after stop(): a new height starts with an empty
    // WAL; the height stop() left resumes from its WAL.
    Expected<void, std::string> start();
    // Drops the engine (on the executor; waits for it). Idempotent.
    void stop();
    bool running() const { return running_.load(); }

    // Duplicate-vote evidence from peers (any thread): verified against the
    // current validator set and pooled for the next own proposal.
    Expected<bool, std::string> submitEvidence(const DuplicateVoteEvidence& evidence);
    EvidencePool& evidencePool() { return evidence_; }

    // From the network (any thread).
    // Messages for heights up to kFutureHeights ahead are buffered (bounded
    // in count and bytes, and only when admitted: ConsensusAdmission) and
    // fed when the engine reaches their height.
    void receiveProposal(Proposal proposal);
    void receiveVote(Vote vote);

    // Admission of a gossiped proposal or vote before p2p relays it or hands
    // it here (any thread; docs/p2p.md "Admission", decision 48): checked
    // against the window published at the engine's last height change.
    // Before the engine first started: FutureHeight (nothing is admitted).
    Admission admitProposal(const Proposal& p) const;
    Admission admitVote(const Vote& v) const;
    // Admission of gossiped evidence before its signatures are checked, before
    // it is pooled and relayed (decision 53): the window's membership rule
    // (ConsensusAdmission::evidence; skipped before the engine first started),
    // then the offence must be new to the pool (else Known).
    EvidenceAdmission admitEvidence(const DuplicateVoteEvidence& e) const;
    std::shared_ptr<const ConsensusAdmission> admission() const;

    // The future-height buffer (any thread): held messages and their bytes,
    // and what it refused since start (not admitted / full / over its signer's share).
    struct FutureBufferStats {
        std::size_t messages = 0;
        std::size_t bytes = 0;
        std::uint64_t refusedAdmission = 0;
        std::uint64_t refusedFull = 0;
        std::uint64_t refusedSignerFull = 0;  // over its signer's share
    };
    FutureBufferStats futureBuffer() const;
    // Verified evidence from a peer; kept for our next proposal. Pooled when
    // newly pooled (p2p relays only that), else why not: Known, Inadmissible
    // (the pool's rule) or PoolFull.
    EvidenceAdmission receiveEvidence(DuplicateVoteEvidence evidence);
    // The mempool admitted a tx (any thread; cheap when nobody waits for one).
    void txsAvailable();

    // For a peer at `height` (any thread): at our height, the proposals and
    // votes we know of rounds >= round; below our height, the decided
    // proposal and commit precommits of the next few heights we still hold.
    // At most maxBytes of message bytes (at least one message; below our
    // height whole heights only, oldest first).
    DriverCatchUp catchUpFor(std::uint64_t height, std::uint32_t round, std::size_t maxBytes = kCatchUpBytesMax) const;

    static constexpr std::uint64_t kFutureHeights = 4;
    static constexpr std::size_t kFutureMessagesMax = 4096;
    // One full proposal per buffered height and as much again for votes and
    // re-proposals: a flood of validator-signed junk can hold no more.
    static constexpr std::size_t kFutureBytesMax = 2 * kFutureHeights * budget::kProposalMessageBytesMax;
    // Each signer's share of the buffer (decision 53): at most 1/n of either
    // bound for a set of n validators, but never less than these floors (one
    // largest proposal and its votes), so one signer's flood cannot crowd
    // the others out.
    static constexpr std::size_t kFutureSignerMessagesMin = 64;
    static constexpr std::size_t kFutureSignerBytesMin = budget::kProposalMessageBytesMax + 64 * 1024;
    static std::size_t futureSignerMessagesMax(std::size_t validators);
    static std::size_t futureSignerBytesMax(std::size_t validators);
    // A catch-up reply: a full proposal with its votes, twice; fits in half
    // of the default send queue (p2p.send_queue_max_bytes), where droppable
    // messages stop.
    static constexpr std::size_t kCatchUpBytesMax = 2 * budget::kProposalMessageBytesMax;
    static constexpr std::size_t kDecidedKept = 16;
    static constexpr std::uint64_t kCatchUpHeightsPerRequest = 4;

    ConsensusStatus status() const;
    bool isValidator() const { return key_.has_value(); }

private:
    EvidencePool::Admissible admissible() const {
        return [this](const DuplicateVoteEvidence& e) { return app_.evidenceAdmissible(e); };
    }
    class KeyAdapter;
    // Own: the node's own inputs (signatures, application answers, buffered
    // messages released), never dropped; Peer: bounded, dropped when full.
    enum class Lane { Own, Peer };
    void post(consensus::InputBody body, Lane lane);
    void handle(const consensus::Input& input);
    void execute(std::vector<consensus::Action> actions);
    void fatal(const std::string& message);
    std::uint64_t nowTicks() const;
    void remember(const consensus::Input& input);
    void rememberDecided(const consensus::CommitBlock& commit);
    void onHeightMaybeChanged();
    // Builds the admission window for the engine's height (executor thread).
    void publishAdmission();
    Admission admitInput(const consensus::InputBody& body) const;
    void doubleSign(const Vote& signedVote);
    // A valid precommit for the last decided block from a member of the set
    // that decided it, not yet in lastCommit_, joins it (late precommits).
    // True when it joined.
    bool addLatePrecommit(const Vote& vote);
    // Every member of the set that decided the last block has its precommit
    // in lastCommit_: no late precommit left to wait for.
    bool certificateComplete() const;
    // The commit pause (decision 44): the next height starts once txs wait
    // and the certificate is complete, or a full block of txs waits, or the
    // pause is over (and, with create_empty_blocks = false, a tx waits).
    // False: wakeAtTxs_ is set for txsAvailable.
    bool nextHeightMayStart();
    // Executor thread: hands the engine the BlockFinalized kept in
    // waitingFinalize_ once nextHeightMayStart, a peer is at the next
    // height, or `force` (empty_blocks_interval_ms).
    void maybeFinalize(bool force);

    Application& app_;
    Mempool& mempool_;
    std::optional<wallet::SecretKey> key_;
    SignerStateFile& signerState_;
    FileWal wal_;
    std::vector<consensus::Input> walEntries_;
    ConsensusNetwork& network_;
    Executor& executor_;
    DriverOptions options_;
    CommitCallback onCommit_;
    FatalCallback onFatal_;

    consensus::SchnorrVerifier verifier_;
    std::unique_ptr<KeyAdapter> keyAdapter_;
    std::unique_ptr<consensus::Signer> signer_;
    std::unique_ptr<consensus::Engine> engine_;
    EvidencePool evidence_;
    std::atomic<std::uint64_t> generation_{0};  // bumped by stop(): stale timers/inputs are dropped
    std::atomic<bool> running_{false};
    // The inputs in the WAL for the engine's height, in order (executor
    // thread): what a resume after stop() replays when nothing was applied
    // meanwhile. stoppedAt_: the engine's height when stop() dropped it.
    std::vector<consensus::Input> heightInputs_;
    // The certificate of the last block this driver committed, grown by
    // precommits that arrive after the quorum; our next proposal carries it
    // so slow validators are not counted absent (executor thread only).
    std::optional<CommitCertificate> lastCommit_;
    ValidatorSet lastDecidedBy_;
    std::optional<std::uint64_t> stoppedAt_;
    Executor::Clock::time_point epoch_ = Executor::Clock::now();
    std::atomic<std::uint64_t> statusHeight_{0};
    std::atomic<std::uint32_t> statusRound_{0};
    std::atomic<std::uint8_t> statusStep_{0};
    std::atomic<bool> statusWaitingForTxs_{false};
    bool failed_ = false;

    // Messages of heights above the engine's (executor thread only).
    std::multimap<std::uint64_t, consensus::InputBody> future_;
    std::size_t futureCount_ = 0;
    std::size_t futureBytes_ = 0;
    struct SignerShare {
        std::size_t messages = 0;
        std::size_t bytes = 0;
    };
    std::map<PublicKey, SignerShare> futureBySigner_;
    std::atomic<std::uint64_t> futureRefusedSignerFull_{0};
    std::atomic<std::size_t> futureCountShown_{0};
    std::atomic<std::size_t> futureBytesShown_{0};
    std::atomic<std::uint64_t> futureRefusedAdmission_{0};
    std::atomic<std::uint64_t> futureRefusedFull_{0};

    // The admission window (published by the executor, read by p2p threads).
    mutable std::mutex admissionMu_;
    std::shared_ptr<const ConsensusAdmission> admission_;
    std::uint64_t lastHeight_ = 0;

    // The committed height's BlockFinalized, held until maybeFinalize lets it
    // go (executor thread only), and whether the commit pause (its upper
    // bound, timeout_commit_ms) is over.
    std::optional<consensus::BlockFinalized> waitingFinalize_;
    bool commitPauseOver_ = false;
    bool peerAhead_ = false;  // a peer sent a message of the next height meanwhile
    // While the driver waits for txs: how many the mempool must hold for
    // txsAvailable to wake it (once); 0 = not waiting.
    std::atomic<std::size_t> wakeAtTxs_{0};

    // Catch-up material, read by p2p threads.
    struct RoundMessage {
        std::uint32_t round = 0;
        bool proposal = false;
        Bytes bytes;
        Hash256 blockId;  // proposals: the block; votes: unused
    };
    struct Decided {
        Bytes proposal;
        std::vector<Bytes> precommits;
    };
    mutable std::mutex catchUpMu_;
    std::uint64_t catchUpHeight_ = 0;
    std::vector<RoundMessage> current_;
    std::set<Hash256> currentSeen_;
    std::map<std::uint64_t, Decided> decided_;
};

}  // namespace agora::node
