#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <memory>

#include "consensus/engine/Engine.h"
#include "consensus/engine/Signer.h"
#include "sim/TestKeys.h"

using namespace agora;
using namespace agora::consensus;

namespace {

const std::string kChain = "agora-test-1";

class MemoryStore final : public SignerStateStore {
public:
    bool persist(const SignerState& s) override {
        state = s;
        return true;
    }
    SignerState state;
};

// One engine with its signer and a synchronous stand-in for the node:
// application requests are answered at once, network sends are recorded.
struct Harness {
    Harness(std::vector<std::uint64_t> powers, std::size_t self, EngineConfig cfg = {}) : key(self), handle(key) {
        std::vector<ValidatorUpdate> members;
        for (std::size_t i = 0; i < powers.size(); ++i) members.push_back({sim::TestKey(i).publicKey(), powers[i]});
        genesis = ChainState::genesis(*ValidatorSet::fromUpdates(members));
        cfg.chainId = kChain;
        cfg.self = key.publicKey();
        config = cfg;
        engine = std::make_unique<Engine>(config, genesis, verifier);
        signer = std::make_unique<Signer>(kChain, SignerState{}, store, handle);
    }

    void start() { run(engine->start()); }
    void feed(Input in) {
        queue.push_back(std::move(in));
        drain();
    }
    void drain() {
        while (!queue.empty()) {
            Input in = std::move(queue.front());
            queue.pop_front();
            auto acts = engine->handle(in);
            if (!acts.empty()) {
                REQUIRE(std::holds_alternative<AppendWal>(acts.front()));
            }
            run(std::move(acts));
        }
    }
    void run(std::vector<Action> acts) {
        for (auto& a : acts) {
            if (auto* w = std::get_if<AppendWal>(&a)) wal.push_back(w->input);
            if (auto* r = std::get_if<RequestBlock>(&a)) {
                Bytes b = {static_cast<std::uint8_t>(r->height), static_cast<std::uint8_t>(r->round), 0x42};
                queue.push_back(Input{0, BlockReady{r->height, r->round, sha256(b), b}});
            }
            if (auto* v = std::get_if<ValidateBlock>(&a)) {
                Input answer{0, BlockValidated{v->height, v->blockId, sha256(v->block) == v->blockId}};
                if (holdValidation)
                    heldValidations.push_back(std::move(answer));
                else
                    queue.push_back(std::move(answer));
            }
            if (auto* s = std::get_if<SignVote>(&a)) {
                signRequests.push_back(s->vote);
                auto signedVote = signer->signVote(s->vote);
                if (signedVote) queue.push_back(Input{0, OwnVoteSigned{*signedVote}});
            }
            if (auto* s = std::get_if<SignProposal>(&a)) {
                auto p = signer->signProposal(s->proposal);
                if (p) queue.push_back(Input{0, OwnProposalSigned{*p}});
            }
            if (auto* b = std::get_if<BroadcastVote>(&a)) sentVotes.push_back(b->vote);
            if (auto* e = std::get_if<ReportEvidence>(&a)) evidence.push_back(e->evidence);
            if (auto* c = std::get_if<CommitBlock>(&a)) {
                commits.push_back(*c);
                if (c->height >= stopAfterHeight) continue;
                queue.push_back(Input{
                    0, BlockFinalized{c->height, updatesAt ? updatesAt(c->height) : std::vector<ValidatorUpdate>{}}});
            }
            if (auto* t = std::get_if<ScheduleTimeout>(&a)) timeouts.push_back(*t);
        }
    }

    Vote vote(std::size_t who, VoteType t, std::uint32_t round, std::optional<Hash256> id) const {
        Vote v;
        v.type = t;
        v.height = engine->height();
        v.round = round;
        v.blockId = id;
        v.validator = sim::TestKey(who).publicKey();
        v.signature = sim::TestKey(who).sign(v.signDigest(kChain));
        return v;
    }
    Proposal proposal(std::uint32_t round, const Bytes& block, std::optional<std::uint32_t> pol = std::nullopt) const {
        const PublicKey proposer = engine->proposerOf(round);
        std::size_t who = 0;
        while (sim::TestKey(who).publicKey() != proposer) ++who;
        Proposal p;
        p.height = engine->height();
        p.round = round;
        p.polRound = pol;
        p.blockId = sha256(block);
        p.block = block;
        p.proposer = proposer;
        p.signature = sim::TestKey(who).sign(p.signDigest(kChain));
        return p;
    }
    const Vote* lastRequest(VoteType t, std::uint32_t round) const {
        for (auto it = signRequests.rbegin(); it != signRequests.rend(); ++it) {
            if (it->type == t && it->round == round) return &*it;
        }
        return nullptr;
    }
    std::size_t indexOf(const PublicKey& k) const {
        std::size_t i = 0;
        while (sim::TestKey(i).publicKey() != k) ++i;
        return i;
    }

