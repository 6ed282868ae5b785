#pragma once
// A deterministic discrete-event simulation of N consensus engines on a
// faulty network with virtual time. Everything random comes from one seed,
// so a run replays exactly: AGORA_SIM_SCENARIO=<name> AGORA_SIM_SEED=<seed>
// test_engine "[.replay]" (docs/consensus.md).
//
// Faults before GST (global stabilisation time): per-message delays with a
// long tail, drops, duplicates (hence reordering), partitions that form and
// heal, crash-restart of honest nodes at any action boundary (including right
// after the signer persisted its state and before the signature was used),
// and Byzantine validators (silent, equivocating proposer + double voter, or a
// proof-of-lock forger) holding less than 1/3 of the power. After GST the
// network is reliable with bounded delay and crashed nodes are back.
//
// Checkers after each run: agreement, validity (committed blocks were built by
// some node's application and their certificates verify), no honest
// double-sign, evidence only against Byzantine validators and for every
// equivocation an honest node logged, liveness (every honest node reaches the
// target height within a bounded time after GST).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "Rng.h"
#include "TestKeys.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/ValidatorSet.h"
#include "consensus/core/Vote.h"
#include "consensus/engine/ChainState.h"
#include "consensus/engine/Engine.h"
#include "consensus/engine/Signer.h"

namespace agora::sim {

// Silent: never runs. Equivocator: as proposer signs two blocks and sends each
// to half of the peers; as voter signs a second, conflicting vote for every
// vote and splits them too. PolForger: attacks the proof-of-lock rule (line
// 28): when it precommits a block A it sends that precommit to one honest node
// (the decider) and a nil precommit to the others, so the decider may commit A
// while the others stay locked on A undecided; as proposer of any later round
// of that height it proposes a fresh block B with pol_round = round - 1, a
// proof of lock that no quorum backs, and prevotes and precommits B at once, to
// everyone but the decider. An engine that honours line 28 ignores B.
enum class Role : std::uint8_t { Honest, Silent, Equivocator, PolForger };

struct Scenario {
    std::string name;
    std::uint32_t minValidators = 4;
    std::uint32_t maxValidators = 10;
    std::uint64_t minPower = 1;
    std::uint64_t maxPower = 50;
    // Network before GST (ticks; probabilities in parts per million).
    std::uint64_t minDelay = 2;
    std::uint64_t maxDelay = 40;
    std::uint32_t tailPpm = 0;  // chance of a long delay
    std::uint64_t tailDelay = 600;
    std::uint32_t dropPpm = 0;
    std::uint32_t duplicatePpm = 0;
    // Extra loss by message kind (a network that loses big proposals more).
    std::uint32_t proposalDropPpm = 0;
    std::uint32_t precommitDropPpm = 0;
    std::uint32_t partitions = 0;  // partition episodes before GST
    // Crashes of honest nodes before GST.
    std::uint32_t crashPpm = 0;              // per executed action
    std::uint32_t crashAfterPersistPpm = 0;  // per persisted signer state
    std::uint64_t maxDowntime = 800;
    // Byzantine validators (total Byzantine power stays below 1/3).
    std::uint32_t maxByzantine = 0;
    bool silentByzantine = true;
    bool equivocatingByzantine = true;
    // Every Byzantine validator is a PolForger (overrides the two above).
    bool polForgingByzantine = false;
    // Run shape.
    std::uint64_t gst = 0;
    std::uint64_t targetHeight = 4;
    std::uint64_t livenessWindow = 30000;  // ticks after GST to reach the target
    std::uint64_t gossipInterval = 250;
    // Nodes answer messages of a height they decided with its commit
    // (proposal + precommits), so laggards catch up.
    bool catchUp = true;
    std::uint64_t validatorUpdateEvery = 2;  // heights; 0 = never
    consensus::TimeoutConfig timeouts{300, 100, 150, 50, 150, 50};
    // Deterministic crash point: node crashNode crashes just before executing
    // its crashAtAction-th action (counted over its whole life; 0 = never).
    std::size_t crashNode = 0;
    std::uint64_t crashAtAction = 0;
    // TEST ONLY mutation (Engine::testOnlyIgnoreLock) on honest nodes.
    bool ignoreLock = false;
    // TEST ONLY mutation: an honest node that restarts forgets its WAL (it
    // keeps its chain state and signer state) and starts its height afresh
    // at round 0: what the node's catch-up controller did after a block sync
    // that applied nothing (issue 17, amnesia).
    bool amnesiaOnRestart = false;
    // TEST ONLY mutations on honest nodes (issue 17), each caught by a checker
    // in MutationTest.cpp:
    //   halfQuorum      Engine::testOnlyHalfQuorum: more than 1/2 of the power is a quorum
    //   skipWalAppendPpm  the host drops this share of AppendWal actions (not persisted)
    //   signerBypass    the host signs with the key directly, without the Signer's
    //                   double-sign protection (its persisted last-signed state)
    //   skipPolCheck    Engine::testOnlySkipPolCheck: a re-proposal is prevoted
    //                   without the quorum of prevotes in its pol_round
    bool halfQuorum = false;
    std::uint32_t skipWalAppendPpm = 0;
    bool signerBypass = false;
    bool skipPolCheck = false;
};

struct RunResult {
    std::string scenario;
    std::uint64_t seed = 0;
    std::vector<std::string> violations;
    std::uint32_t validators = 0;
    std::uint32_t byzantine = 0;
    std::uint64_t commits = 0;   // honest (node, height) commits
    std::uint64_t heights = 0;   // lowest committed height over honest nodes
    std::uint32_t maxRound = 0;  // highest commit round
    std::uint32_t maxRoundAfterGst = 0;
    std::uint64_t rounds =
        0;  // sum over honest commits of (commit round + 1)  // highest commit round of heights begun after GST
    std::uint64_t messages = 0;
    std::uint64_t crashes = 0;
    std::uint64_t evidence = 0;  // evidence reports by honest nodes
    std::uint64_t signRefusals = 0;
    std::uint64_t forgedProposals = 0;          // PolForger proposals with a pol_round no quorum backs
    std::uint64_t honestPrevotesForForged = 0;  // honest prevotes for such a block (line 28 forbids them)
    std::uint64_t endTime = 0;
    bool agreementBroken = false;
    std::set<PublicKey> accused;  // validators named by evidence
    bool ok() const { return violations.empty(); }
    std::string summary() const;
};

using Message = std::variant<Proposal, Vote>;

class Simulation {
public:
    Simulation(Scenario scenario, std::uint64_t seed);
    ~Simulation();

