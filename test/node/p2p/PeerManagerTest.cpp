// PeerManager in-process: two managers on loopback gRPC servers, and a
// hand-driven fake peer for the handshake and misbehaviour paths.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "consensus/core/Block.h"
#include "consensus/core/SignDigest.h"
#include "node/base/NodeId.h"
#include "node/base/PeerAddress.h"
#include "node/consensus/ConsensusAdmission.h"
#include "node/mempool/Mempool.h"
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
    // `configure` changes the options (limits).
    // `handlers` adds to the recording handlers (admission).
    explicit TestPeer(std::vector<PeerAddress> peers = {}, std::string chainId = "chain-a", bool advertise = false,
                      const std::function<void(P2pOptions&)>& configure = {},
                      const std::function<void(GossipHandlers&)>& handlers = {}) {
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
        if (configure) configure(o);
        if (handlers) handlers(h);
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

// A raw client of another node's Gossip service that runs the handshake by
// hand (with the real StsHandshake) and then sends what a test tells it to.
struct FakePeer {
    wallet::SecretKey key = wallet::SecretKey::generate();
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<p2p::v1::Gossip::Stub> stub;
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReaderWriter<p2p::v1::Envelope, p2p::v1::Envelope>> rw;
    std::unique_ptr<StsHandshake> sts;

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
    std::string id() const { return nodeIdOf(key.publicKey()); }
    // Sends our Hello and reads the node's Hello and its reply: a clear
    // refusal is returned as it came; otherwise we answer with our sealed
    // ack and return an empty HelloAck once the node's ack checked out.
    p2p::v1::Envelope handshake(const std::string& chainId) {
        sts = std::make_unique<StsHandshake>(LocalIdentity{chainId, kGenesis, key.publicKey(), "", "fake"}, key, true,
                                             std::nullopt);
        REQUIRE(rw->Write(sts->hello()));
        p2p::v1::Envelope in;
        REQUIRE(rw->Read(&in));
        REQUIRE(in.has_hello());
        p2p::v1::Envelope reply;
        REQUIRE(rw->Read(&reply));
        if (reply.has_hello_ack() && !reply.hello_ack().reject_reason().empty()) return reply;
        REQUIRE_FALSE(sts->acceptHello(in.hello()));
        REQUIRE(rw->Write(sts->ack()));
        const auto failed = sts->finish(reply);
        INFO(failed.value_or(""));
        REQUIRE_FALSE(failed);
        return StsHandshake::refusal("");
    }
    // After the handshake: one message, sealed.
    bool send(const p2p::v1::Envelope& msg) { return rw->Write(sts->channel().seal(msg)); }
    // After the handshake: the next message, opened; false at the stream's end.
    bool receive(p2p::v1::Envelope& out) {
        p2p::v1::Envelope frame;
        if (!rw->Read(&frame)) return false;
        const auto failed = sts->channel().open(frame, out);
        INFO(failed.value_or(""));
        REQUIRE_FALSE(failed);
        return true;
    }
    void drain() {
        p2p::v1::Envelope in;
        while (rw->Read(&in)) {
        }
    }
};

// Two handshakes wired back to back in memory; the reasons each side's
// finish gives.
struct HandshakeOutcome {
    std::optional<std::string> dialler;
    std::optional<std::string> listener;
};

HandshakeOutcome runPair(StsHandshake& dialler, StsHandshake& listener) {
    REQUIRE_FALSE(dialler.acceptHello(listener.hello().hello()));
    REQUIRE_FALSE(listener.acceptHello(dialler.hello().hello()));
    const auto fromDialler = dialler.ack();
    const auto fromListener = listener.ack();
    return {dialler.finish(fromListener), listener.finish(fromDialler)};
}

LocalIdentity identity(const wallet::SecretKey& key, std::string moniker = "node") {
    return LocalIdentity{"chain-a", kGenesis, key.publicKey(), "", std::move(moniker)};
}

}  // namespace

