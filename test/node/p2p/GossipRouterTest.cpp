// GossipRouter alone: the seen-cache, dispatch to handlers and relay except
// to the source, with a recording relay instead of connections.
#include <catch2/catch.hpp>

#include <vector>

#include "consensus/core/SignDigest.h"
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
