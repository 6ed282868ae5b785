// A tx's path from a client to the commit (docs/architecture.md, "A tx's
// path"): submitted through TxSubmitter as bytes, admitted to the mempool,
// proposed, committed on LevelDB and handed to the after-commit step, it is
// decoded once and hashed once. The counts come from the core's tx codec
// counters (txCodecCounts), so a second decode or hash anywhere on the path
// fails the test.
#include <catch2/catch.hpp>

#include <atomic>

#include "consensus/core/Tx.h"
#include "node/submit/TxSubmitter.h"
#include "support/TestKeys.h"
#include "support/TestNode.h"

using namespace agora;
using namespace agora::node;

namespace {

const char* kChain = "tx-path";
constexpr std::uint8_t kValidator = 10;
constexpr std::uint8_t kSenders = 4;

Address addr(std::uint8_t key) {
    return Address::fromPublicKey(test::testKey(key).publicKey);
}

GenesisDoc genesis() {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = kChain;
    d.genesis.params.minSelfStake = Amount(1'000'000);
    d.genesis.validators.push_back(
        {addr(kValidator), test::testKey(kValidator).publicKey, "v0", 0, Amount(1'000'000'000'000ULL)});
    for (std::uint8_t i = 1; i <= kSenders; ++i) d.genesis.accounts.push_back({addr(i), Amount(10'000'000'000ULL)});
    return d;
}

// n transfers, signed up front (signing encodes bodies; it neither decodes nor hashes a signed tx).
std::vector<Bytes> transfers(std::size_t n) {
    std::vector<Bytes> out;
    for (std::size_t i = 0; i < n; ++i) {
        const auto sender = static_cast<std::uint8_t>(1 + i % kSenders);
        Tx tx;
        tx.chainId = kChain;
        tx.signer = test::testKey(sender).publicKey;
        tx.nonce = i / kSenders;
        tx.fee = Amount(10'000);
        tx.msgs = {MsgSend{addr(static_cast<std::uint8_t>(1 + (i + 1) % kSenders)), Amount(1 + i)}};
        out.push_back(encode(test::signTx(test::testKey(sender), std::move(tx))));
    }
    return out;
}

}  // namespace

TEST_CASE("a tx submitted as bytes is decoded once and hashed once until its block committed and was announced",
          "[submit][txpath]") {
    test::TestNode chain(genesis(), {.name = "tx-path"});
    chain.commitMempool();  // genesis executed; the path below starts from a running chain
    const auto txs = transfers(40);
    std::atomic<int> committed{0};

    const TxCodecCounts before = txCodecCounts();
    for (const auto& bytes : txs) {
        auto tx = TxSubmitter::decode(bytes);
        REQUIRE(tx.hasValue());
        auto waiting = chain.submitter().admitAndWait(*tx, [&](const CommittedTx& c) {
            CHECK(c.code == 0);
            ++committed;
        });
        INFO(waiting.admitted.message);
        REQUIRE(waiting.admitted.ok());
    }
    const auto outcome = chain.commitMempool();
    const TxCodecCounts after = txCodecCounts();

    REQUIRE(outcome.txHashes.size() == txs.size());
    REQUIRE(committed.load() == static_cast<int>(txs.size()));
    REQUIRE(chain.mempool().size() == 0);
    CHECK(after.decodes - before.decodes == txs.size());
    CHECK(after.hashes - before.hashes == txs.size());
}

TEST_CASE("a block from another node is decoded and hashed once per tx by validate, and not again by commit",
          "[submit][txpath]") {
    test::TestNode proposer(genesis(), {.name = "tx-path-proposer"});
    test::TestNode follower(genesis(), {.name = "tx-path-follower"});
    proposer.commitMempool();
    follower.commitMempool();
    const auto txs = transfers(24);
    for (const auto& bytes : txs) REQUIRE(proposer.submitter().admit(*TxSubmitter::decode(bytes)).ok());
    std::vector<TxRef> refs;
    for (const auto& e : proposer.mempool().reap(10'000, 64 << 20)) refs.push_back(e->tx);
    const auto val = test::testKey(kValidator);
    auto p = proposer.app().propose(val.publicKey, 5'000, refs, {});
    REQUIRE(p.hasValue());
    REQUIRE(p->included == txs.size());

    const TxCodecCounts before = txCodecCounts();
    REQUIRE(follower.app().validate(p->id, p->bytes).hasValue());
    auto c = follower.app().commit(p->id, p->bytes, follower.certify(*p));
    REQUIRE(c.hasValue());
    follower.afterCommit().apply(*c);
    const TxCodecCounts after = txCodecCounts();

    REQUIRE(follower.app().lastBlockId() == p->id);
    REQUIRE(c->txHashes == [&] {
        std::vector<Hash256> h;
        for (const auto& r : refs) h.push_back(r->hash);
        return h;
    }());
    CHECK(after.decodes - before.decodes == txs.size());
    CHECK(after.hashes - before.hashes == txs.size());
}