TEST_CASE("two honest handshakes derive one session: each side opens what the other seals, in order", "[p2p][sts]") {
    const auto a = wallet::SecretKey::generate();
    const auto b = wallet::SecretKey::generate();
    StsHandshake dialler(identity(a), a, true, nodeIdOf(b.publicKey()));
    StsHandshake listener(identity(b), b, false, std::nullopt);
    const auto outcome = runPair(dialler, listener);
    REQUIRE_FALSE(outcome.dialler);
    REQUIRE_FALSE(outcome.listener);
    CHECK(dialler.peerKey() == b.publicKey());
    CHECK(listener.peerKey() == a.publicKey());
    for (std::uint64_t h = 1; h <= 3; ++h) {
        p2p::v1::Envelope msg;
        msg.mutable_status()->set_height(h);
        p2p::v1::Envelope out;
        REQUIRE_FALSE(listener.channel().open(dialler.channel().seal(msg), out));
        CHECK(out.status().height() == h);
        REQUIRE_FALSE(dialler.channel().open(listener.channel().seal(msg), out));
    }
}

TEST_CASE("a relay that puts its own ephemeral keys between two honest nodes is detected on both sides", "[p2p][sts]") {
    const auto a = wallet::SecretKey::generate();
    const auto b = wallet::SecretKey::generate();
    const auto m = wallet::SecretKey::generate();  // the relay's own node key
    StsHandshake aSide(identity(a), a, true, nodeIdOf(b.publicKey()));
    StsHandshake bSide(identity(b), b, false, std::nullopt);
    // The relay runs one handshake per leg: towards a it poses as b, towards
    // b as a, each time with an ephemeral key of its own (so it could read).
    StsHandshake relayToA(identity(b), m, false, std::nullopt);
    StsHandshake relayToB(identity(a), m, true, std::nullopt);
    auto withEphemeralOf = [](p2p::v1::Hello h, const StsHandshake& relayLeg) {
        h.set_ephemeral_key(relayLeg.hello().hello().ephemeral_key());
        return h;
    };
    const auto aHello = aSide.hello().hello();
    const auto bHello = bSide.hello().hello();
    REQUIRE_FALSE(aSide.acceptHello(withEphemeralOf(bHello, relayToA)));
    REQUIRE_FALSE(bSide.acceptHello(withEphemeralOf(aHello, relayToB)));
    REQUIRE_FALSE(relayToA.acceptHello(aHello));
    REQUIRE_FALSE(relayToB.acceptHello(bHello));
    // The relay holds both legs' session keys, so it reads each signature...
    p2p::v1::Envelope aAck;
    REQUIRE_FALSE(relayToA.channel().open(aSide.ack(), aAck));
    p2p::v1::Envelope bAck;
    REQUIRE_FALSE(relayToB.channel().open(bSide.ack(), bAck));
    // ...and re-seals it for the other leg, where it does not verify: each
    // signature covers the ephemeral keys its signer saw.
    const auto atB = bSide.finish(relayToB.channel().seal(aAck));
    const auto atA = aSide.finish(relayToA.channel().seal(bAck));
    REQUIRE(atB);
    REQUIRE(atA);
    CHECK(atB->find("bad transcript signature") == 0);
    CHECK(atA->find("bad transcript signature") == 0);
}

