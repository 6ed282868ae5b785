// agora-microbench: Google Benchmark micro-benchmarks of the hot paths
// (docs/performance.md, "Micro-benchmarks"): canonical codec, signature
// verification (single and the node's parallel block path), state commit per
// block at 10^4 / 10^5 / 10^6 keys, mempool admission, and a tx's whole path
// from submission to the after-commit step (with decodes and hashes per tx).
//
//   agora-microbench [--benchmark_filter=REGEX] [--benchmark_format=json] ...
#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <memory>

#include "consensus/core/Tx.h"
#include "contracts/Keys.h"
#include "contracts/Leases.h"
#include "node/app/Application.h"
#include "node/app/ParallelVerify.h"
#include "node/mempool/Mempool.h"
#include "node/query/StateQueries.h"
#include "node/storage/LevelDbStateStore.h"
#include "node/storage/NodeDatabase.h"
#include "node/submit/AfterCommit.h"
#include "node/submit/TxSubmitter.h"
#include "support/SampleMessages.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"
#include "support/TestRng.h"

using namespace agora;

namespace {

SignedTx sampleTx(std::uint8_t key, std::uint64_t nonce) {
    Tx tx;
    tx.chainId = "bench";
    tx.nonce = nonce;
    tx.fee = Amount(2'000);
    tx.msgs = {MsgSend{Address::fromPublicKey(test::testKey(static_cast<std::uint8_t>(key + 1)).publicKey), Amount(1)}};
    return test::signTx(test::testKey(key), tx);
}

void BM_TxEncode(benchmark::State& state) {
    const SignedTx tx = sampleTx(1, 7);
    for (auto _ : state) benchmark::DoNotOptimize(tx.bytes());
}
BENCHMARK(BM_TxEncode);

void BM_TxDecode(benchmark::State& state) {
    const Bytes raw = sampleTx(1, 7).bytes();
    for (auto _ : state) benchmark::DoNotOptimize(decodeSignedTx(raw));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_TxDecode);

void BM_TxHash(benchmark::State& state) {
    const Bytes raw = sampleTx(1, 7).bytes();
    for (auto _ : state) benchmark::DoNotOptimize(sha256(raw));
}
BENCHMARK(BM_TxHash);

void BM_VerifySignature(benchmark::State& state) {
    const SignedTx tx = sampleTx(1, 7);
    for (auto _ : state) benchmark::DoNotOptimize(tx.verifySignature());
}
BENCHMARK(BM_VerifySignature);

// A block of 1,000 txs through the node's parallel path; arg = threads.
void BM_VerifyBlockParallel(benchmark::State& state) {
    std::vector<SignedTx> txs;
    for (std::uint64_t i = 0; i < 1'000; ++i) txs.push_back(sampleTx(static_cast<std::uint8_t>(1 + i % 200), i));
    std::vector<const SignedTx*> ptrs;
    for (const auto& t : txs) ptrs.push_back(&t);
    for (auto _ : state) benchmark::DoNotOptimize(node::verifyInParallel(ptrs, static_cast<unsigned>(state.range(0))));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * txs.size()));
}
BENCHMARK(BM_VerifyBlockParallel)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

Bytes stateKey(std::uint64_t i) {
    Writer w;
    w.u8(0x02);
    w.u64(i * 0x9E3779B97F4A7C15ULL);
    return w.take();
}

Bytes stateValue(std::uint64_t i, std::uint64_t v) {
    Writer w;
    w.u64(i);
    w.u64(v);
    return w.take();
}

// One LevelDB state store per size, filled once and reused by every run.
struct FilledStore {
    test::TempDir dir{"microbench-state"};
    std::unique_ptr<node::LevelDbStateStore> store;
    std::uint64_t keys = 0;
    std::uint64_t version = 0;
    test::TestRng rng{1};
};

FilledStore& filled(std::uint64_t n) {
    static std::map<std::uint64_t, std::unique_ptr<FilledStore>> stores;
    auto& slot = stores[n];
    if (!slot) {
        slot = std::make_unique<FilledStore>();
        auto opened = node::LevelDbStateStore::open(slot->dir.path(), node::StateStoreOptions{10});
        if (!opened) throw std::runtime_error(opened.error().message());
        slot->store = std::move(*opened);
        slot->keys = n;
        for (std::uint64_t i = 0; i < n;) {
            state::StateChanges changes;
            for (std::uint64_t k = 0; k < 50'000 && i < n; ++k, ++i) changes[stateKey(i)] = stateValue(i, 0);
            if (!slot->store->commit(++slot->version, changes)) throw std::runtime_error("fill");
        }
    }
    return *slot;
}

// One block: 1,000 writes (80% updates of existing keys, 20% new keys) and
// the synced commit; arg = existing keys.
void BM_StateCommitBlock(benchmark::State& state) {
    auto& f = filled(static_cast<std::uint64_t>(state.range(0)));
    for (auto _ : state) {
        state.PauseTiming();
        state::StateChanges changes;
        for (std::uint64_t w = 0; w < 1'000; ++w) {
            const std::uint64_t id = f.rng.chance(80) ? f.rng.below(f.keys) : f.keys + f.version * 1'000 + w;
            changes[stateKey(id)] = stateValue(id, f.version);
        }
        state.ResumeTiming();
        if (!f.store->commit(++f.version, changes)) state.SkipWithError("commit failed");
    }
}
BENCHMARK(BM_StateCommitBlock)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

class AlwaysFunded final : public node::MempoolLedgerView {
public:
    CheckResult check(const SignedTx&) const override { return {}; }
    Account account(const Address&) const override { return {0, Amount(1'000'000'000'000)}; }
    Amount minFee(const Tx&) const override { return Amount(1'000); }
};

// Admission of a fresh tx (decode, hash, signature verify, nonce and fee
// checks, insertion) into a pool holding up to 10,000 txs from 200 accounts.
void BM_MempoolAdmit(benchmark::State& state) {
    constexpr std::size_t kTxs = 10'000;
    std::vector<Bytes> raws;
    for (std::size_t i = 0; i < kTxs; ++i)
        raws.push_back(sampleTx(static_cast<std::uint8_t>(1 + i % 200), i / 200).bytes());
    const AlwaysFunded ledger;
    auto pool = std::make_unique<node::Mempool>(node::MempoolLimits{kTxs + 1, 1ULL << 30, kTxs},
                                                std::make_shared<node::SignatureCache>());
    std::size_t next = 0;
    for (auto _ : state) {
        if (next == kTxs) {
            state.PauseTiming();
            pool = std::make_unique<node::Mempool>(node::MempoolLimits{kTxs + 1, 1ULL << 30, kTxs},
                                                   std::make_shared<node::SignatureCache>());
            next = 0;
            state.ResumeTiming();
        }
        const auto r = pool->add(raws[next++], ledger);
        if (!r.ok()) state.SkipWithError(r.message.c_str());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MempoolAdmit);

// A tx's path from a client to the commit, a block of arg transfers at a
// time: TxSubmitter (decode, hash, admission), the proposal from the
// mempool, the synced commit on LevelDB and the after-commit step (mempool
// update, commit waiters, events). Counters: the txs' decodes and hashes per
// tx over the path, which the design keeps at exactly one each
// (docs/architecture.md, "A tx's path"; test/node/submit/TxPathTest.cpp).
void BM_TxPath(benchmark::State& state) {
    const auto perBlock = static_cast<std::size_t>(state.range(0));
    constexpr std::uint8_t kValidator = 250;
    constexpr std::uint8_t kSenders = 100;
    node::GenesisDoc g;
    g.genesisTimeMs = 1'000;
    g.genesis.chainId = "bench";
    g.genesis.params.minSelfStake = Amount(1'000'000);
    const auto val = test::testKey(kValidator);
    g.genesis.validators.push_back(
        {Address::fromPublicKey(val.publicKey), val.publicKey, "v0", 0, Amount(1'000'000'000'000ULL)});
    for (std::uint8_t i = 1; i <= kSenders; ++i)
        g.genesis.accounts.push_back(
            {Address::fromPublicKey(test::testKey(i).publicKey), Amount(1'000'000'000'000ULL)});
    test::TempDir dir("bench-txpath");
    auto db = node::openNodeDatabase(dir.path("db"), node::DatabaseOptions{});
    if (!db) throw std::runtime_error("open db");
    auto sigCache = std::make_shared<node::SignatureCache>();
    node::Application::Options options;
    options.checkInvariants = false;
    auto app = node::Application::open(g, *db, options, sigCache);
    if (!app) throw std::runtime_error(app.error());
    node::Mempool mempool(node::MempoolLimits{100'000, 1ULL << 30, 10'000}, sigCache);
    node::CommitWaiters waiters;
    auto view = [&] { return (*app)->ledgerView(); };
    node::TxSubmitter submitter(mempool, view, waiters);
    node::AfterCommit after(mempool, view, nullptr, nullptr, waiters, nullptr);
    std::uint64_t timeMs = 1'000;
    std::vector<std::uint64_t> nonces(kSenders + 1, 0);
    std::uint64_t txs = 0;
    std::uint64_t decodes = 0;
    std::uint64_t hashes = 0;
    const auto commitBlock = [&] {
        std::vector<TxRef> refs;
        for (const auto& e : mempool.reap(100'000, 64 << 20)) refs.push_back(e->tx);
        timeMs += 1'000;
        auto p = (*app)->propose(val.publicKey, timeMs, refs, {});
        if (!p) throw std::runtime_error(p.error());
        const std::uint64_t height = (*app)->nextHeight();
        Vote v;
        v.type = VoteType::Precommit;
        v.height = height;
        v.blockId = p->id;
        v.validator = val.publicKey;
        CommitCertificate cert{height, 0, p->id, {{val.publicKey, test::signDigest32(val, v.signDigest("bench"))}}};
        auto c = (*app)->commit(p->id, p->bytes, cert);
        if (!c) throw std::runtime_error(c.error());
        after.apply(*c);
    };
    commitBlock();  // genesis executed
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<Bytes> raws;
        for (std::size_t i = 0; i < perBlock; ++i) {
            const auto sender = static_cast<std::uint8_t>(1 + (txs + i) % kSenders);
            raws.push_back(sampleTx(sender, nonces[sender]++).bytes());
        }
        const TxCodecCounts before = txCodecCounts();
        state.ResumeTiming();
        for (const auto& raw : raws) {
            auto tx = node::TxSubmitter::decode(raw);
            if (!tx || !submitter.admitAndWait(*tx, [](const node::CommittedTx&) {}).admitted.ok())
                state.SkipWithError("admission refused");
        }
        commitBlock();
        state.PauseTiming();
        const TxCodecCounts after = txCodecCounts();
        decodes += after.decodes - before.decodes;
        hashes += after.hashes - before.hashes;
        txs += perBlock;
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(txs));
    state.counters["decodes_per_tx"] = txs == 0 ? 0.0 : static_cast<double>(decodes) / static_cast<double>(txs);
    state.counters["hashes_per_tx"] = txs == 0 ? 0.0 : static_cast<double>(hashes) / static_cast<double>(txs);
}
BENCHMARK(BM_TxPath)->Arg(500)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// Listing one client's leases through the query service (StateQueries::leases
// over the ledger's party index 0x45) with `arg` other leases stored in
// LevelDB: the cost is the client's 20 leases whatever else is stored (issue
// 16: "costs the same with 10 or 100,000 other leases").
struct LeaseBook {
    test::TempDir dir{"microbench-leases"};
    std::unique_ptr<node::LevelDbStateStore> store;
    Address client = test::sampleAddress(1);
};

LeaseBook& leaseBook(std::uint64_t others) {
    static std::map<std::uint64_t, std::unique_ptr<LeaseBook>> books;
    auto& slot = books[others];
    if (!slot) {
        slot = std::make_unique<LeaseBook>();
        auto opened = node::LevelDbStateStore::open(slot->dir.path(), node::StateStoreOptions{10});
        if (!opened) throw std::runtime_error(opened.error().message());
        slot->store = std::move(*opened);
        const Address provider = test::sampleAddress(3);
        const std::uint64_t total = others + 20;
        std::uint64_t version = 0;
        for (std::uint64_t id = 1; id <= total;) {
            state::StateChanges changes;
            for (std::uint64_t k = 0; k < 50'000 && id <= total; ++k, ++id) {
                contracts::Lease l;
                l.id = id;
                // The client's 20 leases are spread among the others.
                if (id % (total / 20) == 0 && id / (total / 20) <= 20) {
                    l.client = slot->client;
                } else {
                    l.client = Address::fromPublicKey(test::testKey(static_cast<std::uint8_t>(2 + id % 200)).publicKey);
                }
                l.provider = provider;
                l.resources = Resources{1000, 0, 0, {}};
                l.pricePerSecond = Amount(100);
                l.escrow = Amount(5'000);
                l.deposited = Amount(5'000);
                changes[contracts::keys::lease(id)] = encode(l);
                changes[contracts::keys::leaseOfClient(l.client, id)] = Bytes{};
                changes[contracts::keys::leaseOfProvider(provider, id)] = Bytes{};
            }
            if (!slot->store->commit(++version, changes)) throw std::runtime_error("fill");
        }
    }
    return *slot;
}

void BM_ListClientLeases(benchmark::State& state) {
    auto& book = leaseBook(static_cast<std::uint64_t>(state.range(0)));
    const node::StateQueries queries(book.store->snapshot());
    for (auto _ : state) {
        auto page = queries.leases(book.client, std::nullopt, node::pageSpec({}, 100));
        if (!page || page->items.size() != 20) state.SkipWithError("the client's 20 leases were not listed");
        benchmark::DoNotOptimize(page);
    }
    state.counters["other_leases"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_ListClientLeases)->Arg(10)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
