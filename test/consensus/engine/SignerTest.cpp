#include <catch2/catch.hpp>

#include <vector>

#include "consensus/engine/Signer.h"
#include "sim/TestKeys.h"

using namespace agora;
using namespace agora::consensus;

namespace {

const std::string kChain = "agora-test-1";

// Records persisted states and whether the key was used before each persist.
class RecordingStore final : public SignerStateStore {
public:
    bool persist(const SignerState& s) override {
        if (fail) return false;
        persisted.push_back(s);
        signaturesAtPersist.push_back(key ? key->signatures() : 0);
        return true;
    }
    bool fail = false;
    std::vector<SignerState> persisted;
    std::vector<std::uint64_t> signaturesAtPersist;
    const sim::TestKeyHandle* key = nullptr;
};

Vote unsignedVote(VoteType t, std::uint64_t h, std::uint32_t r, std::optional<Hash256> id) {
    Vote v;
    v.type = t;
    v.height = h;
    v.round = r;
    v.blockId = id;
    v.validator = sim::TestKey(0).publicKey();
    return v;
}

}  // namespace

TEST_CASE("signer persists the new state before releasing a signature", "[signer]") {
    sim::TestKey key(0);
    sim::TestKeyHandle handle(key);
    RecordingStore store;
    store.key = &handle;
    Signer signer(kChain, SignerState{}, store, handle);
    auto v = signer.signVote(unsignedVote(VoteType::Prevote, 1, 0, sha256(asBytes("a"))));
    REQUIRE(v);
    REQUIRE(v->verifySignature(kChain));
    REQUIRE(store.persisted.size() == 1);
    REQUIRE(store.signaturesAtPersist[0] == 0);  // the key was not used before the state was durable
    REQUIRE(store.persisted[0] == SignerState{1, 0, 2, v->signDigest(kChain)});
    REQUIRE(handle.signatures() == 1);
}

TEST_CASE("signer refuses a conflicting vote at the last signed step and anything earlier", "[signer]") {
    sim::TestKey key(0);
    sim::TestKeyHandle handle(key);
    RecordingStore store;
    Signer signer(kChain, SignerState{}, store, handle);
    const Hash256 a = sha256(asBytes("a"));
    const Hash256 b = sha256(asBytes("b"));
    REQUIRE(signer.signVote(unsignedVote(VoteType::Precommit, 5, 2, a)));
    // Same (height, round, step), other block: would double-sign.
    REQUIRE(signer.signVote(unsignedVote(VoteType::Precommit, 5, 2, b)).error() == SignError::Conflict);
    REQUIRE(signer.signVote(unsignedVote(VoteType::Precommit, 5, 2, std::nullopt)).error() == SignError::Conflict);
    // Earlier steps, rounds and heights.
    REQUIRE(signer.signVote(unsignedVote(VoteType::Prevote, 5, 2, a)).error() == SignError::Regression);
    REQUIRE(signer.signVote(unsignedVote(VoteType::Precommit, 5, 1, a)).error() == SignError::Regression);
    REQUIRE(signer.signVote(unsignedVote(VoteType::Prevote, 4, 9, a)).error() == SignError::Regression);
    Proposal p;
    p.height = 5;
    p.round = 2;
    p.blockId = a;
    p.proposer = key.publicKey();
    REQUIRE(signer.signProposal(p).error() == SignError::Regression);
    // The identical vote again is fine (a re-send after a crash).
    auto again = signer.signVote(unsignedVote(VoteType::Precommit, 5, 2, a));
    REQUIRE(again);
    REQUIRE(again->verifySignature(kChain));
    // Later positions are fine.
    REQUIRE(signer.signVote(unsignedVote(VoteType::Prevote, 5, 3, b)));
    p.round = 4;
    REQUIRE(signer.signProposal(p));
    REQUIRE(store.persisted.size() == 3);
}

TEST_CASE("signer restarted from persisted state still refuses the conflicting vote", "[signer]") {
    sim::TestKey key(0);
    sim::TestKeyHandle handle(key);
    RecordingStore store;
    const Hash256 a = sha256(asBytes("a"));
    {
        Signer signer(kChain, SignerState{}, store, handle);
        REQUIRE(signer.signVote(unsignedVote(VoteType::Prevote, 3, 0, a)));
    }
    // Crash: a new signer from what was persisted.
    Signer restarted(kChain, store.persisted.back(), store, handle);
    REQUIRE(restarted.signVote(unsignedVote(VoteType::Prevote, 3, 0, std::nullopt)).error() == SignError::Conflict);
    REQUIRE(restarted.signVote(unsignedVote(VoteType::Prevote, 3, 0, a)));
}

TEST_CASE("signer releases nothing when the state cannot be persisted", "[signer]") {
    sim::TestKey key(0);
    sim::TestKeyHandle handle(key);
    RecordingStore store;
    store.fail = true;
    Signer signer(kChain, SignerState{}, store, handle);
    REQUIRE(signer.signVote(unsignedVote(VoteType::Prevote, 1, 0, std::nullopt)).error() == SignError::PersistFailed);
    REQUIRE(handle.signatures() == 0);
    REQUIRE(signer.state() == SignerState{});
    // Once storage works again the same request succeeds.
    store.fail = false;
    REQUIRE(signer.signVote(unsignedVote(VoteType::Prevote, 1, 0, std::nullopt)));
}

TEST_CASE("signer refuses requests for another validator's key", "[signer]") {
    sim::TestKey key(0);
    sim::TestKeyHandle handle(key);
    RecordingStore store;
    Signer signer(kChain, SignerState{}, store, handle);
    Vote v = unsignedVote(VoteType::Prevote, 1, 0, std::nullopt);
    v.validator = sim::TestKey(1).publicKey();
    REQUIRE(signer.signVote(v).error() == SignError::WrongKey);
    REQUIRE(store.persisted.empty());
}