TEST_CASE("a relay that forwards the hellos unchanged cannot open, forge or inject frames", "[p2p][sts]") {
    const auto a = wallet::SecretKey::generate();
    const auto b = wallet::SecretKey::generate();
    StsHandshake dialler(identity(a), a, true, nodeIdOf(b.publicKey()));
    StsHandshake listener(identity(b), b, false, std::nullopt);
    // The relay saw both Hellos; its best try at keys uses an ephemeral key of its own.
    const auto m = wallet::SecretKey::generate();
    StsHandshake relay(identity(m), m, true, std::nullopt);
    REQUIRE_FALSE(relay.acceptHello(listener.hello().hello()));
    const auto outcome = runPair(dialler, listener);
    REQUIRE_FALSE(outcome.dialler);
    REQUIRE_FALSE(outcome.listener);

    p2p::v1::Envelope vote;
    vote.set_vote("a vote");
    p2p::v1::Envelope out;
    const auto frame = dialler.channel().seal(vote);  // counter 1: the acks used 0
    // Under its own keys, at its own next counter, the relay cannot open it...
    auto asRelaySees = frame;
    asRelaySees.mutable_sealed()->set_counter(0);
    CHECK(relay.channel().open(asRelaySees, out)->find("frame failed authentication") == 0);
    // ...nor forge one that b opens, even with the counter b expects next (1).
    (void)relay.channel().seal(vote);
    const auto forged = relay.channel().seal(vote);
    REQUIRE(forged.sealed().counter() == 1);
    CHECK(listener.channel().open(forged, out)->find("frame failed authentication") == 0);
    CHECK(*listener.channel().open(vote, out) == "plaintext message on an encrypted stream");
    // The honest frame still opens: the refusals consumed nothing.
    REQUIRE_FALSE(listener.channel().open(frame, out));
    CHECK(out.vote() == "a vote");
}

TEST_CASE("a tampered, replayed or reordered frame is refused with a reason", "[p2p][sts]") {
    const auto a = wallet::SecretKey::generate();
    const auto b = wallet::SecretKey::generate();
    StsHandshake dialler(identity(a), a, true, std::nullopt);
    StsHandshake listener(identity(b), b, false, std::nullopt);
    const auto outcome = runPair(dialler, listener);
    REQUIRE_FALSE(outcome.dialler);
    REQUIRE_FALSE(outcome.listener);
    p2p::v1::Envelope msg;
    msg.set_tx("tx bytes");
    p2p::v1::Envelope out;

    const auto first = dialler.channel().seal(msg);  // counter 1: the acks used 0
    // Reflected back to its sender it does not open: each direction has its own key.
    CHECK(dialler.channel().open(first, out)->find("frame failed authentication") == 0);
    auto tampered = first;
    tampered.mutable_sealed()->mutable_box()->at(0) ^= 1;
    CHECK(listener.channel().open(tampered, out)->find("frame failed authentication") == 0);
    // A refused frame consumes nothing: the listener still expects counter 1.
    const auto second = dialler.channel().seal(msg);
    CHECK(*listener.channel().open(second, out) == "replayed or reordered frame: counter 2, expected 1");
    // Relabelling the counter does not help: the nonce is the counter.
    auto relabelled = second;
    relabelled.mutable_sealed()->set_counter(1);
    CHECK(listener.channel().open(relabelled, out)->find("frame failed authentication") == 0);
    REQUIRE_FALSE(listener.channel().open(first, out));
    REQUIRE_FALSE(listener.channel().open(second, out));
    CHECK(out.tx() == "tx bytes");
}

TEST_CASE("a replayed frame is refused once its counter has passed", "[p2p][sts]") {
    const auto a = wallet::SecretKey::generate();
    const auto b = wallet::SecretKey::generate();
    StsHandshake dialler(identity(a), a, true, std::nullopt);
    StsHandshake listener(identity(b), b, false, std::nullopt);
    const auto outcome = runPair(dialler, listener);
    REQUIRE_FALSE(outcome.listener);
    p2p::v1::Envelope msg;
    msg.set_tx("tx bytes");
    p2p::v1::Envelope out;
    const auto frame = dialler.channel().seal(msg);
    REQUIRE_FALSE(listener.channel().open(frame, out));
    CHECK(out.tx() == "tx bytes");
    CHECK(*listener.channel().open(frame, out) == "replayed or reordered frame: counter 1, expected 2");
}

