#include <catch2/catch.hpp>

#include <map>

#include "consensus/engine/EngineDriver.h"
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

// In-memory host: "durable" members survive a simulated crash.
class MemoryHost final : public EngineHost {
public:
    void appendWal(const Input& in) override { wal.push_back(in); }
    void broadcast(const Proposal& p) override { proposals.push_back(p); }
    void broadcast(const Vote& v) override { votes.push_back(v); }
    void scheduleTimeout(const ScheduleTimeout& t) override { timeouts.push_back(t); }
    BuiltBlock buildBlock(std::uint64_t height, std::uint32_t round, const std::optional<CommitCertificate>&) override {
        Bytes b = {static_cast<std::uint8_t>(height), static_cast<std::uint8_t>(round)};
        return BuiltBlock{sha256(b), b};
    }
    bool validateBlock(std::uint64_t, const Hash256& id, const Bytes& block) override { return sha256(block) == id; }
    std::vector<ValidatorUpdate> commitBlock(const CommitBlock& c) override {
        ++commitCalls;
        blocks.emplace(c.height, c.blockId);
        return {};
    }
    void persistChainState(const ChainState& s) override {
        chain = s;
        std::erase_if(wal, [&](const Input& in) { return in.height() < s.height; });
    }
    void reportEvidence(const DuplicateVoteEvidence& e) override { evidence.push_back(e); }

    // Durable.
    std::vector<Input> wal;
    std::optional<ChainState> chain;
    std::map<std::uint64_t, Hash256> blocks;
    // Volatile.
    std::vector<Proposal> proposals;
    std::vector<Vote> votes;
    std::vector<ScheduleTimeout> timeouts;
    std::vector<DuplicateVoteEvidence> evidence;
    int commitCalls = 0;
};

Vote signedVote(std::size_t who, VoteType t, std::uint64_t h, std::uint32_t r, std::optional<Hash256> id) {
    Vote v;
    v.type = t;
    v.height = h;
    v.round = r;
    v.blockId = id;
    v.validator = sim::TestKey(who).publicKey();
    v.signature = sim::TestKey(who).sign(v.signDigest(kChain));
    return v;
}

}  // namespace

TEST_CASE("the driver proposes, commits with peers' votes, and restarts from the WAL without conflict",
          "[engine][driver]") {
    std::vector<ValidatorUpdate> members;
    for (std::size_t i = 0; i < 4; ++i) members.push_back({sim::TestKey(i).publicKey(), 10});
    const ChainState genesis = ChainState::genesis(*ValidatorSet::fromUpdates(members));
    const PublicKey proposerKey = genesis.proposerSetFor(0).proposer().key;
    std::size_t self = 0;
    while (sim::TestKey(self).publicKey() != proposerKey) ++self;

    sim::TestKey key(self);
    sim::TestKeyHandle handle(key);
    MemoryStore store;
    MemoryHost host;
    SchnorrVerifier verifier;
    EngineConfig cfg;
    cfg.chainId = kChain;
    cfg.self = key.publicKey();

    Signer signer(kChain, SignerState{}, store, handle);
    auto driver = std::make_unique<EngineDriver>(cfg, genesis, std::vector<Input>{}, verifier, signer, host);
    driver->start(0);
    // We propose round 0 and prevote our block.
    REQUIRE(host.proposals.size() == 1);
    const Hash256 id = host.proposals[0].blockId;
    REQUIRE(host.proposals[0].verifySignature(kChain));
    REQUIRE(host.votes.size() == 1);
    REQUIRE(host.votes[0].blockId == id);
    REQUIRE(host.wal.size() >= 2);
    REQUIRE_FALSE(driver->awaitingResume());

    std::vector<std::size_t> others;
    for (std::size_t i = 0; i < 4; ++i) {
        if (i != self) others.push_back(i);
    }
    driver->onInput(Input{5, VoteReceived{signedVote(others[0], VoteType::Prevote, 1, 0, id)}});
    driver->onInput(Input{6, VoteReceived{signedVote(others[1], VoteType::Prevote, 1, 0, id)}});
    REQUIRE(host.votes.back().type == VoteType::Precommit);

    // Crash before anyone precommits: restart from the persisted state and WAL.
    const std::vector<Vote> sentBefore = host.votes;
    Signer signer2(kChain, store.state, store, handle);
    driver = std::make_unique<EngineDriver>(cfg, genesis, host.wal, verifier, signer2, host);
    driver->start(7);
    REQUIRE(driver->engine().lockedBlock() == id);
    REQUIRE(driver->engine().step() == Step::Precommit);
    // Everything re-sent after the restart is identical to what was sent before.
    for (std::size_t i = sentBefore.size(); i < host.votes.size(); ++i) {
        bool known = false;
        for (const auto& v : sentBefore) known = known || v == host.votes[i];
        REQUIRE(known);
    }

    driver->onInput(Input{8, VoteReceived{signedVote(others[0], VoteType::Precommit, 1, 0, id)}});
    driver->onInput(Input{9, VoteReceived{signedVote(others[1], VoteType::Precommit, 1, 0, id)}});
    REQUIRE(host.blocks.at(1) == id);
    REQUIRE(driver->awaitingResume());
    REQUIRE_FALSE(host.chain);
    driver->resume(10);
    REQUIRE_FALSE(driver->awaitingResume());
    REQUIRE(host.chain);
    REQUIRE(host.chain->height == 2);
    REQUIRE(host.chain->lastCommit->verify(kChain, 1, genesis.validators));
    REQUIRE(driver->engine().height() == 2);
    // The WAL no longer holds height 1.
    for (const auto& in : host.wal) REQUIRE(in.height() == 2);
}

TEST_CASE("a lone validator under the driver decides one height per resume", "[engine][driver]") {
    const ChainState genesis =
        ChainState::genesis(*ValidatorSet::fromUpdates({ValidatorUpdate{sim::TestKey(0).publicKey(), 10}}));
    sim::TestKey key(0);
    sim::TestKeyHandle handle(key);
    MemoryStore store;
    MemoryHost host;
    SchnorrVerifier verifier;
    EngineConfig cfg;
    cfg.chainId = kChain;
    cfg.self = key.publicKey();
    Signer signer(kChain, SignerState{}, store, handle);
    EngineDriver driver(cfg, genesis, {}, verifier, signer, host);
    driver.start(0);
    REQUIRE(host.blocks.size() == 1);
    for (std::uint64_t h = 2; h <= 5; ++h) {
        REQUIRE(driver.awaitingResume());
        driver.resume(h);
        REQUIRE(host.blocks.size() == h);
        REQUIRE(host.chain->height == h);
    }
}
