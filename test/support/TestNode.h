#pragma once
// TestNode: a whole node in the test process, driven by the test (as rippled's
// jtx::Env owns an Application). It owns what agorad wires around one chain:
// the Application on LevelDB in a temp dir, the mempool, the admission layer
// (TxSubmitter), the commit waiters, the after-commit step and, on request,
// the event bus with its stored history. There is no consensus and no thread:
// the test signs txs (nonces are tracked per key), and commitBlock() proposes
// at the manual clock, certifies with the genesis validators' keys, commits and
// runs the after-commit step, as the consensus driver would. reopen() closes
// and reopens the node on the same directory, as a restart.
//
// The validators' consensus keys must be test keys (test::testKey(n), n in
// 1..kMaxTestKey); a certificate carries every validator's signature (ordered
// by key) and the first validator of the set proposes.

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "consensus/core/Block.h"
#include "consensus/core/Tx.h"
#include "consensus/core/Vote.h"
#include "node/app/Application.h"
#include "node/events/BlockEvents.h"
#include "node/events/EventBus.h"
#include "node/mempool/Mempool.h"
#include "node/storage/NodeDatabase.h"
#include "node/submit/AfterCommit.h"
#include "node/submit/CommitWaiters.h"
#include "node/submit/TxSubmitter.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"

namespace agora::test {

struct TestNodeOptions {
    std::string name = "test-node";  // tags the temp dir
    node::Application::Options app;
    bool eventBus = false;                  // publish each commit's events (bus(), history)
    std::uint64_t blockIntervalMs = 1'000;  // the manual clock's step per block
    std::uint64_t fee = 1'000;              // of the txs tx() signs
};

class TestNode {
public:
    static constexpr std::uint8_t kMaxTestKey = 64;

    explicit TestNode(node::GenesisDoc genesis, TestNodeOptions options = {})
        : genesis_(std::move(genesis)), options_(std::move(options)), dir_(options_.name) {
        timeMs_ = genesis_.genesisTimeMs;
        open();
    }

    node::Application& app() { return *app_; }
    const node::Application& app() const { return *app_; }
    node::Mempool& mempool() { return *mempool_; }
    node::TxSubmitter& submitter() { return *submitter_; }
    node::CommitWaiters& waiters() { return waiters_; }
    node::AfterCommit& afterCommit() { return *afterCommit_; }
    node::EventBus& bus() {
        REQUIRE(bus_ != nullptr);
        return *bus_;
    }
    const std::string& chainId() const { return genesis_.genesis.chainId; }
    // The options; a change takes effect at the next reopen().
    TestNodeOptions& options() { return options_; }
    std::string path(const std::string& child) const { return dir_.path(child); }
    std::shared_ptr<leveldb::DB> db() const { return db_; }

    // The manual clock: the time the next block gets unless commitBlock is given one.
    std::uint64_t nowMs() const { return timeMs_ + options_.blockIntervalMs; }
    void advance(std::uint64_t ms) { timeMs_ += ms; }

    // A tx of msgs signed by test key `key` with its next nonce.
    SignedTx signedTx(std::uint8_t key, std::vector<Msg> msgs) {
        Tx t;
        t.chainId = chainId();
        t.nonce = nonces_[key]++;
        t.fee = Amount(options_.fee);
        t.msgs = std::move(msgs);
        return signTx(testKey(key), std::move(t));
    }
    Bytes tx(std::uint8_t key, std::vector<Msg> msgs) { return signedTx(key, std::move(msgs)).bytes(); }
    // The next nonce of each test key tx() signs for (copy them to sign the same txs for another node).
    std::map<std::uint8_t, std::uint64_t>& nonces() { return nonces_; }

    // The test key of a validator's consensus key.
    static const TestKey& keyOf(const PublicKey& consensusKey) {
        static const std::vector<TestKey> keys = [] {
            std::vector<TestKey> out;
            for (std::uint8_t n = 1; n <= kMaxTestKey; ++n) out.push_back(testKey(n));
            return out;
        }();
        for (const auto& k : keys)
            if (k.publicKey == consensusKey) return k;
        FAIL("validator " << consensusKey.toHex() << " has no test key (test::testKey(1.." << int(kMaxTestKey) << "))");
        return keys.front();
    }

    // The precommit of every validator of the next height for block id at height (a full certificate).
    CommitCertificate certify(const Hash256& id, std::uint64_t height) const {
        CommitCertificate c;
        c.height = height;
        c.blockId = id;
        const auto chain = app_->chainState();
        for (const auto& member : chain.validators.members()) {
            const TestKey& key = keyOf(member.key);
            Vote v;
            v.type = VoteType::Precommit;
            v.height = height;
            v.blockId = id;
            v.validator = key.publicKey;
            c.signatures.push_back({key.publicKey, signDigest32(key, v.signDigest(chainId()))});
        }
        std::sort(c.signatures.begin(), c.signatures.end(),
                  [](const auto& a, const auto& b) { return a.validator < b.validator; });
        return c;
    }
    CommitCertificate certify(const node::Application::Proposal& p) const { return certify(p.id, app_->nextHeight()); }

