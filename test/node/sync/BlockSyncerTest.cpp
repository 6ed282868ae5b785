// BlockSyncer against fake peers: it applies verified blocks in order,
// checks every certificate against the validator set of its height, and
// drops peers that serve tampered data. Slashing: evidence pool rules and a
// block carrying duplicate-vote evidence tombstones the validator.
#include <catch2/catch.hpp>

#include <map>

#include "contracts/Keys.h"
#include "contracts/Staking.h"
#include "node/app/Application.h"
#include "node/consensus/EvidencePool.h"
#include "node/storage/NodeDatabase.h"
#include "node/sync/BlockSyncer.h"
#include "support/TestKeys.h"
#include "support/TestNode.h"

using namespace agora;
using namespace agora::node;

namespace {

const std::string kChain = "sync-test";
const std::uint64_t kBigStake = 1'000'000'000'000ULL;
const std::uint64_t kSmallStake = 100'000'000'000ULL;

// k10 holds > 2/3 of the power alone; k11 is a small second validator.
GenesisDoc testGenesis() {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = kChain;
    d.genesis.params.minSelfStake = Amount(1'000'000);
    for (auto [n, stake] : {std::pair<std::uint8_t, std::uint64_t>{10, kBigStake}, {11, kSmallStake}}) {
        const auto k = test::testKey(n);
        d.genesis.validators.push_back(
            {Address::fromPublicKey(k.publicKey), k.publicKey, "v" + std::to_string(n), 0, Amount(stake)});
    }
    d.genesis.accounts.push_back({Address::fromPublicKey(test::testKey(1).publicKey), Amount(10'000'000'000)});
    return d;
}

// One node on LevelDB (test/support/TestNode.h); buildChain certifies by k10 alone.
struct TestApp : test::TestNode {
    explicit TestApp(const std::string& name) : TestNode(testGenesis(), {.name = "agora-sync-" + name}) {}
};

Vote precommit(std::uint8_t key, std::uint64_t height, std::optional<Hash256> id, std::uint32_t round = 0) {
    const auto k = test::testKey(key);
    Vote v;
    v.type = VoteType::Precommit;
    v.height = height;
    v.round = round;
    v.blockId = id;
    v.validator = k.publicKey;
    v.signature = test::signDigest32(k, v.signDigest(kChain));
    return v;
}

CommitCertificate certify(const Hash256& id, std::uint64_t height, std::vector<std::uint8_t> keys) {
    CommitCertificate c;
    c.height = height;
    c.blockId = id;
    std::sort(keys.begin(), keys.end(),
              [](std::uint8_t a, std::uint8_t b) { return test::testKey(a).publicKey < test::testKey(b).publicKey; });
    for (auto k : keys) c.signatures.push_back({test::testKey(k).publicKey, precommit(k, height, id).signature});
    return c;
}

Bytes sendTx(std::uint64_t nonce) {
    Tx tx;
    tx.chainId = kChain;
    tx.nonce = nonce;
    tx.fee = Amount(1'000);
    tx.msgs = {MsgSend{Address::fromPublicKey(test::testKey(9).publicKey), Amount(100 + nonce)}};
    return test::signTx(test::testKey(1), tx).bytes();
}

// A chain of `n` blocks built on a source Application, as a peer serves it.
std::vector<SyncedBlockData> buildChain(TestApp& source, std::uint64_t n) {
    std::vector<SyncedBlockData> out;
    for (std::uint64_t h = 1; h <= n; ++h) {
        auto p = source.app().proposeBytes(test::testKey(10).publicKey, 1'000 + h * 1'000, {sendTx(h - 1)}, {});
        REQUIRE(p.hasValue());
        const auto cert = certify(p->id, h, {10});
        REQUIRE(source.app().commit(p->id, p->bytes, cert).hasValue());
        out.push_back({h, p->bytes, encode(cert)});
    }
    return out;
}

struct FakePeer {
    SyncPeerStatus status;
    std::vector<SyncedBlockData> blocks;
    std::size_t blockCalls = 0;
};

class FakeSource final : public BlockSource {
public:
    explicit FakeSource(FakePeer& peer) : peer_(peer) {}
    Expected<SyncPeerStatus, std::string> status() override { return peer_.status; }
    Expected<std::vector<SyncedBlockData>, std::string> blocks(std::uint64_t from, std::uint32_t max) override {
        ++peer_.blockCalls;
        std::vector<SyncedBlockData> out;
        for (const auto& b : peer_.blocks)
            if (b.height >= from && out.size() < max) out.push_back(b);
        return out;
    }

private:
    FakePeer& peer_;
};

struct Network {
    std::map<std::string, FakePeer> peers;
    FakePeer& add(const std::string& name, std::vector<SyncedBlockData> blocks, const Application& genesisOf) {
        auto& p = peers[name];
        p.status.chainId = kChain;
        p.status.genesisHash = genesisOf.genesis().hash();
        p.status.height = blocks.empty() ? 0 : blocks.back().height;
        p.status.earliestHeight = 1;
        p.blocks = std::move(blocks);
        return p;
    }
    BlockSourceFactory factory() {
        return [this](const std::string& address) { return std::make_unique<FakeSource>(peers.at(address)); };
    }
};

std::vector<std::string> names(std::initializer_list<std::string> l) {
    return {l};
}

}  // namespace

TEST_CASE("the syncer applies a peer's blocks in order and reaches the peer's app_hash at every height", "[sync]") {
    TestApp source("src"), target("dst");
    auto chain = buildChain(source, 20);
    Network net;
    auto& peer = net.add("good:1", chain, source.app());
    std::vector<std::uint64_t> committed;
    BlockSyncer syncer(target.app(), net.factory(), BlockSyncOptions{4, 0},
                       [&](const CommitOutcome& o) { committed.push_back(o.height); });
    syncer.setPeers(names({"good:1"}));
    std::atomic<bool> stop{false};
    auto r = syncer.sync(stop);
    REQUIRE(r.applied == 20);
    REQUIRE(r.dropped.empty());
    REQUIRE(r.bestPeerHeight == 20);
    REQUIRE(peer.blockCalls == 5);  // batches of 4
    REQUIRE(target.app().lastHeight() == 20);
    REQUIRE(committed.size() == 20);
    REQUIRE(committed.front() == 1);
    REQUIRE(committed.back() == 20);
    for (std::uint64_t h = 1; h <= 20; ++h) {
        REQUIRE(target.app().blocks().block(h)->header.appHash == source.app().blocks().block(h)->header.appHash);
        REQUIRE(*target.app().blocks().commit(h) == *source.app().blocks().commit(h));
    }
    REQUIRE(target.app().lastAppHash() == source.app().lastAppHash());
    REQUIRE_FALSE(syncer.catchingUp());
}

TEST_CASE("the syncer stops within maxBehind blocks of the best peer", "[sync]") {
    TestApp source("src-behind"), target("dst-behind");
    Network net;
    net.add("p:1", buildChain(source, 6), source.app());
    BlockSyncer syncer(target.app(), net.factory(), BlockSyncOptions{64, 1}, nullptr);
    syncer.setPeers(names({"p:1"}));
    std::atomic<bool> stop{false};
    syncer.sync(stop);
    REQUIRE(target.app().lastHeight() >= 5);
    // Nothing to do when already close enough.
    REQUIRE(syncer.sync(stop).applied == 0);
}

TEST_CASE("a peer serving a tampered block or certificate is dropped and the honest peer is used", "[sync]") {
    TestApp source("src-bad"), target("dst-bad");
    auto chain = buildChain(source, 10);

    auto tampered = chain;
    SECTION("certificate signature flipped") {
        Bytes& c = tampered[4].certificate;
        c[c.size() - 1] ^= 0x01;
    }
    SECTION("certificate for the block signed by a non-validator") {
        tampered[4].certificate = encode(certify(decodeBlock(chain[4].block)->id(), 5, {12}));
    }
    SECTION("certificate signed only by the small validator (no quorum)") {
        tampered[4].certificate = encode(certify(decodeBlock(chain[4].block)->id(), 5, {11}));
    }
    SECTION("block with another app_hash, certified by a valid certificate for it") {
        auto block = decodeBlock(chain[4].block).value();
        block.header.appHash = sha256(asBytes("forged state"));
        tampered[4].block = encode(block);
        tampered[4].certificate = encode(certify(block.id(), 5, {10}));
    }
    SECTION("certificate of another block") {
        tampered[4].certificate = chain[5].certificate;
    }
    SECTION("blocks out of order") {
        std::swap(tampered[3], tampered[4]);
    }

    Network net;
    net.add("bad:1", tampered, source.app());
    net.add("good:2", chain, source.app());
    BlockSyncer syncer(target.app(), net.factory(), BlockSyncOptions{3, 0}, nullptr);
    syncer.setPeers(names({"bad:1", "good:2"}));  // equal heights: the first listed is tried first
    std::atomic<bool> stop{false};
    auto r = syncer.sync(stop);
    REQUIRE(r.dropped == names({"bad:1"}));
    REQUIRE(target.app().lastHeight() == 10);
    REQUIRE(target.app().lastAppHash() == source.app().lastAppHash());
}

TEST_CASE("peers of another chain and peers that serve nothing are not used", "[sync]") {
    TestApp source("src-other"), target("dst-other");
    auto chain = buildChain(source, 3);
    Network net;
    auto& other = net.add("other:1", chain, source.app());
    other.status.genesisHash = sha256(asBytes("another genesis"));
    other.status.height = 100;
    auto& empty = net.add("empty:2", {}, source.app());
    empty.status.height = 50;  // claims blocks it does not serve
    BlockSyncer syncer(target.app(), net.factory(), BlockSyncOptions{}, nullptr);
    syncer.setPeers(names({"other:1", "empty:2"}));
    std::atomic<bool> stop{false};
    auto r = syncer.sync(stop);
    REQUIRE(r.applied == 0);
    REQUIRE(r.dropped == names({"empty:2"}));
    REQUIRE(other.blockCalls == 0);
    REQUIRE(target.app().lastHeight() == 0);
    // A learned peer is used by the next sync.
    net.add("late:3", chain, source.app());
    syncer.addPeers(names({"late:3"}));
    REQUIRE(syncer.sync(stop).applied == 3);
}

TEST_CASE("a certificate is checked against the validator set of its height, which staking changes", "[sync]") {
    const auto k10 = test::testKey(10).publicKey;
    const auto k11 = test::testKey(11).publicKey;
    const auto setA = ValidatorSet::fromUpdates({{k10, 100}, {k11, 10}}).value();
    // Later k11 bonds much more stake: k10 alone is no longer a quorum.
    const auto setB = setA.withUpdates(std::vector<ValidatorUpdate>{{k11, 300}}).value();
    const Hash256 id = sha256(asBytes("block 7"));
    const Bytes byK10 = encode(certify(id, 7, {10}));
    const Bytes byBoth = encode(certify(id, 7, {10, 11}));
    REQUIRE(BlockSyncer::checkCertificate(kChain, 7, id, byK10, setA).hasValue());
    auto noQuorum = BlockSyncer::checkCertificate(kChain, 7, id, byK10, setB);
    REQUIRE_FALSE(noQuorum.hasValue());
    REQUIRE(noQuorum.error().find("no more than 2/3") != std::string::npos);
    REQUIRE(BlockSyncer::checkCertificate(kChain, 7, id, byBoth, setB).hasValue());
    // A signer that has left the set makes the certificate invalid.
    const auto setC = setB.withUpdates(std::vector<ValidatorUpdate>{{k10, 0}}).value();
    REQUIRE_FALSE(BlockSyncer::checkCertificate(kChain, 7, id, byBoth, setC).hasValue());
    REQUIRE(BlockSyncer::checkCertificate(kChain, 7, id, encode(certify(id, 7, {11})), setC).hasValue());
    // Wrong height, wrong block, wrong chain.
    REQUIRE_FALSE(BlockSyncer::checkCertificate(kChain, 8, id, byK10, setA).hasValue());
    REQUIRE_FALSE(BlockSyncer::checkCertificate(kChain, 7, sha256(asBytes("other")), byK10, setA).hasValue());
    REQUIRE_FALSE(BlockSyncer::checkCertificate("other-chain", 7, id, byK10, setA).hasValue());
    REQUIRE_FALSE(BlockSyncer::checkCertificate(kChain, 7, id, Bytes{1, 2, 3}, setA).hasValue());
}

TEST_CASE("the evidence pool keeps verified evidence against current validators once", "[sync][evidence]") {
    const auto set =
        ValidatorSet::fromUpdates({{test::testKey(10).publicKey, 100}, {test::testKey(11).publicKey, 10}}).value();
    const auto rule = EvidencePool::memberOf(set);
    EvidencePool pool(2);
    auto ev =
        DuplicateVoteEvidence::make(precommit(11, 5, sha256(asBytes("a"))), precommit(11, 5, std::nullopt)).value();
    REQUIRE(pool.add(ev, kChain, rule).value() == true);
    REQUIRE(pool.add(ev, kChain, rule).value() == false);  // already pending
    REQUIRE(pool.pending(rule).size() == 1);

    auto forged = ev;
    forged.second.signature = ev.first.signature;
    REQUIRE_FALSE(pool.add(forged, kChain, rule).hasValue());
    REQUIRE_FALSE(pool.add(ev, "other-chain", rule).hasValue());
    auto outsider =
        DuplicateVoteEvidence::make(precommit(12, 5, sha256(asBytes("a"))), precommit(12, 5, std::nullopt)).value();
    REQUIRE_FALSE(pool.add(outsider, kChain, rule).hasValue());

    pool.markCommitted({ev});
    REQUIRE(pool.pendingCount() == 0);
    REQUIRE(pool.add(ev, kChain, rule).value() == false);  // never pooled again
    // Bounded.
    auto ev2 =
        DuplicateVoteEvidence::make(precommit(11, 6, sha256(asBytes("a"))), precommit(11, 6, std::nullopt)).value();
    auto ev3 =
        DuplicateVoteEvidence::make(precommit(10, 6, sha256(asBytes("a"))), precommit(10, 6, std::nullopt)).value();
    auto ev4 =
        DuplicateVoteEvidence::make(precommit(10, 7, sha256(asBytes("a"))), precommit(10, 7, std::nullopt)).value();
    REQUIRE(pool.add(ev2, kChain, rule).value());
    REQUIRE(pool.add(ev3, kChain, rule).value());
    REQUIRE_FALSE(pool.add(ev4, kChain, rule).hasValue());
    // Only evidence against members of the given set is proposed.
    const auto onlyK10 = ValidatorSet::fromUpdates({{test::testKey(10).publicKey, 100}}).value();
    REQUIRE(pool.pending(EvidencePool::memberOf(onlyK10)) == std::vector<DuplicateVoteEvidence>{ev3});
}

TEST_CASE("a block carrying duplicate-vote evidence slashes and tombstones the validator", "[sync][evidence]") {
    TestApp a("ev-a"), b("ev-b");
    auto ev =
        DuplicateVoteEvidence::make(precommit(11, 1, sha256(asBytes("x"))), precommit(11, 1, std::nullopt)).value();
    auto p = a.app().propose(test::testKey(10).publicKey, 2'000, {}, {ev});
    REQUIRE(p.hasValue());
    // An independent node accepts it (same evidence rules) and both commit.
    REQUIRE(b.app().validate(p->id, p->bytes).hasValue());
    const auto cert = certify(p->id, 1, {10});
    REQUIRE(a.app().commit(p->id, p->bytes, cert).hasValue());
    REQUIRE(b.app().commit(p->id, p->bytes, cert).hasValue());
    REQUIRE(a.app().lastAppHash() == b.app().lastAppHash());
    REQUIRE(a.app().blocks().block(1)->evidence == std::vector<DuplicateVoteEvidence>{ev});

    auto raw = a.app().snapshot()->get(contracts::keys::validator(Address::fromPublicKey(test::testKey(11).publicKey)));
    REQUIRE(raw.has_value());
    auto v = decode<contracts::Validator>(*raw).value();
    REQUIRE(v.tombstoned);
    REQUIRE(v.jailed);
    REQUIRE(v.tokens < Amount(kSmallStake));  // slashed (5%)
    REQUIRE(v.tokens == Amount(kSmallStake / 100 * 95));

    // Forged evidence makes a block invalid.
    auto forged = ev;
    forged.first.signature = forged.second.signature;
    Block blk = decodeBlock(p->bytes).value();
    blk.evidence = {forged};
    blk.sealContentHashes();
    TestApp c("ev-c");
    auto r = c.app().validate(blk.id(), encode(blk));
    REQUIRE_FALSE(r.hasValue());
}

TEST_CASE("a validator missing from commit certificates is jailed for downtime, and a syncing node agrees",
          "[sync][evidence]") {
    TestApp source("down-src"), target("down-dst");
    // k11 never signs: it is absent from every certificate the next block carries.
    const std::uint64_t blocks = testGenesis().genesis.params.downtimeMaxMissed + 5;
    auto chain = buildChain(source, blocks);
    auto raw =
        source.app().snapshot()->get(contracts::keys::validator(Address::fromPublicKey(test::testKey(11).publicKey)));
    REQUIRE(raw.has_value());
    auto v = decode<contracts::Validator>(*raw).value();
    REQUIRE(v.jailed);
    REQUIRE_FALSE(v.tombstoned);
    REQUIRE(v.tokens < Amount(kSmallStake));
    // The same chain replayed through block sync executes the same punishment.
    Network net;
    net.add("p:1", chain, source.app());
    BlockSyncer syncer(target.app(), net.factory(), BlockSyncOptions{16, 0}, nullptr);
    syncer.setPeers(names({"p:1"}));
    std::atomic<bool> stop{false};
    REQUIRE(syncer.sync(stop).applied == blocks);
    REQUIRE(target.app().lastAppHash() == source.app().lastAppHash());
}

TEST_CASE(
    "evidence against a validator jailed for downtime is still admissible and tombstones it; tombstoned, "
    "future or older than unbonding_blocks is not",
    "[sync][evidence]") {
    TestApp app("ev-jailed");
    // k11 never signs and is jailed for downtime; after the update delay it leaves the set.
    const auto params = testGenesis().genesis.params;
    const std::uint64_t blocks = params.downtimeMaxMissed + 10;
    REQUIRE(blocks < params.unbondingBlocks);
    buildChain(app, blocks);
    const auto k11 = test::testKey(11).publicKey;
    REQUIRE(app.app().chainState().validators.powerOf(k11) == 0);
    auto evidenceAt = [](std::uint64_t h) {
        return DuplicateVoteEvidence::make(precommit(11, h, sha256(asBytes("x"))), precommit(11, h, std::nullopt))
            .value();
    };
    const auto ev = evidenceAt(2);
    INFO((app.app().evidenceAdmissible(ev) ? std::string() : app.app().evidenceAdmissible(ev).error()));
    REQUIRE(app.app().evidenceAdmissible(ev).hasValue());
    // A pool with the application's rule takes it, and so does a block.
    EvidencePool pool;
    const EvidencePool::Admissible rule = [&](const DuplicateVoteEvidence& e) {
        return app.app().evidenceAdmissible(e);
    };
    REQUIRE(pool.add(ev, kChain, rule).value());
    REQUIRE(pool.pending(rule).size() == 1);
    // A future infraction height is refused.
    REQUIRE_FALSE(app.app().evidenceAdmissible(evidenceAt(app.app().nextHeight() + 1)).hasValue());

    auto p = app.app().propose(test::testKey(10).publicKey, app.app().lastTimeMs() + 1'000, {}, pool.pending(rule));
    REQUIRE(p.hasValue());
    const std::uint64_t height = app.app().nextHeight();
    REQUIRE(app.app().commit(p->id, p->bytes, certify(p->id, height, {10})).hasValue());
    auto raw = app.app().snapshot()->get(contracts::keys::validator(Address::fromPublicKey(k11)));
    REQUIRE(raw.has_value());
    const auto v = decode<contracts::Validator>(*raw).value();
    REQUIRE(v.tombstoned);
    // Tombstoned: later evidence has nothing left to punish.
    auto again = app.app().evidenceAdmissible(evidenceAt(3));
    REQUIRE_FALSE(again.hasValue());
    CHECK(again.error().find("tombstoned") != std::string::npos);
}

TEST_CASE("evidence older than unbonding_blocks against a validator out of the set is refused", "[sync][evidence]") {
    TestApp app("ev-old");
    const auto params = testGenesis().genesis.params;
    buildChain(app, params.unbondingBlocks + 5);
    const auto k11 = test::testKey(11).publicKey;
    REQUIRE(app.app().chainState().validators.powerOf(k11) == 0);  // jailed for downtime long ago
    auto old =
        DuplicateVoteEvidence::make(precommit(11, 2, sha256(asBytes("x"))), precommit(11, 2, std::nullopt)).value();
    auto r = app.app().evidenceAdmissible(old);
    REQUIRE_FALSE(r.hasValue());
    CHECK(r.error().find("unbonding_blocks") != std::string::npos);
    // One within the period is fine.
    const std::uint64_t recent = app.app().nextHeight() - 3;
    auto fresh =
        DuplicateVoteEvidence::make(precommit(11, recent, sha256(asBytes("x"))), precommit(11, recent, std::nullopt))
            .value();
    CHECK(app.app().evidenceAdmissible(fresh).hasValue());
}