    // Overrides before run(): roles and powers (index = validator).
    void setValidators(std::vector<std::uint64_t> powers, std::vector<Role> roles);
    // A message delivered to `to` at `time` as if from the network.
    void inject(std::uint64_t time, std::size_t to, Message m);
    void setTrace(bool on) { trace_ = on; }

    RunResult run();

    // Helpers for scripted adversaries.
    std::size_t size() const { return nodes_.size(); }
    const TestKey& key(std::size_t i) const { return *keys_[i]; }
    const std::string& chainId() const { return chainId_; }
    const consensus::ChainState& genesis() const { return genesis_; }
    // A valid block for `height` on top of `parent` (what RequestBlock yields).
    std::pair<Hash256, Bytes> buildBlock(std::uint64_t height, std::uint32_t round, const Hash256& parent,
                                         const std::optional<CommitCertificate>& lastCommit, std::uint64_t nonce);

private:
    struct Node;
    struct Event;
    struct EventOrder {
        bool operator()(const Event& a, const Event& b) const;
    };

    void setup();
    void schedule(Event e);
    void send(std::size_t from, std::size_t to, const Message& m);
    void broadcast(std::size_t from, const Message& m);
    void deliver(Node& n, std::size_t from, const Message& m);
    void pump(Node& n);
    void execute(Node& n, std::vector<consensus::Action> actions);
    bool executeOne(Node& n, consensus::Action& a);
    void crash(Node& n);
    void restart(Node& n);
    void gossip(Node& n);
    void recordSigned(std::size_t node, const Message& m);
    // PolForger behaviour (Role comment): what it does with its engine's
    // precommits and proposals; both return true when the message was handled.
    bool forgeVote(Node& n, const Vote& vote);
    bool forgeProposal(Node& n, const Proposal& proposal);
    void forgeRound(Node& n, std::uint64_t height, std::uint32_t round);
    void sendForged(Node& n, const Message& m, std::uint64_t targets);
    void onCommit(Node& n, const consensus::CommitBlock& c);
    bool validateBlock(const Node& n, std::uint64_t height, const Hash256& id, const Bytes& block) const;
    std::vector<ValidatorUpdate> updatesFor(std::uint64_t height, const ValidatorSet& current) const;
    bool partitioned(std::size_t a, std::size_t b) const;
    bool before(std::uint64_t t) const { return t < scenario_.gst; }
    void violation(std::string what);
    void check();

    Scenario scenario_;
    std::uint64_t seed_;
    Rng rng_;
    std::string chainId_ = "agora-sim";
    std::vector<const TestKey*> keys_;
    std::vector<std::uint64_t> powers_;
    std::vector<Role> roles_;
    bool customValidators_ = false;
    consensus::ChainState genesis_;
    std::vector<std::unique_ptr<Node>> nodes_;
    CachingVerifier verifier_;
    std::uint64_t now_ = 0;
    std::uint64_t seq_ = 0;
    std::vector<Event> queue_;
    struct Partition {
        std::uint64_t start = 0;
        std::uint64_t end = 0;
        std::uint64_t groupMask = 0;  // bit i set: node i on side A
    };
    std::vector<Partition> partitions_;
    std::set<Hash256> builtBlocks_;
    std::set<Hash256> forgedBlocks_;            // blocks a PolForger proposed with a forged pol_round
    std::map<std::uint64_t, Hash256> decided_;  // first honest commit per height
    std::map<std::tuple<PublicKey, std::uint64_t, std::uint32_t, std::uint8_t>, Hash256> honestSigned_;
    bool trace_ = false;
    bool stabilised_ = false;
    std::uint64_t heightAtGst_ = 0;
    RunResult result_;
};

// Runs one seed of a scenario.
RunResult runScenario(const Scenario& scenario, std::uint64_t seed, bool trace = false);

// The named scenarios of the default suite: clean, lossy, partition, crash,
// byzantine, mixed.
std::vector<Scenario> standardScenarios();
std::optional<Scenario> scenarioByName(const std::string& name);

}  // namespace agora::sim