    sim::TestKey key;
    sim::TestKeyHandle handle;
    SchnorrVerifier verifier;
    MemoryStore store;
    ChainState genesis;
    EngineConfig config;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<Signer> signer;
    std::deque<Input> queue;
    std::vector<Input> wal;
    std::vector<Vote> signRequests;
    std::vector<Vote> sentVotes;
    std::vector<DuplicateVoteEvidence> evidence;
    std::vector<CommitBlock> commits;
    std::vector<ScheduleTimeout> timeouts;
    std::function<std::vector<ValidatorUpdate>(std::uint64_t)> updatesAt;
    // A lone validator would commit forever: stop finalizing here.
    std::uint64_t stopAfterHeight = 3;
    // A slow host: its BlockValidated answers wait here until fed.
    bool holdValidation = false;
    std::vector<Input> heldValidations;
};

// A validator of a 4 x 10 set that proposes none of rounds 0, 1 and 2.
std::size_t bystander() {
    Harness probe({10, 10, 10, 10}, 0);
    for (std::size_t i = 0; i < 4; ++i) {
        const PublicKey k = sim::TestKey(i).publicKey();
        if (probe.engine->proposerOf(0) != k && probe.engine->proposerOf(1) != k && probe.engine->proposerOf(2) != k) {
            return i;
        }
    }
    FAIL("every validator proposes one of rounds 0..2");
    return 0;
}

// Drives `h` to a lock on block A in round 0, then into round 1.
Hash256 lockInRoundZero(Harness& h) {
    h.start();
    const Bytes a = {'A'};
    h.feed(Input{10, ProposalReceived{h.proposal(0, a)}});
    REQUIRE(h.signRequests.back().type == VoteType::Prevote);
    REQUIRE(h.signRequests.back().blockId == sha256(a));
    std::vector<std::size_t> others;
    for (std::size_t i = 0; i < 4; ++i) {
        if (i != h.indexOf(h.key.publicKey())) others.push_back(i);
    }
    h.feed(Input{20, VoteReceived{h.vote(others[0], VoteType::Prevote, 0, sha256(a))}});
    h.feed(Input{21, VoteReceived{h.vote(others[1], VoteType::Prevote, 0, sha256(a))}});
    REQUIRE(h.engine->lockedRound() == 0u);
    REQUIRE(h.engine->lockedBlock() == sha256(a));
    REQUIRE(h.signRequests.back().type == VoteType::Precommit);
    // Two others (20 of 40 > 1/3) are already in round 1: skip there.
    h.feed(Input{30, VoteReceived{h.vote(others[0], VoteType::Prevote, 1, std::nullopt)}});
    REQUIRE(h.engine->round() == 0u);
    h.feed(Input{31, VoteReceived{h.vote(others[1], VoteType::Prevote, 1, std::nullopt)}});
    REQUIRE(h.engine->round() == 1u);
    return sha256(a);
}

}  // namespace

TEST_CASE("timeouts grow linearly with the round and saturate instead of overflowing", "[engine][timeouts]") {
    TimeoutConfig t{1000, 250, 400, 100, 300, 50};
    REQUIRE(t.duration(Step::Propose, 0) == 1000);
    REQUIRE(t.duration(Step::Propose, 4) == 2000);
    REQUIRE(t.duration(Step::Prevote, 3) == 700);
    REQUIRE(t.duration(Step::Precommit, 10) == 800);
    TimeoutConfig huge{UINT64_MAX - 1, UINT64_MAX / 2, 0, 0, 0, 0};
    REQUIRE(huge.duration(Step::Propose, 0) == UINT64_MAX - 1);
    REQUIRE(huge.duration(Step::Propose, 3) == UINT64_MAX);
}

