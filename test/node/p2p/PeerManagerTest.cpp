// PeerManager in-process: two managers on loopback gRPC servers, and a
// hand-driven fake peer for the handshake and misbehaviour paths.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>

#include "consensus/core/Block.h"
#include "consensus/core/SignDigest.h"
#include "node/base/NodeId.h"
#include "node/base/PeerAddress.h"
#include "node/p2p/Handshake.h"
#include "node/p2p/PeerManager.h"
#include "node/rpc/GrpcServer.h"
#include "support/ChildProcess.h"
#include "support/TestKeys.h"
#include "wallet/SecureRandom.h"

using namespace agora;
using namespace agora::node;
using namespace std::chrono_literals;

namespace {

const Hash256 kGenesis = sha256(Bytes{1, 2, 3});

struct TestPeer {
    wallet::SecretKey key = wallet::SecretKey::generate();
    std::atomic<int> votes{0};
    std::atomic<int> proposals{0};
    std::atomic<int> txs{0};
    bool relayTxs = false;  // act as the node's mempool hook: relay every tx received
    std::unique_ptr<PeerManager> manager;
    std::unique_ptr<GrpcServer> server;
    int port = 0;

    // `advertise`: listen on a known port and announce it in the handshake
    // (peer exchange passes it on); otherwise any port, announced as nothing.
    explicit TestPeer(std::vector<PeerAddress> peers = {}, std::string chainId = "chain-a", bool advertise = false) {
        const std::string listen = advertise ? "127.0.0.1:" + std::to_string(test::freePort()) : "";
        server =
            std::make_unique<GrpcServer>(GrpcServerOptions{listen.empty() ? "127.0.0.1:0" : listen, 1024 * 1024, 64});
        P2pOptions o;
        o.self = LocalIdentity{chainId, kGenesis, key.publicKey(), listen, "test"};
        o.persistentPeers = std::move(peers);
        o.tick = 100ms;
        o.dialBackoffMin = 50ms;
        o.dialBackoffMax = 200ms;
        GossipHandlers h;
        h.onVote = [this](Vote) { ++votes; };
        h.onProposal = [this](Proposal) { ++proposals; };
        h.onTx = [this](TxRef tx, std::uint64_t from) {
            ++txs;
            if (relayTxs) manager->broadcastTx(*tx, from);
        };
        h.position = [] { return PeerPosition{1, 0, 1}; };
        manager = std::make_unique<PeerManager>(std::move(o), key, std::move(h));
        server->addService(manager->gossipService());
        auto p = server->start();
        REQUIRE(p.hasValue());
        port = *p;
    }
    ~TestPeer() {
        manager->stop();
        server->shutdown(1000);
    }
    std::string id() const { return nodeIdOf(key.publicKey()); }
    PeerAddress address() const { return PeerAddress{id(), "127.0.0.1:" + std::to_string(port)}; }
};

Vote signedVote(const wallet::SecretKey& key, std::uint64_t height) {
    Vote v;
    v.type = VoteType::Prevote;
    v.height = height;
    v.round = 0;
    v.validator = key.publicKey();
    v.signature = key.sign(v.signDigest("chain-a").span());
    return v;
}

std::string str(ByteSpan b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// A raw client of another node's Gossip service that runs the handshake by hand.
struct FakePeer {
    wallet::SecretKey key = wallet::SecretKey::generate();
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<p2p::v1::Gossip::Stub> stub;
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReaderWriter<p2p::v1::Envelope, p2p::v1::Envelope>> rw;

    explicit FakePeer(int port) {
        channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
        stub = p2p::v1::Gossip::NewStub(channel);
        ctx.set_deadline(std::chrono::system_clock::now() + 20s);
        rw = stub->Connect(&ctx);
    }
    ~FakePeer() {
        ctx.TryCancel();
        rw->Finish();
    }
    // Sends our Hello and reads the peer's; then sends our ack and reads theirs.
    p2p::v1::Envelope handshake(const std::string& chainId) {
        const auto challenge = wallet::secureRandomArray<32>();
        p2p::v1::Envelope hello;
        *hello.mutable_hello() = makeHello(LocalIdentity{chainId, kGenesis, key.publicKey(), "", "fake"}, challenge);
        REQUIRE(rw->Write(hello));
        p2p::v1::Envelope in;
        REQUIRE(rw->Read(&in));
        REQUIRE(in.has_hello());
        std::array<std::uint8_t, 32> theirs{};
        std::copy(in.hello().challenge().begin(), in.hello().challenge().end(), theirs.begin());
        p2p::v1::Envelope ack;
        ack.mutable_hello_ack()->set_signature(
            str(key.sign(handshakeDigest(chainId, theirs, key.publicKey()).span()).span()));
        rw->Write(ack);
        p2p::v1::Envelope reply;
        REQUIRE(rw->Read(&reply));
        return reply;
    }
};

}  // namespace

TEST_CASE("the handshake signature covers chain, challenge and signer and is checked against the peer key", "[p2p]") {
    const auto key = wallet::SecretKey::generate();
    const auto other = wallet::SecretKey::generate();
    const auto challenge = wallet::secureRandomArray<32>();
    p2p::v1::HelloAck ack;
    ack.set_signature(str(key.sign(handshakeDigest("c", challenge, key.publicKey()).span()).span()));
    CHECK(checkAck("c", challenge, key.publicKey(), ack));
    CHECK_FALSE(checkAck("other-chain", challenge, key.publicKey(), ack));
    CHECK_FALSE(checkAck("c", challenge, other.publicKey(), ack));
    auto otherChallenge = challenge;
    otherChallenge[0] ^= 1;
    CHECK_FALSE(checkAck("c", otherChallenge, key.publicKey(), ack));
    // Domain separation: the digest is not a plain signDigest under another domain.
    Bytes payload(challenge.begin(), challenge.end());
    const auto pk = key.publicKey();  // one object: begin and end must point into the same key
    payload.insert(payload.end(), pk.span().begin(), pk.span().end());
    CHECK(handshakeDigest("c", challenge, key.publicKey()) != signDigest(domain::kVote, "c", payload));
}

TEST_CASE("hello checks reject another chain, genesis, version, self and an unexpected node id", "[p2p]") {
    const auto me = wallet::SecretKey::generate();
    const auto peer = wallet::SecretKey::generate();
    const LocalIdentity self{"chain-a", kGenesis, me.publicKey(), "", "me"};
    const auto challenge = wallet::secureRandomArray<32>();
    auto hello = makeHello(LocalIdentity{"chain-a", kGenesis, peer.publicKey(), "", "peer"}, challenge);
    CHECK_FALSE(checkHello(self, hello, std::nullopt));
    CHECK_FALSE(checkHello(self, hello, nodeIdOf(peer.publicKey())));
    CHECK(checkHello(self, hello, nodeIdOf(me.publicKey()))->find("node id mismatch") == 0);
    auto wrongChain = hello;
    wrongChain.set_chain_id("chain-b");
    CHECK(checkHello(self, wrongChain, std::nullopt)->find("chain id") == 0);
    auto wrongGenesis = hello;
    wrongGenesis.set_genesis_hash(std::string(32, 'x'));
    CHECK(*checkHello(self, wrongGenesis, std::nullopt) == "genesis hash mismatch");
    auto wrongVersion = hello;
    wrongVersion.set_protocol_version(kP2pProtocolVersion + 1);
    CHECK(checkHello(self, wrongVersion, std::nullopt)->find("protocol version") == 0);
    auto toSelf = makeHello(self, challenge);
    CHECK(*checkHello(self, toSelf, std::nullopt) == "connection to self");
}

TEST_CASE("two peer managers connect through a persistent peer and gossip votes and txs", "[p2p]") {
    TestPeer b;
    TestPeer a({b.address()});
    a.manager->start();
    b.manager->start();
    REQUIRE(test::waitUntil([&] { return a.manager->peerCount() == 1 && b.manager->peerCount() == 1; }, 10s));
    CHECK(a.manager->peers().front().nodeId == b.id());
    CHECK(a.manager->peers().front().outbound);
    CHECK_FALSE(b.manager->peers().front().outbound);

    const auto validator = wallet::SecretKey::generate();
    a.manager->broadcastVote(signedVote(validator, 1));
    REQUIRE(test::waitUntil([&] { return b.votes.load() == 1; }, 5s));
    CHECK(a.votes.load() == 0);  // relayed back? no: b skips the stream it came from

    // Status exchange carries positions both ways.
    REQUIRE(test::waitUntil([&] { return b.manager->peers().front().position.height == 1; }, 5s));
}

TEST_CASE("blocked peers have their traffic dropped until the block is lifted", "[p2p]") {
    TestPeer b;
    TestPeer a({b.address()});
    a.manager->start();
    b.manager->start();
    REQUIRE(test::waitUntil([&] { return a.manager->peerCount() == 1 && b.manager->peerCount() == 1; }, 10s));
    b.manager->setBlocked({a.id()});
    const auto validator = wallet::SecretKey::generate();
    a.manager->broadcastVote(signedVote(validator, 1));
    // Nothing to wait for: the vote must not arrive; a later one after healing must.
    CHECK_FALSE(test::waitUntil([&] { return b.votes.load() > 0; }, 500ms));
    b.manager->setBlocked({});
    a.manager->broadcastVote(signedVote(validator, 2));
    CHECK(test::waitUntil([&] { return b.votes.load() == 1; }, 5s));
}

TEST_CASE("a peer met through peer exchange is reported with its listen address as a block sync source", "[p2p]") {
    std::mutex mu;
    std::set<std::string> reported;  // NODEID@host:port the hook saw
    auto sawAll = [&](const std::vector<std::string>& want) {
        std::lock_guard lock(mu);
        for (const auto& w : want)
            if (reported.count(w) == 0) return false;
        return true;
    };
    TestPeer seed({}, "chain-a", true);
    TestPeer a({seed.address()}, "chain-a", true);
    TestPeer b({seed.address()}, "chain-a", true);
    b.manager->setOnPeerConnected([&](const PeerInfo& p) {
        std::lock_guard lock(mu);
        reported.insert(p.nodeId + "@" + p.listenAddress);
    });
    seed.manager->start();
    a.manager->start();
    b.manager->start();
    // b is configured with the seed only; peer exchange gives it a, and both
    // are reported once connected.
    REQUIRE(test::waitUntil([&] { return sawAll({seed.address().toString(), a.address().toString()}); }, 20s));
    auto has = [&](const std::string& hostPort) {
        const auto all = b.manager->connectedAddresses();
        return std::find(all.begin(), all.end(), hostPort) != all.end();
    };
    CHECK(has(a.address().hostPort));
    CHECK(has(seed.address().hostPort));
    // A blocked peer is no sync source.
    b.manager->setBlocked({a.id()});
    CHECK_FALSE(has(a.address().hostPort));
    CHECK(has(seed.address().hostPort));
}

TEST_CASE("a peer on another chain is refused with a reason", "[p2p]") {
    TestPeer b;
    b.manager->start();
    FakePeer fake(b.port);
    const auto reply = fake.handshake("chain-b");
    REQUIRE(reply.has_hello_ack());
    CHECK(reply.hello_ack().reject_reason().find("chain id mismatch") == 0);
    CHECK(b.manager->peerCount() == 0);
}

TEST_CASE("a peer sending an undecodable vote is disconnected and banned", "[p2p]") {
    TestPeer b;
    b.manager->start();
    const std::string fakeId = [&] {
        FakePeer fake(b.port);
        const auto reply = fake.handshake("chain-a");
        REQUIRE(reply.has_hello_ack());
        REQUIRE(reply.hello_ack().reject_reason().empty());
        REQUIRE(test::waitUntil([&] { return b.manager->peerCount() == 1; }, 5s));
        p2p::v1::Envelope junk;
        junk.set_vote("not a vote");
        fake.rw->Write(junk);
        // The node ends the stream: reads drain to false.
        p2p::v1::Envelope in;
        while (fake.rw->Read(&in)) {
        }
        return nodeIdOf(fake.key.publicKey());
    }();
    CHECK(b.manager->offences(fakeId) == 1);
    CHECK(b.manager->banned(fakeId));
    CHECK(test::waitUntil([&] { return b.manager->peerCount() == 0; }, 5s));
}

TEST_CASE("a vote with a bad signature counts as invalid data", "[p2p]") {
    TestPeer b;
    b.manager->start();
    FakePeer fake(b.port);
    const auto reply = fake.handshake("chain-a");
    REQUIRE(reply.hello_ack().reject_reason().empty());
    auto v = signedVote(fake.key, 1);
    v.round = 1;  // signature no longer matches
    p2p::v1::Envelope msg;
    msg.set_vote(str(encode(v)));
    fake.rw->Write(msg);
    p2p::v1::Envelope in;
    while (fake.rw->Read(&in)) {
    }
    CHECK(b.manager->offences(nodeIdOf(fake.key.publicKey())) == 1);
    CHECK(b.votes.load() == 0);
}

TEST_CASE("a tx batch from a peer delivers each tx once; an oversized batch is invalid data", "[p2p]") {
    TestPeer b;
    b.manager->start();
    FakePeer fake(b.port);
    const auto reply = fake.handshake("chain-a");
    REQUIRE(reply.hello_ack().reject_reason().empty());
    auto txBytes = [](std::uint64_t nonce) {
        Tx t;
        t.chainId = "chain-a";
        t.nonce = nonce;
        t.fee = Amount(1'000);
        t.msgs.push_back(MsgSend{Address::fromPublicKey(test::testKey(2).publicKey), Amount(1)});
        return str(test::signTx(test::testKey(1), t).bytes());
    };
    p2p::v1::Envelope batch;
    for (std::uint64_t n = 0; n < 3; ++n) batch.mutable_tx_batch()->add_txs(txBytes(n));
    batch.mutable_tx_batch()->add_txs(txBytes(1));  // a repeat is dropped by the seen-set
    REQUIRE(fake.rw->Write(batch));
    REQUIRE(test::waitUntil([&] { return b.txs.load() == 3; }, 5s));

    p2p::v1::Envelope oversized;
    for (std::uint64_t n = 0; n < kTxBatchMaxTxs + 1; ++n) oversized.mutable_tx_batch()->add_txs(txBytes(100 + n));
    fake.rw->Write(oversized);
    p2p::v1::Envelope in;
    while (fake.rw->Read(&in)) {
    }
    CHECK(b.manager->offences(nodeIdOf(fake.key.publicKey())) == 1);
    CHECK(b.txs.load() == 3);
}

TEST_CASE("a relayed tx goes to the other peers but not back to the peer it came from", "[p2p]") {
    TestPeer hub;
    hub.relayTxs = true;
    TestPeer c({hub.address()});
    hub.manager->start();
    c.manager->start();
    FakePeer fake(hub.port);
    REQUIRE(fake.handshake("chain-a").hello_ack().reject_reason().empty());
    REQUIRE(test::waitUntil([&] { return hub.manager->peerCount() == 2; }, 10s));
    Tx t;
    t.chainId = "chain-a";
    t.fee = Amount(1'000);
    t.msgs.push_back(MsgSend{Address::fromPublicKey(test::testKey(2).publicKey), Amount(1)});
    p2p::v1::Envelope msg;
    msg.set_tx(str(test::signTx(test::testKey(1), t).bytes()));
    REQUIRE(fake.rw->Write(msg));
    REQUIRE(test::waitUntil([&] { return c.txs.load() == 1; }, 5s));
    CHECK(hub.txs.load() == 1);
    // Everything the hub sends the fake peer up to a vote queued after the
    // relay: no tx among it.
    const auto validator = wallet::SecretKey::generate();
    hub.manager->broadcastVote(signedVote(validator, 1));
    p2p::v1::Envelope in;
    int echoes = 0;
    bool voteSeen = false;
    while (!voteSeen && fake.rw->Read(&in)) {
        if (in.body_case() == p2p::v1::Envelope::kTx || in.has_tx_batch()) ++echoes;
        voteSeen = in.body_case() == p2p::v1::Envelope::kVote;
    }
    REQUIRE(voteSeen);
    CHECK(echoes == 0);
}

TEST_CASE("a proposal whose bytes are not its signed block is refused before consensus and relay; the real copy passes",
          "[p2p][proposal]") {
    TestPeer b;
    b.manager->start();
    // An honest proposer's block and its signed proposal.
    const auto proposer = wallet::SecretKey::generate();
    Block block;
    block.header.chainId = "chain-a";
    block.header.height = 1;
    block.header.timeMs = 1'000;
    block.header.proposer = Address::fromPublicKey(proposer.publicKey());
    block.txs.push_back(Bytes{1, 2, 3});
    block.sealContentHashes();
    Proposal honest;
    honest.height = 1;
    honest.round = 0;
    honest.blockId = block.id();
    honest.proposer = proposer.publicKey();
    honest.block = encode(block);
    honest.signature = proposer.sign(honest.signDigest("chain-a").span());

    auto sendFrom = [&](const Proposal& p) {
        auto fake = std::make_unique<FakePeer>(b.port);
        const auto reply = fake->handshake("chain-a");
        REQUIRE(reply.hello_ack().reject_reason().empty());
        p2p::v1::Envelope msg;
        msg.set_proposal(str(encode(p)));
        REQUIRE(fake->rw->Write(msg));
        return fake;
    };

    // A relay re-sends the honest proposal (its signature still verifies) with
    // other bytes: another header, or the same header with other txs.
    Block otherHeader = block;
    otherHeader.header.timeMs = 2'000;
    Block otherTxs = block;
    otherTxs.txs.push_back(Bytes{4, 5, 6});
    for (const Block* junk : {&otherHeader, &otherTxs}) {
        Proposal tampered = honest;
        tampered.block = encode(*junk);
        REQUIRE(tampered.verifySignature("chain-a"));
        auto fake = sendFrom(tampered);
        p2p::v1::Envelope in;
        while (fake->rw->Read(&in)) {
        }
        CHECK(b.manager->offences(nodeIdOf(fake->key.publicKey())) == 1);
    }
    CHECK(b.proposals.load() == 0);

    // The real copy, arriving after the junk, still reaches consensus.
    auto good = sendFrom(honest);
    CHECK(test::waitUntil([&] { return b.proposals.load() == 1; }, 5s));
    CHECK(b.manager->offences(nodeIdOf(good->key.publicKey())) == 0);
}
