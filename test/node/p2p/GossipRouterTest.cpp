// GossipRouter alone: the seen-cache, dispatch to handlers and relay except
// to the source, with a recording relay instead of connections.
#include <catch2/catch.hpp>

#include <vector>

#include "consensus/core/Block.h"
#include "consensus/core/SignDigest.h"
#include "node/consensus/EvidencePool.h"
#include "node/p2p/GossipRouter.h"
#include "support/TestKeys.h"
#include "wallet/SecretKey.h"

using namespace agora;
using namespace agora::node;

namespace {

const std::string kChain = "chain-a";

std::string str(ByteSpan b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

Vote signedVote(const wallet::SecretKey& key, std::uint64_t height) {
    Vote v;
    v.type = VoteType::Prevote;
    v.height = height;
    v.round = 0;
    v.validator = key.publicKey();
    v.signature = key.sign(v.signDigest(kChain).span());
    return v;
}

p2p::v1::Envelope voteEnvelope(const Vote& v) {
    p2p::v1::Envelope e;
    e.set_vote(str(encode(v)));
    return e;
}

p2p::v1::Envelope txEnvelope(std::uint64_t nonce) {
    Tx t;
    t.chainId = kChain;
    t.nonce = nonce;
    t.fee = Amount(1'000);
    t.msgs.push_back(MsgSend{Address::fromPublicKey(test::testKey(2).publicKey), Amount(1)});
    p2p::v1::Envelope e;
    e.set_tx(str(test::signTx(test::testKey(1), t).bytes()));
    return e;
}

struct Sent {
    p2p::v1::Envelope msg;
    bool droppable;
    std::uint64_t except;
};

// A router whose handlers count what they get and whose relay records.
struct Harness {
    int votes = 0;
    std::vector<std::uint64_t> txFrom;
    std::vector<Sent> sent;
    GossipRouter router;

    explicit Harness(std::size_t seenMax = GossipRouter::kSeenMax)
        : router(
              kChain, handlers(),
              [this](const p2p::v1::Envelope& m, bool d, std::uint64_t x) {
                  sent.push_back({m, d, x});
              },
              seenMax) {}

    GossipHandlers handlers() {
        GossipHandlers h;
        h.onVote = [this](Vote) { ++votes; };
        h.onTx = [this](TxRef, std::uint64_t from) { txFrom.push_back(from); };
        return h;
    }
};

}  // namespace

TEST_CASE("a gossiped vote goes to consensus and is relayed to every peer but its source", "[p2p][gossip]") {
    Harness h;
    const auto validator = wallet::SecretKey::generate();
    const auto msg = voteEnvelope(signedVote(validator, 1));
    CHECK_FALSE(h.router.receive(msg, 7));
    CHECK(h.votes == 1);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].except == 7);
    CHECK_FALSE(h.sent[0].droppable);
    CHECK(h.sent[0].msg.vote() == msg.vote());
}

TEST_CASE("a repeated vote goes to consensus again but is relayed only once", "[p2p][gossip]") {
    Harness h;
    const auto validator = wallet::SecretKey::generate();
    const auto msg = voteEnvelope(signedVote(validator, 1));
    CHECK_FALSE(h.router.receive(msg, 7));
    CHECK_FALSE(h.router.receive(msg, 8));
    CHECK(h.votes == 2);
    CHECK(h.sent.size() == 1);
}

TEST_CASE("our own vote goes to every peer, and its echo from a peer is not relayed again", "[p2p][gossip]") {
    Harness h;
    const auto validator = wallet::SecretKey::generate();
    const auto vote = signedVote(validator, 1);
    h.router.broadcastVote(vote);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].except == 0);
    CHECK_FALSE(h.router.receive(voteEnvelope(vote), 3));
    CHECK(h.sent.size() == 1);
}

