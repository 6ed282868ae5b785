#pragma once
// The BFT proof-of-stake consensus engine (Tendermint, arXiv 1807.04938,
// Algorithm 1) as a pure state machine: inputs in (Input.h), actions out
// (Action.h). It holds no keys, threads, sockets, clocks or files; time comes
// in as Input::now and timeouts go out as ScheduleTimeout in ticks.
//
// NOT thread-safe, by design: one owner feeds it one input at a time (the
// node's consensus executor, or the simulator).
//
// Contract with the host (docs/consensus.md):
//   - Execute the returned actions in order. AppendWal comes first and must be
//     durable before the rest run.
//   - After a restart, construct the engine from the last persisted
//     ChainState, call start(), then replay() every WAL entry of that height in
//     order, executing the returned actions; then continue with handle().
//   - Sign requests go to a Signer (Signer.h); its answers come back as
//     OwnProposalSigned / OwnVoteSigned.
//   - CommitBlock is answered with BlockFinalized once the block is applied.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "consensus/core/Hash256.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/Vote.h"
#include "consensus/engine/Action.h"
#include "consensus/engine/ChainState.h"
#include "consensus/engine/Input.h"
#include "consensus/engine/SignatureVerifier.h"
#include "consensus/engine/Step.h"
#include "consensus/engine/TimeoutConfig.h"
#include "consensus/engine/VoteTally.h"

namespace agora::consensus {

struct EngineConfig {
    std::string chainId;
    // Our consensus key; nullopt (or a key outside the set) observes without voting.
    std::optional<PublicKey> self;
    TimeoutConfig timeouts;
    // Updates returned when finalizing height h take effect at h + delay (>= 1).
    std::uint64_t validatorUpdateDelay = 2;
    // Messages for rounds further ahead than this are ignored (bounds memory).
    std::uint32_t maxRoundsAhead = 256;
    // Distinct proposals kept per round (a Byzantine proposer may send many).
    std::size_t maxProposalsPerRound = 4;
    // TEST ONLY: breaks safety by ignoring the lock when prevoting. Exists so
    // the simulator's agreement checker can be shown to catch a broken engine.
    bool testOnlyIgnoreLock = false;
    // TEST ONLY: counts more than half of the power as a quorum instead of
    // more than two thirds (mutant; test/consensus/engine/MutationTest.cpp).
    bool testOnlyHalfQuorum = false;
    // TEST ONLY: prevotes a re-proposal (pol_round set) without the quorum of
    // prevotes in pol_round that line 28 requires: the proof-of-lock rule off.
    bool testOnlySkipPolCheck = false;
};

class Engine {
public:
    Engine(EngineConfig config, ChainState state, const SignatureVerifier& verifier);

    // Starts round 0 of the current height. Call once, before any input.
    std::vector<Action> start();
    // Acts on one input; the first action is AppendWal when the input was used.
    std::vector<Action> handle(const Input& input);
    // Acts on one WAL entry after a restart: like handle() without AppendWal.
    std::vector<Action> replay(const Input& input);

    std::uint64_t height() const { return chain_.height; }
    std::uint32_t round() const { return round_; }
    Step step() const { return step_; }
    bool decided() const { return decided_.has_value(); }
    std::optional<std::uint32_t> lockedRound() const { return lockedRound_; }
    std::optional<Hash256> lockedBlock() const { return lockedBlock_; }
    std::optional<std::uint32_t> validRound() const { return validRound_; }
    std::optional<Hash256> validBlock() const { return validBlock_; }
    const ChainState& chainState() const { return chain_; }
    // Proposer of a round of the current height.
    PublicKey proposerOf(std::uint32_t round) const;

private:
    enum class Validity : std::uint8_t { Unknown, Requested, Valid, Invalid };
    struct KnownBlock {
        Bytes bytes;
        Validity validity = Validity::Unknown;
    };
    struct RoundState {
        std::vector<Proposal> proposals;  // from the round's proposer, arrival order
        VoteTally prevotes;
        VoteTally precommits;
        std::set<PublicKey> voters;  // any vote type, for the round-skip rule
        std::uint64_t voterPower = 0;
        bool prevoteTimeoutScheduled = false;
        bool precommitTimeoutScheduled = false;
        bool validUpdated = false;  // line 36 "for the first time"
        bool proposalSignRequested = false;
    };

    std::vector<Action> process(const Input& input, bool log);
    bool admissible(const Input& input);
    bool admitProposal(const Proposal& p);
    bool admitVote(const Vote& v);
    void apply(const Input& input);
    void onProposal(const Proposal& p);
    void onVote(const Vote& v);
    void onTimeout(const TimeoutFired& t);
    void onBlockReady(const BlockReady& b);
    void onBlockValidated(const BlockValidated& b);
    void onFinalized(const BlockFinalized& f);

    void startRound(std::uint32_t round);
    void evaluate();
    bool ruleProposal();              // lines 22, 28
    bool validatingProposal() const;  // the round's proposal awaits the host's BlockValidated
    bool rulePrevoteAny();            // line 34
    bool rulePrevoteBlock();          // line 36
    bool rulePrevoteNil();            // line 44
    bool rulePrecommitAny();          // line 47
    bool ruleDecide();                // line 49
    bool ruleRoundSkip();             // line 55
    void castVote(VoteType type, std::optional<Hash256> blockId);
    void schedule(Step step, std::uint32_t round);
    void resetHeight();
    // More than two thirds of the power (more than half under testOnlyHalfQuorum).
    bool quorum(std::uint64_t power) const;
    bool isValidator() const;
    bool isValid(const Hash256& id) const;
    RoundState& roundState(std::uint32_t round) { return rounds_[round]; }
    const RoundState* findRound(std::uint32_t round) const;

    EngineConfig config_;
    ChainState chain_;
    const SignatureVerifier* verifier_;
    std::uint64_t now_ = 0;

    std::uint32_t round_ = 0;
    Step step_ = Step::Propose;
    std::optional<std::uint32_t> lockedRound_;
    std::optional<Hash256> lockedBlock_;
    std::optional<std::uint32_t> validRound_;
    std::optional<Hash256> validBlock_;
    std::optional<Hash256> decided_;
    std::optional<CommitCertificate> decidedCert_;
    std::map<std::uint32_t, RoundState> rounds_;
    std::map<Hash256, KnownBlock> blocks_;
    mutable std::map<std::uint32_t, PublicKey> proposerCache_;
    std::set<std::tuple<PublicKey, std::uint32_t, VoteType>> evidenceReported_;
    std::vector<Action> out_;
};

}  // namespace agora::consensus
