// agora-state-replay: applies a seeded, reproducible sequence of ledger blocks
// to a state store and prints "HEIGHT ROOT" per block. Used to show that the
// in-memory store and the LevelDB store (in separate processes, and across a
// restart in the middle) reach the same app_hash at every height.
//
//   agora-state-replay --store memory|leveldb [--db PATH] --seed S --blocks N [--stop-after K]
//
// Block h's txs depend only on (seed, h) and the committed state (nonces), so
// a run that stopped after K blocks continues from the store's latest version.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/Sandbox.h"
#include "contracts/Bank.h"
#include "contracts/Genesis.h"
#include "contracts/Keys.h"
#include "contracts/Ledger.h"
#include "node/storage/LevelDbStateStore.h"
#include "support/TestKeys.h"
#include "support/TestRng.h"

using namespace agora;

namespace {

constexpr std::size_t kActors = 24;
constexpr const char* kChain = "replay";

contracts::Genesis genesis() {
    contracts::Genesis g;
    g.chainId = kChain;
    g.params.minSelfStake = Amount(1'000'000);
    g.params.minProviderStake = Amount(1'000'000);
    g.params.minBidDeposit = Amount(1'000);
    for (std::size_t i = 0; i < kActors; ++i)
        g.accounts.push_back({Address::fromPublicKey(test::testKey(static_cast<std::uint8_t>(i + 1)).publicKey),
                              Amount(1'000'000'000'000ULL)});
    const auto v = test::testKey(200);
    g.validators.push_back({Address::fromPublicKey(v.publicKey), v.publicKey, "v", 0, Amount(5'000'000)});
    return g;
}

std::uint64_t nonceOf(const state::StateReader& s, const Address& a) {
    auto raw = s.get(contracts::keys::account(a));
    if (!raw) return 0;
    auto acc = decode<contracts::Account>(*raw);
    return acc ? acc->nonce : 0;
}

// A mix of transfers and marketplace messages; many fail in execution, which
// is as deterministic as success and exercises the fee-only path.
Msg randomMsg(test::TestRng& rng, std::size_t self) {
    const auto other = [&] {
        return Address::fromPublicKey(test::testKey(static_cast<std::uint8_t>(rng.below(kActors) + 1)).publicKey);
    };
    switch (rng.below(8)) {
        case 0:
            return MsgProviderRegister{"https://p" + std::to_string(self) + ".example", {{"region", "eu"}},
                                       Resources{8000, 16384, 500, {}}, Amount(2'000'000)};
        case 1:
            return MsgJobCreate{Resources{1000 + rng.below(1000), 1024, 10, {}}, {{"region", "eu"}}, Amount(100),
                                20 + rng.below(20), 5 + rng.below(5), 0, Amount(5'000)};
        case 2:
            return MsgBidPlace{1 + rng.below(20), Amount(50 + rng.below(50)), Amount(1'000)};
        case 3:
            return MsgBidAccept{1 + rng.below(30)};
        case 4:
            return MsgLeaseClose{1 + rng.below(10), CloseReason::Completed};
        default:
            return MsgSend{other(), Amount(1 + rng.below(100'000))};
    }
}

Hash256 applyBlock(state::StateStore& store, std::uint64_t height, std::uint64_t seed, contracts::Ledger& ledger) {
    auto snap = store.snapshot();
    state::Sandbox sb(*snap);
    if (height == 1) {
        if (!contracts::initGenesis(sb, genesis())) {
            std::cerr << "genesis failed\n";
            std::exit(2);
        }
    }
    state::BlockContext ctx;
    ctx.height = height;
    ctx.time = 1'000 * height;
    ctx.chainId = kChain;
    ctx.proposer = test::testKey(200).publicKey;
    ledger.beginBlock(sb, ctx);
    test::TestRng rng(seed * 1'000'003 + height);
    for (int i = 0; i < 40; ++i) {
        const std::size_t who = rng.below(kActors);
        const auto key = test::testKey(static_cast<std::uint8_t>(who + 1));
        Tx tx;
        tx.chainId = kChain;
        tx.nonce = nonceOf(sb, Address::fromPublicKey(key.publicKey));
        tx.fee = Amount(1'000);
        tx.msgs = {randomMsg(rng, who)};
        ledger.deliverTx(sb, test::signTx(key, tx));
    }
    ledger.endBlock(sb);
    auto root = store.commit(height, sb.changes());
    if (!root) {
        std::cerr << "commit failed: " << root.error().message() << "\n";
        std::exit(2);
    }
    return *root;
}

}  // namespace

int main(int argc, char** argv) {
    std::string storeKind, db;
    std::uint64_t seed = 1, blocks = 0, stopAfter = UINT64_MAX;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--store") storeKind = value;
        else if (flag == "--db") db = value;
        else if (flag == "--seed") seed = std::stoull(value);
        else if (flag == "--blocks") blocks = std::stoull(value);
        else if (flag == "--stop-after") stopAfter = std::stoull(value);
        else {
            std::cerr << "unknown flag " << flag << "\n";
            return 2;
        }
    }
    std::unique_ptr<state::StateStore> store;
    if (storeKind == "memory") {
        store = std::make_unique<state::MemoryStateStore>();
    } else if (storeKind == "leveldb" && !db.empty()) {
        auto opened = node::LevelDbStateStore::open(db);
        if (!opened) {
            std::cerr << "open: " << opened.error().message() << "\n";
            return 2;
        }
        store = std::move(*opened);
    } else {
        std::cerr << "usage: agora-state-replay --store memory|leveldb [--db PATH] --seed S --blocks N [--stop-after K]\n";
        return 2;
    }
    contracts::Ledger ledger(kChain);
    std::uint64_t done = 0;
    for (std::uint64_t h = store->latestVersion() + 1; h <= blocks && done < stopAfter; ++h, ++done)
        std::cout << h << " " << applyBlock(*store, h, seed, ledger).toHex() << "\n";
    return 0;
}