TEST_CASE("the engine schedules round timeouts that grow with the round", "[engine][timeouts]") {
    Harness h({10, 10, 10, 10}, bystander());
    h.config.timeouts = TimeoutConfig{};
    h.start();
    REQUIRE(h.timeouts.back().step == Step::Propose);
    REQUIRE(h.timeouts.back().ticks == TimeoutConfig{}.duration(Step::Propose, 0));
    h.feed(Input{1, TimeoutFired{1, 0, Step::Propose}});
    REQUIRE(h.signRequests.back().blockId == std::nullopt);  // prevote nil
    h.feed(Input{2, TimeoutFired{1, 0, Step::Precommit}});
    REQUIRE(h.engine->round() == 1u);
    REQUIRE(h.timeouts.back().round == 1u);
    REQUIRE(h.timeouts.back().ticks == TimeoutConfig{}.duration(Step::Propose, 1));
    REQUIRE(h.timeouts.back().ticks > TimeoutConfig{}.duration(Step::Propose, 0));
}

TEST_CASE("a proposal still being validated when the propose timeout fires is prevoted once validated, not nil",
          "[engine][timeouts]") {
    Harness h({10, 10, 10, 10}, bystander());
    h.holdValidation = true;
    h.start();
    const Bytes block = {'F', 'u', 'l', 'l'};
    h.feed(Input{5, ProposalReceived{h.proposal(0, block)}});
    REQUIRE(h.heldValidations.size() == 1);
    h.feed(Input{10, TimeoutFired{1, 0, Step::Propose}});
    REQUIRE(h.lastRequest(VoteType::Prevote, 0) == nullptr);  // no nil prevote while validating
    for (auto& answer : h.heldValidations) h.feed(std::move(answer));
    const Vote* prevote = h.lastRequest(VoteType::Prevote, 0);
    REQUIRE(prevote);
    REQUIRE(prevote->blockId == sha256(block));
}

TEST_CASE("the propose timeout still prevotes nil when no proposal arrived or it was found invalid",
          "[engine][timeouts]") {
    SECTION("nothing arrived") {
        Harness h({10, 10, 10, 10}, bystander());
        h.holdValidation = true;
        h.start();
        h.feed(Input{10, TimeoutFired{1, 0, Step::Propose}});
        const Vote* prevote = h.lastRequest(VoteType::Prevote, 0);
        REQUIRE(prevote);
        REQUIRE(prevote->blockId == std::nullopt);
    }
    SECTION("a proposal found invalid is prevoted nil without waiting for the timeout") {
        Harness h({10, 10, 10, 10}, bystander());
        h.start();
        Proposal bad = h.proposal(0, Bytes{'X'});
        bad.block = Bytes{'Y'};  // bytes that do not hash to the signed block id
        h.feed(Input{5, ProposalReceived{bad}});
        const Vote* prevote = h.lastRequest(VoteType::Prevote, 0);
        REQUIRE(prevote);
        REQUIRE(prevote->blockId == std::nullopt);
    }
}

TEST_CASE("a lone validator commits consecutive heights with verifiable certificates", "[engine]") {
    Harness h({10}, 0);
    h.start();
    h.drain();
    REQUIRE(h.commits.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        REQUIRE(h.commits[i].height == i + 1);
        REQUIRE(h.commits[i].certificate.verify(kChain, i + 1, h.genesis.validators));
    }
    REQUIRE(h.engine->chainState().lastCommit.has_value());
}

TEST_CASE("validator set changes returned at height H take effect at height H + delay", "[engine][validators]") {
    Harness h({10}, 0);
    const PublicKey newcomer = sim::TestKey(7).publicKey();
    h.updatesAt = [&](std::uint64_t height) {
        return height == 1 ? std::vector<ValidatorUpdate>{{newcomer, 100}} : std::vector<ValidatorUpdate>{};
    };
    h.start();
    h.drain();
    // Height 2 is still decided by the old set (the lone validator commits it);
    // from height 3 the newcomer holds 100 of 110 and nothing commits without it.
    REQUIRE(h.commits.size() == 2);
    REQUIRE(h.engine->height() == 3);
    REQUIRE(h.engine->chainState().validators.size() == 2);
    REQUIRE(h.engine->chainState().validators.powerOf(newcomer) == 100);
    REQUIRE(h.commits[1].certificate.verify(kChain, 2, h.genesis.validators));
}

