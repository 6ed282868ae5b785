// The Application over a real LevelDB: blocks are proposed, validated by an
// independent node, committed atomically, and survive reopening.
#include <catch2/catch.hpp>

#include <limits>
#include <map>

#include "node/app/Application.h"
#include "support/TestKeys.h"
#include "support/TestNode.h"

using namespace agora;
using namespace agora::node;

namespace {

const std::uint64_t kStake = 1'000'000'000'000ULL;

GenesisDoc testGenesis() {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = "app-test";
    d.genesis.params.minSelfStake = Amount(1'000'000);
    const auto val = test::testKey(10);
    d.genesis.validators.push_back({Address::fromPublicKey(val.publicKey), val.publicKey, "v0", 0, Amount(kStake)});
    for (std::uint8_t i = 1; i <= 3; ++i)
        d.genesis.accounts.push_back({Address::fromPublicKey(test::testKey(i).publicKey), Amount(10'000'000'000)});
    return d;
}

// One node on LevelDB; the tests propose, validate and commit by hand.
struct Node : test::TestNode {
    explicit Node(const std::string& name) : TestNode(testGenesis(), {.name = "agora-app-" + name}) {}
};

Bytes sendTx(std::uint8_t from, std::uint64_t nonce, std::uint64_t amount) {
    Tx tx;
    tx.chainId = "app-test";
    tx.nonce = nonce;
    tx.fee = Amount(1'000);
    tx.msgs = {MsgSend{Address::fromPublicKey(test::testKey(9).publicKey), Amount(amount)}};
    return test::signTx(test::testKey(from), tx).bytes();
}

}  // namespace

TEST_CASE("a proposed block is validated by an independent node and both commit the same app_hash", "[app]") {
    Node a("a"), b("b");
    const auto proposer = test::testKey(10).publicKey;
    for (std::uint64_t height = 1; height <= 3; ++height) {
        std::vector<Bytes> txs = {sendTx(1, height - 1, 100), sendTx(2, height - 1, 200),
                                  sendTx(3, 7, 1) /* bad nonce: left out */};
        auto p = a.app().proposeBytes(proposer, 1'000 + height * 1'000, txs, {});
        REQUIRE(p.hasValue());
        REQUIRE(p->included == 2);
        auto valid = b.app().validate(p->id, p->bytes);
        INFO((valid ? std::string() : valid.error()));
        REQUIRE(valid.hasValue());
        const auto cert = a.certify(p->id, height);
        auto ca = a.app().commit(p->id, p->bytes, cert);
        auto cb = b.app().commit(p->id, p->bytes, cert);
        REQUIRE(ca.hasValue());
        REQUIRE(cb.hasValue());
        REQUIRE(ca->appHash == cb->appHash);
        REQUIRE(ca->results.txs.size() == 2);
        REQUIRE(ca->results.txs[0].code == 0);
        REQUIRE(a.app().lastHeight() == height);
        REQUIRE(a.app().blocks().block(height)->id() == p->id);
    }
    // The ledger sees the sends.
    auto view = a.app().ledgerView();
    REQUIRE(view->account(Address::fromPublicKey(test::testKey(1).publicKey)).nextNonce == 3);
}

TEST_CASE("a block whose app_hash or txs were tampered with is rejected", "[app]") {
    Node a("tamper-a"), b("tamper-b");
    auto p = a.app().proposeBytes(test::testKey(10).publicKey, 2'000, {sendTx(1, 0, 100)}, {});
    REQUIRE(p.hasValue());
    auto block = decodeBlock(p->bytes).value();
    block.header.appHash = sha256(asBytes("other state"));
    auto r = b.app().validate(block.id(), encode(block));
    REQUIRE_FALSE(r.hasValue());
    REQUIRE(r.error().find("app_hash mismatch") != std::string::npos);

    block = decodeBlock(p->bytes).value();
    block.txs.push_back(sendTx(2, 5, 1));  // nonce gap: cannot be included
    block.sealContentHashes();
    r = b.app().validate(block.id(), encode(block));
    REQUIRE_FALSE(r.hasValue());
    REQUIRE(r.error().find("cannot be included") != std::string::npos);

    block = decodeBlock(p->bytes).value();
    block.header.height = 2;
    REQUIRE(b.app().validate(block.id(), encode(block)).error().find("block height") != std::string::npos);
    REQUIRE(b.app().validate(p->id, p->bytes).hasValue());
}

TEST_CASE("next_validators_hash names the set of the next height and a block with another one is refused",
          "[app][validators]") {
    Node a("nextvals-a"), b("nextvals-b");
    for (std::uint64_t height = 1; height <= 3; ++height) {
        auto p = a.app().propose(test::testKey(10).publicKey, 1'000 + height * 1'000, {}, {});
        REQUIRE(p.hasValue());
        auto block = decodeBlock(p->bytes).value();
        block.header.nextValidatorsHash = sha256(asBytes("another set"));
        auto r = b.app().validate(block.id(), encode(block));
        REQUIRE_FALSE(r.hasValue());
        CHECK(r.error().find("next_validators_hash mismatch") != std::string::npos);

        REQUIRE(b.app().validate(p->id, p->bytes).hasValue());
        const auto cert = a.certify(p->id, height);
        REQUIRE(a.app().commit(p->id, p->bytes, cert).hasValue());
        REQUIRE(b.app().commit(p->id, p->bytes, cert).hasValue());
        // The header named the set that now decides the next height.
        CHECK(decodeBlock(p->bytes)->header.nextValidatorsHash == validatorSetHash(b.app().chainState().validators));
    }
}

TEST_CASE("a committed chain reopens at the same height, block id and app_hash", "[app]") {
    Node a("reopen");
    Hash256 lastApp;
    for (std::uint64_t height = 1; height <= 2; ++height) {
        auto p = a.app().proposeBytes(test::testKey(10).publicKey, height * 5'000, {sendTx(1, height - 1, 5)}, {});
        auto c = a.app().commit(p->id, p->bytes, a.certify(p->id, height));
        REQUIRE(c.hasValue());
        lastApp = c->appHash;
    }
    const auto chain = a.app().chainState();
    a.reopen();
    REQUIRE(a.app().lastHeight() == 2);
    REQUIRE(a.app().lastAppHash() == lastApp);
    REQUIRE(a.app().chainState() == chain);
    REQUIRE(a.app().chainState().lastCommit->height == 2);
    // And it continues.
    auto p = a.app().proposeBytes(test::testKey(10).publicKey, 20'000, {sendTx(1, 2, 5)}, {});
    REQUIRE(a.app().commit(p->id, p->bytes, a.certify(p->id, 3)).hasValue());
}

TEST_CASE("state does not record block time: the same txs committed at other times give the same app_hash",
          "[app][time]") {
    // Runs whose clocks differ (a replay, an export, a restart after power
    // loss) must agree on the state; lease time reads the header instead.
    Node a("time-a"), b("time-b");
    for (std::uint64_t height = 1; height <= 3; ++height) {
        auto pa = a.app().proposeBytes(test::testKey(10).publicKey, height * 1'000 + 1, {sendTx(1, height - 1, 5)}, {});
        auto pb = b.app().proposeBytes(test::testKey(10).publicKey, height * 7'000 + 3, {sendTx(1, height - 1, 5)}, {});
        auto ca = a.app().commit(pa->id, pa->bytes, a.certify(pa->id, height));
        auto cb = b.app().commit(pb->id, pb->bytes, b.certify(pb->id, height));
        REQUIRE(ca.hasValue());
        REQUIRE(cb.hasValue());
        REQUIRE(pa->id != pb->id);  // the headers differ in time
        REQUIRE(ca->appHash == cb->appHash);
    }
}

TEST_CASE("blockTimeMs gives the genesis time at 0, the header time of a kept block, and nothing for a pruned one",
          "[app][time]") {
    test::TestNodeOptions o;
    o.name = "agora-app-block-time";
    o.app.retainBlocks = 2;
    test::TestNode node(testGenesis(), o);
    REQUIRE(node.app().blockTimeMs(0) == std::optional<std::uint64_t>(1'000));
    for (std::uint64_t h = 1; h <= 4; ++h) node.commitOk({});
    const auto& blocks = node.app().blocks();
    REQUIRE(node.app().blockTimeMs(4) == node.app().lastTimeMs());
    REQUIRE(node.app().blockTimeMs(3) == blocks.block(3)->header.timeMs);
    REQUIRE(*node.app().blockTimeMs(3) < node.app().lastTimeMs());
    REQUIRE_FALSE(blocks.block(1).has_value());
    REQUIRE_FALSE(node.app().blockTimeMs(1).has_value());
    REQUIRE_FALSE(node.app().blockTimeMs(5).has_value());
}

TEST_CASE("the mempool ledger view is shared within a committed version and follows every commit", "[app]") {
    Node a("view");
    const auto sender = Address::fromPublicKey(test::testKey(1).publicKey);
    auto before = a.app().ledgerView();
    REQUIRE(a.app().ledgerView() == before);  // same version: one shared view
    REQUIRE(before->account(sender).nextNonce == 0);
    for (std::uint64_t height = 1; height <= 2; ++height) {
        auto p =
            a.app().proposeBytes(test::testKey(10).publicKey, 1'000 + height * 1'000, {sendTx(1, height - 1, 5)}, {});
        REQUIRE(p.hasValue());
        // Proposing executes but does not commit: the view stays.
        REQUIRE(a.app().ledgerView()->account(sender).nextNonce == height - 1);
        REQUIRE(a.app().commit(p->id, p->bytes, a.certify(p->id, height)).hasValue());
        auto after = a.app().ledgerView();
        REQUIRE(after != before);
        REQUIRE(after->account(sender).nextNonce == height);
        before = after;
    }
}

// Block time (docs/consensus.md, "Block time"): a proposer may not push the
// chain's clock to the end of time, where no later block can exist.
TEST_CASE("a block timed UINT64_MAX is refused by validators and the chain goes on", "[app][time]") {
    Node byzantine("time-byz"), honest("time-honest");
    const auto proposer = test::testKey(10).publicKey;
    const std::uint64_t clockMs = 5'000;
    const std::uint64_t latestAllowed = clockMs + 10'000;  // the validator's clock + max_block_time_ahead_ms

    auto far =
        byzantine.app().proposeBytes(proposer, std::numeric_limits<std::uint64_t>::max(), {sendTx(1, 0, 100)}, {});
    REQUIRE(far.hasValue());
    REQUIRE(decodeBlock(far->bytes).value().header.timeMs == std::numeric_limits<std::uint64_t>::max());
    auto refused = honest.app().validate(far->id, far->bytes, latestAllowed);
    REQUIRE_FALSE(refused.hasValue());
    REQUIRE(refused.error().find("later than this validator's clock allows") != std::string::npos);
    // Just inside the bound is fine, one millisecond beyond is not.
    auto edge = byzantine.app().proposeBytes(proposer, latestAllowed, {sendTx(1, 0, 100)}, {});
    REQUIRE(edge.hasValue());
    REQUIRE(honest.app().validate(edge->id, edge->bytes, latestAllowed).hasValue());
    REQUIRE_FALSE(honest.app().validate(edge->id, edge->bytes, latestAllowed - 1).hasValue());

    // The next round's honest proposal at the validator's clock commits, and
    // later heights keep committing with strictly increasing times.
    std::uint64_t lastTime = 0;
    for (std::uint64_t height = 1; height <= 3; ++height) {
        auto p = honest.app().proposeBytes(proposer, clockMs + height, {sendTx(2, height - 1, 100)}, {});
        REQUIRE(p.hasValue());
        const auto time = decodeBlock(p->bytes).value().header.timeMs;
        REQUIRE(time > lastTime);
        lastTime = time;
        REQUIRE(honest.app().commit(p->id, p->bytes, honest.certify(p->id, height)).hasValue());
    }
    REQUIRE(honest.app().lastHeight() == 3);
}

TEST_CASE("after a block at the largest time the next block cannot be built and time never wraps", "[app][time]") {
    // Only a quorum that ignored the clock bound can commit such a block; the
    // proposer then refuses with a clear error instead of wrapping to 0.
    Node a("time-wrap");
    const auto proposer = test::testKey(10).publicKey;
    auto far = a.app().propose(proposer, std::numeric_limits<std::uint64_t>::max(), {}, {});
    REQUIRE(far.hasValue());
    REQUIRE(a.app().commit(far->id, far->bytes, a.certify(far->id, 1)).hasValue());
    auto next = a.app().propose(proposer, 7'000, {}, {});
    REQUIRE_FALSE(next.hasValue());
    REQUIRE(next.error().find("no later block time exists") != std::string::npos);
}

// storage.retain_blocks (docs/config.md): pruning moves the block store's base.
TEST_CASE(
    "with retain_blocks a node keeps the newest blocks and prunes older ones with their certificates, results "
    "and tx index entries, also after a restart",
    "[app][prune]") {
    test::TestNodeOptions o;
    o.name = "agora-app-prune";
    o.app.retainBlocks = 5;
    test::TestNode node(testGenesis(), o);
    std::map<std::uint64_t, Hash256> txOf, blockOf;
    for (std::uint64_t h = 1; h <= 20; ++h) {
        auto out =
            node.commitOk({node.tx(1, {MsgSend{Address::fromPublicKey(test::testKey(9).publicKey), Amount(5)}})});
        REQUIRE(out.height == h);
        txOf[h] = out.txHashes.at(0);
        blockOf[h] = out.blockId;
    }
    auto check = [&](std::uint64_t base, std::uint64_t latest) {
        const auto& blocks = node.app().blocks();
        REQUIRE(blocks.baseHeight() == base);
        REQUIRE(blocks.latestHeight() == latest);
        for (std::uint64_t h = 1; h <= latest; ++h) {
            INFO("height " << h);
            const bool kept = h >= base;
            CHECK(blocks.block(h).has_value() == kept);
            CHECK(blocks.commit(h).has_value() == kept);
            CHECK(blocks.results(h).has_value() == kept);
            CHECK(blocks.heightOf(blockOf[h]).has_value() == kept);
            const auto where = blocks.txLocation(txOf[h]);
            CHECK(where.has_value() == kept);
            if (where) CHECK(where->height == h);
        }
    };
    check(16, 20);

    node.reopen();  // the base is persisted with the blocks
    check(16, 20);
    REQUIRE(node.app().lastBlockId() == blockOf[20]);
    auto out = node.commitOk({node.tx(1, {MsgSend{Address::fromPublicKey(test::testKey(9).publicKey), Amount(5)}})});
    txOf[21] = out.txHashes.at(0);
    blockOf[21] = out.blockId;
    check(17, 21);
}

TEST_CASE("turning retain_blocks on for a long chain prunes at most 64 heights per commit", "[app][prune]") {
    test::TestNodeOptions o;
    o.name = "agora-app-prune-late";
    test::TestNode node(testGenesis(), o);
    for (int i = 0; i < 70; ++i) node.commitOk({});
    REQUIRE(node.app().blocks().baseHeight() == 1);

    node.options().app.retainBlocks = 5;
    node.reopen();
    node.commitOk({});  // height 71 wants base 67; one commit removes 1..64
    REQUIRE(node.app().blocks().baseHeight() == 1 + Application::kPruneHeightsPerCommit);
    REQUIRE_FALSE(node.app().blocks().block(64).has_value());
    REQUIRE(node.app().blocks().block(65).has_value());
    node.commitOk({});  // height 72: base 68
    REQUIRE(node.app().blocks().baseHeight() == 68);
    REQUIRE_FALSE(node.app().blocks().block(67).has_value());
    REQUIRE(node.app().blocks().block(68).has_value());
}