TEST_CASE("the transcript binds both ephemeral keys, both node keys, hello fields, chain and version", "[p2p][sts]") {
    const auto a = wallet::SecretKey::generate();
    const auto b = wallet::SecretKey::generate();
    StsHandshake da(identity(a), a, true, std::nullopt);
    StsHandshake lb(identity(b), b, false, std::nullopt);
    const auto d = da.hello().hello();
    const auto l = lb.hello().hello();
    const auto base = transcriptDigest("chain-a", d, l);
    CHECK(transcriptDigest("chain-b", d, l) != base);
    CHECK(transcriptDigest("chain-a", l, d) != base);  // the roles count
    auto mutate = [&](auto change) {
        auto d2 = d;
        change(d2);
        return transcriptDigest("chain-a", d2, l);
    };
    CHECK(mutate([](p2p::v1::Hello& h) { h.mutable_ephemeral_key()->at(0) ^= 1; }) != base);
    CHECK(mutate([&](p2p::v1::Hello& h) { h.set_node_key(l.node_key()); }) != base);
    CHECK(mutate([](p2p::v1::Hello& h) { h.set_listen_address("10.0.0.1:1"); }) != base);
    CHECK(mutate([](p2p::v1::Hello& h) { h.set_moniker("other"); }) != base);
    CHECK(mutate([](p2p::v1::Hello& h) { h.set_protocol_version(2); }) != base);
}

TEST_CASE("hello checks reject another chain, genesis, version, self, a bad ephemeral key and an unexpected node id",
          "[p2p]") {
    const auto me = wallet::SecretKey::generate();
    const auto peer = wallet::SecretKey::generate();
    const LocalIdentity self{"chain-a", kGenesis, me.publicKey(), "", "me"};
    const auto ephemeral = wallet::secureRandomArray<32>();
    auto hello = makeHello(LocalIdentity{"chain-a", kGenesis, peer.publicKey(), "", "peer"}, ephemeral);
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
    auto noEphemeral = hello;
    noEphemeral.clear_ephemeral_key();
    CHECK(*checkHello(self, noEphemeral, std::nullopt) == "ephemeral key must be 32 bytes");
    auto toSelf = makeHello(self, ephemeral);
    CHECK(*checkHello(self, toSelf, std::nullopt) == "connection to self");
}

TEST_CASE("a peer speaking p2p protocol version 2 is refused with a reason naming both versions", "[p2p][sts]") {
    TestPeer b;
    b.manager->start();
    FakePeer old(b.port);
    // Version 2's Hello: a challenge to sign (field 5), no ephemeral key.
    p2p::v1::Envelope hello;
    auto* h = hello.mutable_hello();
    h->set_chain_id("chain-a");
    h->set_genesis_hash(str(kGenesis.span()));
    h->set_protocol_version(2);
    h->set_node_key(str(old.key.publicKey().span()));
    h->set_moniker("old");
    REQUIRE(old.rw->Write(hello));
    p2p::v1::Envelope in;
    REQUIRE(old.rw->Read(&in));
    REQUIRE(in.has_hello());
    CHECK(in.hello().protocol_version() == kP2pProtocolVersion);
    REQUIRE(old.rw->Read(&in));
    REQUIRE(in.has_hello_ack());
    CHECK(in.hello_ack().reject_reason() ==
          "protocol version mismatch: peer speaks 2, this node speaks 3 (encrypted transport); upgrade the peer");
    CHECK(b.manager->peerCount() == 0);
    CHECK(b.manager->offences(old.id()) == 0);
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
        fake.send(junk);
        // The node ends the stream: reads drain to false.
        fake.drain();
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
    fake.send(msg);
    fake.drain();
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
    REQUIRE(fake.send(batch));
    REQUIRE(test::waitUntil([&] { return b.txs.load() == 3; }, 5s));

    p2p::v1::Envelope oversized;
    for (std::uint64_t n = 0; n < kTxBatchMaxTxs + 1; ++n) oversized.mutable_tx_batch()->add_txs(txBytes(100 + n));
    fake.send(oversized);
    fake.drain();
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
    REQUIRE(fake.send(msg));
    REQUIRE(test::waitUntil([&] { return c.txs.load() == 1; }, 5s));
    CHECK(hub.txs.load() == 1);
    // Everything the hub sends the fake peer up to a vote queued after the
    // relay: no tx among it.
    const auto validator = wallet::SecretKey::generate();
    hub.manager->broadcastVote(signedVote(validator, 1));
    p2p::v1::Envelope in;
    int echoes = 0;
    bool voteSeen = false;
    while (!voteSeen && fake.receive(in)) {
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
        REQUIRE(fake->send(msg));
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
        fake->drain();
        CHECK(b.manager->offences(nodeIdOf(fake->key.publicKey())) == 1);
    }
    CHECK(b.proposals.load() == 0);

    // The real copy, arriving after the junk, still reaches consensus.
    auto good = sendFrom(honest);
    CHECK(test::waitUntil([&] { return b.proposals.load() == 1; }, 5s));
    CHECK(b.manager->offences(nodeIdOf(good->key.publicKey())) == 0);
}