TEST_CASE("inputs of other heights are ignored and every acted-on input is logged first", "[engine][wal]") {
    Harness h({10, 10, 10, 10}, bystander());
    h.start();
    Vote future = h.vote(0, VoteType::Prevote, 0, std::nullopt);
    future.height = 5;
    future.signature = sim::TestKey(0).sign(future.signDigest(kChain));
    REQUIRE(h.engine->handle(Input{1, VoteReceived{future}}).empty());
    Vote forged = h.vote(0, VoteType::Prevote, 0, std::nullopt);
    forged.signature = sim::TestKey(1).sign(forged.signDigest(kChain));
    REQUIRE(h.engine->handle(Input{1, VoteReceived{forged}}).empty());
    auto acts = h.engine->handle(Input{1, VoteReceived{h.vote(0, VoteType::Prevote, 0, std::nullopt)}});
    REQUIRE(acts.size() == 1);
    REQUIRE(std::holds_alternative<AppendWal>(acts.front()));
}

TEST_CASE("a validator locked on a block prevotes nil for another block in a later round", "[engine][lock]") {
    Harness h({10, 10, 10, 10}, bystander());
    lockInRoundZero(h);
    h.feed(Input{40, ProposalReceived{h.proposal(1, Bytes{'B'})}});
    const Vote* prevote = h.lastRequest(VoteType::Prevote, 1);
    REQUIRE(prevote);
    REQUIRE(prevote->blockId == std::nullopt);
}

TEST_CASE("the test-only mutation ignores the lock and prevotes the new block", "[engine][lock][mutation]") {
    EngineConfig cfg;
    cfg.testOnlyIgnoreLock = true;
    Harness h({10, 10, 10, 10}, bystander(), cfg);
    lockInRoundZero(h);
    h.feed(Input{40, ProposalReceived{h.proposal(1, Bytes{'B'})}});
    const Vote* prevote = h.lastRequest(VoteType::Prevote, 1);
    REQUIRE(prevote);
    REQUIRE(prevote->blockId == sha256(Bytes{'B'}));
}

TEST_CASE("a re-proposal with a proof-of-lock from a later round releases the lock", "[engine][lock]") {
    Harness h({10, 10, 10, 10}, bystander());
    lockInRoundZero(h);
    // Round 1: > 2/3 prevoted B (without us), so the round-2 proposer
    // re-proposes B with pol_round 1. Our lock (round 0) is older: prevote B.
    const Bytes b = {'B'};
    std::size_t self = h.indexOf(h.key.publicKey());
    std::size_t fed = 0;
    for (std::size_t i = 0; i < 4 && fed < 3; ++i) {
        if (i == self) continue;
        h.feed(Input{50, VoteReceived{h.vote(i, VoteType::Prevote, 1, sha256(b))}});
        ++fed;
    }
    for (std::size_t i = 0; i < 4; ++i) {
        if (i != self) h.feed(Input{51, VoteReceived{h.vote(i, VoteType::Precommit, 1, std::nullopt)}});
    }
    h.feed(Input{60, TimeoutFired{1, 1, Step::Precommit}});
    REQUIRE(h.engine->round() == 2u);
    h.feed(Input{61, ProposalReceived{h.proposal(2, b, 1u)}});
    const Vote* prevote = h.lastRequest(VoteType::Prevote, 2);
    REQUIRE(prevote);
    REQUIRE(prevote->blockId == sha256(b));
}

namespace {

// Locked on A in round 0; round 1 ends with nil precommits and no prevote for
// B; in round 2 the proposer offers B claiming pol_round 1: a proof of lock
// that no quorum of round-1 prevotes backs.
Hash256 fakeProofOfLock(Harness& h) {
    lockInRoundZero(h);
    const std::size_t self = h.indexOf(h.key.publicKey());
    for (std::size_t i = 0; i < 4; ++i) {
        if (i != self) h.feed(Input{51, VoteReceived{h.vote(i, VoteType::Precommit, 1, std::nullopt)}});
    }
    h.feed(Input{60, TimeoutFired{1, 1, Step::Precommit}});
    REQUIRE(h.engine->round() == 2u);
    const Bytes b = {'B'};
    h.feed(Input{61, ProposalReceived{h.proposal(2, b, 1u)}});
    return sha256(b);
}

}  // namespace