TEST_CASE("an undecodable or badly signed vote is an offence and reaches no one", "[p2p][gossip]") {
    Harness h;
    p2p::v1::Envelope junk;
    junk.set_vote("not a vote");
    CHECK(h.router.receive(junk, 1) == std::optional<std::string>("undecodable vote"));
    auto v = signedVote(wallet::SecretKey::generate(), 1);
    v.round = 1;  // the signature no longer matches
    CHECK(h.router.receive(voteEnvelope(v), 1) == std::optional<std::string>("vote signature"));
    CHECK(h.votes == 0);
    CHECK(h.sent.empty());
}

TEST_CASE("a gossiped tx is handed over once with its source; the mempool relays it, not the router", "[p2p][gossip]") {
    Harness h;
    const auto msg = txEnvelope(1);
    CHECK_FALSE(h.router.receive(msg, 5));
    CHECK_FALSE(h.router.receive(msg, 6));  // a repeat is dropped before decoding
    CHECK(h.txFrom == std::vector<std::uint64_t>{5});
    CHECK(h.sent.empty());
}

TEST_CASE("a tx relayed for the mempool skips the peer it came from and may be dropped", "[p2p][gossip]") {
    Harness h;
    const auto msg = txEnvelope(1);
    auto tx = decodeTx(ByteSpan(reinterpret_cast<const std::uint8_t*>(msg.tx().data()), msg.tx().size()));
    REQUIRE(tx);
    h.router.broadcastTx(**tx, 5);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].except == 5);
    CHECK(h.sent[0].droppable);
    CHECK(h.sent[0].msg.tx() == msg.tx());
}

TEST_CASE("an undecodable tx is an offence", "[p2p][gossip]") {
    Harness h;
    p2p::v1::Envelope junk;
    junk.set_tx("not a tx");
    CHECK(h.router.receive(junk, 1) == std::optional<std::string>("undecodable tx"));
    CHECK(h.txFrom.empty());
}

TEST_CASE("the seen-cache forgets its oldest hash past its size", "[p2p][gossip]") {
    Harness h(2);
    const Hash256 a = sha256(Bytes{1});
    const Hash256 b = sha256(Bytes{2});
    const Hash256 c = sha256(Bytes{3});
    CHECK(h.router.markSeen(a));
    CHECK_FALSE(h.router.markSeen(a));
    CHECK(h.router.markSeen(b));
    CHECK(h.router.markSeen(c));
    CHECK_FALSE(h.router.seen(a));
    CHECK(h.router.seen(b));
    CHECK(h.router.seen(c));
    // A forgotten tx is new again: handed over a second time.
    const auto msg = txEnvelope(1);
    CHECK_FALSE(h.router.receive(msg, 1));
    CHECK_FALSE(h.router.receive(txEnvelope(2), 1));
    CHECK_FALSE(h.router.receive(txEnvelope(3), 1));
    CHECK_FALSE(h.router.receive(msg, 2));
    CHECK(h.txFrom.size() == 4);
}

TEST_CASE("the router handles only gossip bodies", "[p2p][gossip]") {
    p2p::v1::Envelope e;
    e.mutable_status();
    CHECK_FALSE(GossipRouter::routes(e));
    e.set_vote("x");
    CHECK(GossipRouter::routes(e));
}

namespace {

// A bound proposal (its bytes are the signed block) of `txBytes` of junk txs.
Proposal boundProposal(const wallet::SecretKey& key, std::uint64_t height, std::uint32_t round, std::size_t txBytes) {
    Block block;
    block.header.chainId = kChain;
    block.header.height = height;
    block.header.timeMs = 1'000 + round;
    block.header.proposer = Address::fromPublicKey(key.publicKey());
    block.txs.push_back(Bytes(txBytes, 0xAB));
    block.sealContentHashes();
    Proposal p;
    p.height = height;
    p.round = round;
    p.blockId = block.id();
    p.proposer = key.publicKey();
    p.block = encode(block);
    p.signature = key.sign(p.signDigest(kChain).span());
    return p;
}

p2p::v1::Envelope proposalEnvelope(const Proposal& p) {
    p2p::v1::Envelope e;
    e.set_proposal(str(encode(p)));
    return e;
}

// A router in front of a validator set of one key, at height 5.
struct AdmittingHarness {
    wallet::SecretKey validator = wallet::SecretKey::generate();
    ValidatorSet set = ValidatorSet::fromUpdates({{validator.publicKey(), 100}}).value();
    ConsensusAdmission admission{5, std::nullopt, set, set, true, 4};
    int proposals = 0;
    int votes = 0;
    std::vector<Sent> sent;
    GossipRouter router{kChain, handlers(), [this](const p2p::v1::Envelope& m, bool d, std::uint64_t x) {
                            sent.push_back({m, d, x});
                        }};