namespace {
// A relay between a and b: serves Gossip.Connect, dials b for each stream
// and copies every message both ways. After forwarding a's first two
// messages (its Hello and its handshake answer) it injects a vote of its own
// towards b, as if from a: the impersonation of issue 17, point 6.
class RelayService final : public p2p::v1::Gossip::Service {
public:
    explicit RelayService(int bPort) : bPort_(bPort) {}
    grpc::Status Connect(grpc::ServerContext* ctx,
                         grpc::ServerReaderWriter<p2p::v1::Envelope, p2p::v1::Envelope>* down) override {
        auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(bPort_), grpc::InsecureChannelCredentials());
        auto stub = p2p::v1::Gossip::NewStub(channel);
        grpc::ClientContext upCtx;
        auto up = stub->Connect(&upCtx);
        std::thread fromB([&] {
            p2p::v1::Envelope e;
            while (up->Read(&e))
                if (!down->Write(e)) break;
            ++streamsEndedByB_;
            ctx->TryCancel();
        });
        p2p::v1::Envelope e;
        int forwarded = 0;
        while (down->Read(&e)) {
            if (!up->Write(e)) break;
            if (++forwarded == 2) {
                p2p::v1::Envelope junk;
                junk.set_vote("not a vote");
                up->Write(junk);
                ++injected_;
            }
        }
        upCtx.TryCancel();
        fromB.join();
        up->Finish();
        return grpc::Status::OK;
    }
    int injected() const { return injected_.load(); }
    int streamsEndedByB() const { return streamsEndedByB_.load(); }

private:
    int bPort_;
    std::atomic<int> injected_{0};
    std::atomic<int> streamsEndedByB_{0};
};
}  // namespace

TEST_CASE("a relay between two nodes cannot inject messages as one of them or get it banned", "[p2p][sts]") {
    TestPeer b;
    b.manager->start();
    RelayService relay(b.port);
    GrpcServer relayServer(GrpcServerOptions{"127.0.0.1:0", 1024 * 1024, 64});
    relayServer.addService(&relay);
    const auto relayPort = relayServer.start();
    REQUIRE(relayPort.hasValue());
    {
        // a dials b's node id at the relay's address.
        TestPeer a({PeerAddress{b.id(), "127.0.0.1:" + std::to_string(*relayPort)}});
        a.manager->start();
        // b reads the injected message and ends the stream: wait for that.
        REQUIRE(test::waitUntil([&] { return relay.injected() >= 1 && relay.streamsEndedByB() >= 1; }, 10s));
        // Version 2 attributed the junk to a and banned it; now b cannot
        // open it, drops the stream with a logged reason, and a stays clean.
        CHECK(b.manager->offences(a.id()) == 0);
        CHECK_FALSE(b.manager->banned(a.id()));
        CHECK(b.votes.load() == 0);
        a.manager->stop();
    }
    relayServer.shutdown(1000);
}