TEST_CASE("a re-proposal whose pol_round no quorum backs does not release the lock", "[engine][lock]") {
    Harness h({10, 10, 10, 10}, bystander());
    const Hash256 b = fakeProofOfLock(h);
    REQUIRE(h.lastRequest(VoteType::Prevote, 2) == nullptr);  // waits for the proof of lock
    h.feed(Input{70, TimeoutFired{1, 2, Step::Propose}});
    const Vote* prevote = h.lastRequest(VoteType::Prevote, 2);
    REQUIRE(prevote);
    REQUIRE(prevote->blockId != b);
    REQUIRE(h.engine->lockedBlock() == sha256(Bytes{'A'}));
}

TEST_CASE("mutation: the proof-of-lock rule off is caught: the locked validator prevotes the unproven block",
          "[engine][lock][mutation]") {
    // The rule in isolation; the simulator catches the same mutant end to end with a Byzantine
    // proposer that forges its pol_round (MutationTest.cpp, docs/consensus.md).
    EngineConfig cfg;
    cfg.testOnlySkipPolCheck = true;
    Harness h({10, 10, 10, 10}, bystander(), cfg);
    const Hash256 b = fakeProofOfLock(h);
    const Vote* prevote = h.lastRequest(VoteType::Prevote, 2);
    REQUIRE(prevote);
    REQUIRE(prevote->blockId == b);
}

TEST_CASE("duplicate votes yield verifiable evidence once; re-delivery of the same vote does not",
          "[engine][evidence]") {
    Harness h({10, 20, 30, 40}, 0);
    h.start();
    const Vote a = h.vote(2, VoteType::Precommit, 0, sha256(Bytes{'A'}));
    h.feed(Input{1, VoteReceived{a}});
    h.feed(Input{2, VoteReceived{a}});
    REQUIRE(h.evidence.empty());
    h.feed(Input{3, VoteReceived{h.vote(2, VoteType::Precommit, 0, std::nullopt)}});
    REQUIRE(h.evidence.size() == 1);
    REQUIRE(h.evidence[0].verify(kChain));
    REQUIRE(h.evidence[0].validator() == sim::TestKey(2).publicKey());
    // A third value from the same validator adds no second report.
    h.feed(Input{4, VoteReceived{h.vote(2, VoteType::Precommit, 0, sha256(Bytes{'C'}))}});
    REQUIRE(h.evidence.size() == 1);
    // Same validator, other type: a separate equivocation.
    h.feed(Input{5, VoteReceived{h.vote(2, VoteType::Prevote, 0, sha256(Bytes{'A'}))}});
    h.feed(Input{6, VoteReceived{h.vote(2, VoteType::Prevote, 0, sha256(Bytes{'B'}))}});
    REQUIRE(h.evidence.size() == 2);
}

TEST_CASE("WAL replay restores the exact state and re-requests no conflicting signature", "[engine][wal]") {
    Harness h({10, 10, 10, 10}, bystander());
    lockInRoundZero(h);
    h.feed(Input{40, ProposalReceived{h.proposal(1, Bytes{'B'})}});
    // Crash: a new engine from the persisted chain state replays the WAL.
    Engine replayed(h.config, h.genesis, h.verifier);
    std::vector<Vote> requests;
    auto collect = [&](const std::vector<Action>& acts) {
        for (const auto& a : acts) {
            REQUIRE_FALSE(std::holds_alternative<AppendWal>(a));
            if (const auto* s = std::get_if<SignVote>(&a)) requests.push_back(s->vote);
        }
    };
    collect(replayed.start());
    for (const auto& in : h.wal) collect(replayed.replay(in));
    REQUIRE(replayed.height() == h.engine->height());
    REQUIRE(replayed.round() == h.engine->round());
    REQUIRE(replayed.step() == h.engine->step());
    REQUIRE(replayed.lockedRound() == h.engine->lockedRound());
    REQUIRE(replayed.lockedBlock() == h.engine->lockedBlock());
    REQUIRE(replayed.validBlock() == h.engine->validBlock());
    // Every request is one the signer already signed identically, or an
    // older one it refuses as a regression: never a conflict.
    Signer restarted(kChain, h.store.state, h.store, h.handle);
    REQUIRE_FALSE(requests.empty());
    for (const auto& v : requests) {
        auto r = restarted.signVote(v);
        if (!r) REQUIRE(r.error() == SignError::Regression);
    }
    REQUIRE(requests.back() == h.signRequests.back());
}