    GossipHandlers handlers() {
        GossipHandlers h;
        h.onProposal = [this](Proposal) { ++proposals; };
        h.onVote = [this](Vote) { ++votes; };
        h.admitProposal = [this](const Proposal& p) { return admission.proposal(p, 0); };
        h.admitVote = [this](const Vote& v) { return admission.vote(v, 0); };
        return h;
    }
};

}  // namespace

TEST_CASE("a flood of self-signed junk proposals from a non-validator key is neither handed on nor relayed",
          "[p2p][gossip][admission]") {
    AdmittingHarness h;
    const auto outsider = wallet::SecretKey::generate();
    for (std::uint32_t i = 0; i < 64; ++i) {
        // Every one well-formed, bound and correctly signed, for this height or the next.
        const auto junk = boundProposal(outsider, 5 + i % 2, i, 64 * 1024);
        REQUIRE(junk.verifySignature(kChain));
        Admission refused = Admission::Relay;
        CHECK_FALSE(h.router.receive(proposalEnvelope(junk), 3, &refused));  // not invalid data: dropped
        CHECK(refused == Admission::NotValidator);
    }
    CHECK(h.proposals == 0);
    CHECK(h.sent.empty());
    CHECK(h.router.refusedCount(Admission::NotValidator) == 64);
    // The validator's own proposal still goes through and is relayed.
    CHECK_FALSE(h.router.receive(proposalEnvelope(boundProposal(h.validator, 5, 0, 1024)), 3));
    CHECK(h.proposals == 1);
    CHECK(h.sent.size() == 1);
}

TEST_CASE("admission runs before the signature check: a refused vote is not an offence, an admitted bad one is",
          "[p2p][gossip][admission]") {
    AdmittingHarness h;
    auto outsiderVote = signedVote(wallet::SecretKey::generate(), 5);
    outsiderVote.round = 1;  // bad signature, but refused before anyone looks at it
    Admission refused = Admission::Relay;
    CHECK_FALSE(h.router.receive(voteEnvelope(outsiderVote), 2, &refused));
    CHECK(refused == Admission::NotValidator);
    auto bad = signedVote(h.validator, 5);
    bad.round = 1;
    CHECK(h.router.receive(voteEnvelope(bad), 2) == std::optional<std::string>("vote signature"));
    CHECK(h.votes == 0);
}

TEST_CASE("a validator's vote for a height beyond the next goes to consensus for the buffer but is not relayed",
          "[p2p][gossip][admission]") {
    AdmittingHarness h;
    CHECK_FALSE(h.router.receive(voteEnvelope(signedVote(h.validator, 7)), 2));
    CHECK(h.votes == 1);
    CHECK(h.sent.empty());
    // Stale and far heights: dropped, counted, not scored.
    Admission refused = Admission::Relay;
    CHECK_FALSE(h.router.receive(voteEnvelope(signedVote(h.validator, 3)), 2, &refused));
    CHECK(refused == Admission::StaleHeight);
    CHECK_FALSE(h.router.receive(voteEnvelope(signedVote(h.validator, 10)), 2, &refused));
    CHECK(refused == Admission::FutureHeight);
    CHECK(h.votes == 1);
    CHECK(h.router.refusedCount(Admission::StaleHeight) == 1);
    CHECK(h.router.refusedCount(Admission::FutureHeight) == 1);
}