TEST_CASE(
    "a flood of fresh inbound node keys fills only the inbound slots; persistent and unconditional peers still "
    "connect",
    "[p2p][limits]") {
    TestPeer p;                                 // v's persistent peer, dialled by v
    auto uKey = wallet::SecretKey::generate();  // an unconditional peer: dials v after the flood
    const auto uId = nodeIdOf(uKey.publicKey());
    TestPeer v({p.address()}, "chain-a", false, [&](P2pOptions& o) {
        o.maxInboundPeers = 3;
        o.maxOutboundPeers = 0;  // no dialling at all, but for exempt peers
        o.unconditionalPeerIds = {uId};
    });
    p.manager->start();
    // The flood: more fresh keys than v has inbound slots, before v dials anyone.
    std::vector<std::unique_ptr<FakePeer>> flood;
    int refused = 0;
    for (int i = 0; i < 6; ++i) {
        flood.push_back(std::make_unique<FakePeer>(v.port));
        const auto reply = flood.back()->handshake("chain-a");
        if (!reply.hello_ack().reject_reason().empty()) {
            CHECK(reply.hello_ack().reject_reason() == "too many inbound peers (p2p.max_inbound_peers)");
            ++refused;
        } else {
            // Registered before the next one knocks (v counts a peer once it read our ack).
            const auto accepted = static_cast<std::size_t>(i + 1 - refused);
            REQUIRE(test::waitUntil([&] { return v.manager->peerCount() == accepted; }, 5s));
        }
    }
    CHECK(refused == 3);
    REQUIRE(test::waitUntil([&] { return v.manager->peerCount() == 3; }, 5s));
    // The persistent peer is dialled and kept although the inbound slots are
    // full and there are no outbound ones: it is exempt.
    v.manager->start();
    REQUIRE(test::waitUntil([&] { return v.manager->peerCount() == 4; }, 10s));
    // The unconditional peer dials in past the full inbound slots.
    FakePeer u(v.port);
    u.key = std::move(uKey);
    REQUIRE(u.handshake("chain-a").hello_ack().reject_reason().empty());
    REQUIRE(test::waitUntil([&] { return v.manager->peerCount() == 5; }, 10s));
    auto connected = [&](const std::string& id) {
        const auto all = v.manager->peers();
        return std::any_of(all.begin(), all.end(), [&](const PeerInfo& i) { return i.nodeId == id; });
    };
    CHECK(connected(p.id()));
    CHECK(connected(uId));
    // Another fresh key is still refused.
    FakePeer late(v.port);
    CHECK(late.handshake("chain-a").hello_ack().reject_reason() == "too many inbound peers (p2p.max_inbound_peers)");
    CHECK(v.manager->peerCount() == 5);
}

TEST_CASE("outbound slots are counted apart: a full inbound side does not stop dialling, a full outbound side does",
          "[p2p][limits]") {
    TestPeer x({}, "chain-a", true);
    TestPeer y({}, "chain-a", true);
    // v learns x and y only through peer exchange from its persistent seed;
    // one outbound slot: one of them is dialled, not both.
    TestPeer seed({x.address(), y.address()}, "chain-a", true);
    TestPeer v({seed.address()}, "chain-a", false, [](P2pOptions& o) {
        o.maxInboundPeers = 0;
        o.maxOutboundPeers = 1;
    });
    x.manager->start();
    y.manager->start();
    seed.manager->start();
    REQUIRE(test::waitUntil([&] { return seed.manager->peerCount() == 2; }, 10s));
    v.manager->start();
    // seed (exempt) + exactly one learnt peer.
    REQUIRE(test::waitUntil([&] { return v.manager->peerCount() == 2; }, 20s));
    CHECK_FALSE(test::waitUntil([&] { return v.manager->peerCount() > 2; }, 1500ms));
    // No inbound slot at all: a fresh key is refused.
    FakePeer fresh(v.port);
    CHECK(fresh.handshake("chain-a").hello_ack().reject_reason() == "too many inbound peers (p2p.max_inbound_peers)");
}

namespace {
// A bound proposal at height 1 carrying `txBytes` of junk.
Proposal boundProposal(const wallet::SecretKey& key, std::uint32_t round, std::size_t txBytes) {
    Block block;
    block.header.chainId = "chain-a";
    block.header.height = 1;
    block.header.timeMs = 1'000 + round;
    block.header.proposer = Address::fromPublicKey(key.publicKey());
    block.txs.push_back(Bytes(txBytes, 0xCD));
    block.sealContentHashes();
    Proposal p;
    p.height = 1;
    p.round = round;
    p.blockId = block.id();
    p.proposer = key.publicKey();
    p.block = encode(block);
    p.signature = key.sign(p.signDigest("chain-a").span());
    return p;
}
}  // namespace