    // Proposes txs as bytes (the test's, in order) at timeMs (default: the manual
    // clock's next step), certifies, commits and runs the after-commit step.
    Expected<node::CommitOutcome, std::string> commitBlock(const std::vector<Bytes>& txs,
                                                           std::optional<std::uint64_t> timeMs = std::nullopt) {
        const std::uint64_t t = timeMs.value_or(nowMs());
        auto p = app_->proposeBytes(proposer(), t, txs, {});
        if (!p) return Unexpected(p.error());
        if (p->included != txs.size())
            return Unexpected("the proposal left out " + std::to_string(txs.size() - p->included) + " txs");
        return finish(*p, t);
    }

    // commitBlock that must succeed (tx results may be failures).
    node::CommitOutcome commit(const std::vector<Bytes>& txs, std::optional<std::uint64_t> timeMs = std::nullopt) {
        auto out = commitBlock(txs, timeMs);
        INFO((out ? std::string() : out.error()));
        REQUIRE(out.hasValue());
        return std::move(*out);
    }

    // commit whose every tx must succeed (result code 0).
    node::CommitOutcome commitOk(const std::vector<Bytes>& txs, std::optional<std::uint64_t> timeMs = std::nullopt) {
        auto out = commit(txs, timeMs);
        REQUIRE(out.results.txs.size() == txs.size());
        for (const auto& r : out.results.txs) {
            INFO(r.message);
            REQUIRE(r.code == 0);
        }
        return out;
    }

    // Proposes what the mempool holds (as the consensus driver reaps it), commits.
    node::CommitOutcome commitMempool() {
        std::vector<TxRef> txs;
        for (const auto& e : mempool_->reap(options_.app.maxBlockTxs, options_.app.maxBlockBytes)) txs.push_back(e->tx);
        const std::uint64_t t = nowMs();
        auto p = app_->propose(proposer(), t, txs, {});
        INFO((p ? std::string() : p.error()));
        REQUIRE(p.hasValue());
        REQUIRE(p->included == txs.size());
        auto out = finish(*p, t);
        INFO((out ? std::string() : out.error()));
        REQUIRE(out.hasValue());
        return std::move(*out);
    }

    // Closes everything and opens the node again on the same directory (a restart).
    void reopen() {
        close();
        open();
    }

private:
    // The first validator of the next height proposes.
    const PublicKey& proposer() const { return keyOf(app_->chainState().validators.members().front().key).publicKey; }

    Expected<node::CommitOutcome, std::string> finish(const node::Application::Proposal& p, std::uint64_t t) {
        auto out = app_->commit(p.id, p.bytes, certify(p));
        if (!out) return Unexpected(out.error());
        timeMs_ = std::max(t, app_->lastTimeMs());  // the block time is at least the last one + 1
        afterCommit_->apply(*out);
        return out;
    }

    void open() {
        auto opened = node::openNodeDatabase(dir_.path("db"), node::DatabaseOptions{});
        REQUIRE(opened.hasValue());
        db_ = *opened;
        sigCache_ = std::make_shared<node::SignatureCache>();
        auto a = node::Application::open(genesis_, db_, options_.app, sigCache_);
        INFO((a.hasValue() ? std::string() : a.error()));
        REQUIRE(a.hasValue());
        app_ = std::move(*a);
        if (app_->lastHeight() > 0) timeMs_ = std::max(timeMs_, app_->lastTimeMs());
        mempool_ = std::make_unique<node::Mempool>(node::MempoolLimits{}, sigCache_);
        auto ledger = [this] { return app_->ledgerView(); };
        submitter_ = std::make_unique<node::TxSubmitter>(*mempool_, ledger, waiters_);
        if (options_.eventBus)
            bus_ =
                std::make_unique<node::EventBus>(std::make_shared<node::StoredEventHistory>(*app_), app_->lastHeight());
        afterCommit_ = std::make_unique<node::AfterCommit>(*mempool_, ledger, nullptr, nullptr, waiters_, bus_.get());
    }

    void close() {
        afterCommit_.reset();
        bus_.reset();
        submitter_.reset();
        mempool_.reset();
        app_.reset();
        db_.reset();
    }

    node::GenesisDoc genesis_;
    TestNodeOptions options_;
    TempDir dir_;
    std::map<std::uint8_t, std::uint64_t> nonces_;
    std::uint64_t timeMs_ = 0;
    std::shared_ptr<leveldb::DB> db_;
    std::shared_ptr<node::SignatureCache> sigCache_;
    std::unique_ptr<node::Application> app_;
    std::unique_ptr<node::Mempool> mempool_;
    node::CommitWaiters waiters_;
    std::unique_ptr<node::TxSubmitter> submitter_;
    std::unique_ptr<node::EventBus> bus_;
    std::unique_ptr<node::AfterCommit> afterCommit_;
};

}  // namespace agora::test