namespace {

DuplicateVoteEvidence signedEvidence(const wallet::SecretKey& key, std::uint64_t height, std::uint8_t block) {
    Vote nil = signedVote(key, height);
    Vote other = nil;
    other.blockId = sha256(Bytes{block});
    other.signature = key.sign(other.signDigest(kChain).span());
    return DuplicateVoteEvidence::make(nil, other).value();
}

p2p::v1::Envelope evidenceEnvelope(const DuplicateVoteEvidence& e) {
    p2p::v1::Envelope env;
    env.set_evidence(str(encode(e)));
    return env;
}

// A router in front of the admission window of AdmittingHarness and a real
// evidence pool, wired as the node wires them (ConsensusDriver::admitEvidence
// and receiveEvidence).
struct EvidenceHarness {
    AdmittingHarness window;
    EvidencePool pool;
    EvidencePool::Admissible rule = EvidencePool::memberOf(window.set);
    std::vector<Sent> sent;
    GossipRouter router{kChain, handlers(), [this](const p2p::v1::Envelope& m, bool d, std::uint64_t x) {
                            sent.push_back({m, d, x});
                        }};

    GossipHandlers handlers() {
        GossipHandlers h;
        h.admitEvidence = [this](const DuplicateVoteEvidence& e) {
            const EvidenceAdmission verdict = window.admission.evidence(e);
            if (verdict != EvidenceAdmission::Admitted) return verdict;
            return pool.known(e) ? EvidenceAdmission::Known : EvidenceAdmission::Admitted;
        };
        h.onEvidence = [this](DuplicateVoteEvidence e) {
            auto added = pool.add(e, kChain, rule);
            if (!added) return EvidenceAdmission::Inadmissible;
            return *added ? EvidenceAdmission::Pooled : EvidenceAdmission::Known;
        };
        return h;
    }
};

}  // namespace

TEST_CASE(
    "evidence against a key outside the set of its height is dropped before its signatures, not relayed, "
    "and scores the peer",
    "[p2p][gossip][admission][evidence]") {
    EvidenceHarness h;
    const auto outsider = wallet::SecretKey::generate();
    for (std::uint8_t i = 0; i < 8; ++i) {
        auto e = signedEvidence(outsider, 5, i);
        if (i % 2 == 1) e.second.signature = e.first.signature;  // bad: refused before anyone looks
        Admission refused = Admission::Relay;
        CHECK_FALSE(h.router.receive(evidenceEnvelope(e), 3, &refused));  // not an offence
        CHECK(refused == Admission::NotValidator);                        // but a strike
    }
    CHECK(h.router.evidenceRefusedCount(EvidenceAdmission::NotValidator) == 8);
    CHECK(h.pool.pendingCount() == 0);
    CHECK(h.sent.empty());
    // Too far ahead: dropped, counted, no strike.
    Admission refused = Admission::Relay;
    CHECK_FALSE(h.router.receive(evidenceEnvelope(signedEvidence(h.window.validator, 12, 1)), 3, &refused));
    CHECK(refused == Admission::Relay);
    CHECK(h.router.evidenceRefusedCount(EvidenceAdmission::FutureHeight) == 1);
    CHECK(h.sent.empty());
}

TEST_CASE("evidence is relayed once per offence: only when the pool takes it as new", "[p2p][gossip][evidence]") {
    EvidenceHarness h;
    CHECK_FALSE(h.router.receive(evidenceEnvelope(signedEvidence(h.window.validator, 5, 1)), 3));
    CHECK(h.pool.pendingCount() == 1);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].except == 3);
    // Another pair for the same offence (the validator signed a third value):
    // known, dropped before its signatures, not relayed, not scored.
    Admission refused = Admission::Relay;
    CHECK_FALSE(h.router.receive(evidenceEnvelope(signedEvidence(h.window.validator, 5, 2)), 4, &refused));
    CHECK(refused == Admission::Relay);
    CHECK(h.router.evidenceRefusedCount(EvidenceAdmission::Known) == 1);
    CHECK(h.sent.size() == 1);
    // An admitted one with a bad signature is invalid data.
    auto bad = signedEvidence(h.window.validator, 6, 1);
    bad.second.signature = bad.first.signature;
    CHECK(h.router.receive(evidenceEnvelope(bad), 4) == std::optional<std::string>("evidence signature"));
    CHECK(h.sent.size() == 1);
}