TEST_CASE("self-signed junk proposals from a non-validator key are neither relayed nor handed on; the peer is banned",
          "[p2p][admission]") {
    // The network's one validator; the hub admits against its set at height 1.
    const auto validator = wallet::SecretKey::generate();
    const auto set = ValidatorSet::fromUpdates({{validator.publicKey(), 100}}).value();
    const auto admission = std::make_shared<ConsensusAdmission>(1, std::nullopt, set, set, true, 4);
    auto admit = [admission](GossipHandlers& h) {
        h.admitProposal = [admission](const Proposal& p) { return admission->proposal(p, 0); };
        h.admitVote = [admission](const Vote& v) { return admission->vote(v, 0); };
    };
    TestPeer hub({}, "chain-a", false, {}, admit);
    TestPeer c({hub.address()});
    hub.manager->start();
    c.manager->start();
    REQUIRE(test::waitUntil([&] { return hub.manager->peerCount() == 1 && c.manager->peerCount() == 1; }, 10s));

    // The flood: 512 KiB proposals (the test server takes 1 MiB messages), well-formed, bound to their blocks and
    // correctly signed by a key that validates nothing, for this height and the next.
    const std::string floodId = [&] {
        FakePeer fake(hub.port);
        REQUIRE(fake.handshake("chain-a").hello_ack().reject_reason().empty());
        const auto junk = boundProposal(fake.key, 0, 512 * 1024);
        for (std::uint32_t i = 0; i < PeerManager::kAdmissionStrikesMax + 4; ++i) {
            Proposal p = junk;
            p.round = i;
            p.height = 1 + i % 2;
            p.signature = fake.key.sign(p.signDigest("chain-a").span());
            p2p::v1::Envelope msg;
            msg.set_proposal(str(encode(p)));
            if (!fake.send(msg)) break;  // cut off
        }
        fake.drain();  // the hub ends the stream
        return fake.id();
    }();
    CHECK(hub.manager->banned(floodId));
    const auto st = hub.manager->stats();
    CHECK(st.refused[static_cast<std::size_t>(Admission::NotValidator)] == PeerManager::kAdmissionStrikesMax);
    CHECK(st.admissionDisconnects == 1);
    CHECK(hub.proposals.load() == 0);

    // The validator's proposal, sent after the flood, is handed on and
    // relayed; anything of the flood relayed would have reached c before it.
    FakePeer honest(hub.port);
    REQUIRE(honest.handshake("chain-a").hello_ack().reject_reason().empty());
    p2p::v1::Envelope msg;
    msg.set_proposal(str(encode(boundProposal(validator, 0, 1024))));
    REQUIRE(honest.send(msg));
    REQUIRE(test::waitUntil([&] { return c.proposals.load() == 1; }, 10s));
    CHECK(hub.proposals.load() == 1);
    CHECK(c.proposals.load() == 1);
    CHECK_FALSE(hub.manager->banned(honest.id()));
}

TEST_CASE("a peer over its inbound message rate has messages dropped, then is disconnected and banned", "[p2p][rate]") {
    // 20 messages a second (a burst of 40); no byte limit.
    TestPeer b({}, "chain-a", false, [](P2pOptions& o) { o.recvRate = RateLimit{0, 20}; });
    b.manager->start();
    FakePeer fake(b.port);
    REQUIRE(fake.handshake("chain-a").hello_ack().reject_reason().empty());
    p2p::v1::Envelope status;
    status.mutable_status()->set_height(1);
    for (int i = 0; i < 200; ++i)
        if (!fake.send(status)) break;
    fake.drain();
    CHECK(b.manager->banned(fake.id()));
    const auto st = b.manager->stats();
    CHECK(st.rateDisconnects == 1);
    CHECK(st.rateLimitedMessages > 20);
    CHECK(test::waitUntil([&] { return b.manager->peerCount() == 0; }, 5s));
}

TEST_CASE("a peer within its inbound rate stays connected", "[p2p][rate]") {
    TestPeer b({}, "chain-a", false, [](P2pOptions& o) { o.recvRate = RateLimit{0, 1000}; });
    b.manager->start();
    FakePeer fake(b.port);
    REQUIRE(fake.handshake("chain-a").hello_ack().reject_reason().empty());
    const auto validator = wallet::SecretKey::generate();
    for (std::uint64_t h = 1; h <= 100; ++h) {
        p2p::v1::Envelope msg;
        msg.set_vote(str(encode(signedVote(validator, h))));
        REQUIRE(fake.send(msg));
    }
    REQUIRE(test::waitUntil([&] { return b.votes.load() == 100; }, 10s));
    CHECK(b.manager->peerCount() == 1);
    CHECK(b.manager->stats().rateLimitedMessages == 0);
}

namespace {

// Every account funded, every tx valid: the mempool's own rules (nonces in
// order, byte bounds) are all that decide.
class FundedLedger final : public MempoolLedgerView {
public:
    CheckResult check(const SignedTx&) const override { return {}; }
    Account account(const Address&) const override { return {0, Amount(1'000'000'000)}; }
    Amount minFee(const Tx&) const override { return Amount(10); }
};

Bytes sendTx(std::uint64_t nonce) {
    Tx t;
    t.chainId = "chain-a";
    t.nonce = nonce;
    t.fee = Amount(1'000);
    t.msgs.push_back(MsgSend{Address::fromPublicKey(test::testKey(2).publicKey), Amount(1)});
    return test::signTx(test::testKey(1), t).bytes();
}

}  // namespace

TEST_CASE("a peer that connects after txs were admitted receives the pending txs, within the byte bound",
          "[p2p][mempool]") {
    // Node a's mempool holds five txs before anyone connects to it (a
    // validator that restarted and lost its mempool dials in later, say).
    Mempool mempool{MempoolLimits{}, std::make_shared<SignatureCache>()};
    const FundedLedger ledger;
    std::size_t txBytes = 0;
    for (std::uint64_t n = 0; n < 5; ++n) {
        const Bytes tx = sendTx(n);
        txBytes = tx.size();
        REQUIRE(mempool.add(tx, ledger).ok());
    }
    const auto withMempool = [&](GossipHandlers& h) {
        h.pendingTxs = [&](std::size_t maxBytes) {
            std::vector<TxRef> txs;
            for (const auto& e : mempool.reap(SIZE_MAX, maxBytes)) txs.push_back(e->tx);
            return txs;
        };
    };

    SECTION("all of them when they fit") {
        TestPeer a({}, "chain-a", false, {}, withMempool);
        a.manager->start();
        REQUIRE(P2pOptions{}.sendQueueMaxBytes / 4 >= 5 * txBytes);
        TestPeer b({a.address()});
        b.manager->start();
        REQUIRE(test::waitUntil([&] { return b.txs.load() == 5; }, 10s));
    }
    SECTION("the first ones up to a quarter of the send queue") {
        // Room for three and a half txs: the first three go, in nonce order.
        const auto smallQueue = [&](P2pOptions& o) { o.sendQueueMaxBytes = 4 * (3 * txBytes + txBytes / 2); };
        TestPeer a({}, "chain-a", false, smallQueue, withMempool);
        a.manager->start();
        TestPeer b({a.address()});
        b.manager->start();
        REQUIRE(test::waitUntil([&] { return b.txs.load() == 3; }, 10s));
        // A vote queued now comes after every tx queued at the connection, on the same stream.
        const auto validator = wallet::SecretKey::generate();
        a.manager->broadcastVote(signedVote(validator, 1));
        REQUIRE(test::waitUntil([&] { return b.votes.load() == 1; }, 10s));
        CHECK(b.txs.load() == 3);
    }
}
