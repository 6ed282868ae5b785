// A seeded random workload over many actors and blocks: every invariant is
// checked after every block, and the same seed replayed into a second state
// yields byte-identical state (determinism).

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <random>

#include "TestEnv.h"
#include "contracts/Invariants.h"

using namespace agora;
using namespace agora::contracts;
using namespace agora::contracts::test;

namespace {

struct Workload {
    std::uint64_t seed;
    std::size_t actors;
    std::size_t blocks;
    std::size_t txsPerBlock;
};

struct RunStats {
    std::size_t txs = 0;
    std::size_t ok = 0;
    std::size_t leasesOpened = 0;
    std::size_t recordsPruned = 0;  // leases and jobs erased after the retention
    std::map<state::ResultCode, std::size_t> codes;
};

class Simulation {
public:
    explicit Simulation(const Workload& w) : w_(w), rng_(w.seed), ledger_(std::string(TestEnv::kChainId)) {
        Genesis g;
        g.chainId = std::string(TestEnv::kChainId);
        g.params = testParams();
        g.params.maxBidsPerJob = 4;
        g.params.recordRetentionBlocks = 30;  // prune settled leases and ended jobs under the invariants too
        for (std::size_t i = 0; i < w.actors; ++i) {
            TestAccount a;
            a.name = "actor" + std::to_string(i);
            a.publicKey = publicKeyOf(secretFromSeed(a.name));
            a.address = Address::fromPublicKey(a.publicKey);
            actors_.push_back(a);
            g.accounts.push_back(GenesisAccount{a.address, Amount(10'000'000)});
        }
        for (std::size_t i = 0; i < 3; ++i)
            g.validators.push_back(GenesisValidator{actors_[i].address,
                                                    publicKeyOf(secretFromSeed("cons" + std::to_string(i))),
                                                    "v" + std::to_string(i), 500, Amount(50'000)});
        auto updates = initGenesis(state_, g);
        REQUIRE(updates.hasValue());
        nonces_.assign(w.actors, 0);
    }

    // Runs the whole workload; calls onBlock(height) after each block.
    template <typename OnBlock>
    RunStats run(OnBlock&& onBlock) {
        RunStats stats;
        for (std::uint64_t h = 1; h <= w_.blocks; ++h) {
            state::BlockContext b;
            b.height = h;
            b.time = 1'700'000'000'000 + h * 1'000;
            b.chainId = std::string(TestEnv::kChainId);
            if (h % 97 == 0) b.absentValidators.push_back(publicKeyOf(secretFromSeed("cons1")));
            ledger_.beginBlock(state_, b);
            for (std::size_t i = 0; i < w_.txsPerBlock; ++i) {
                const std::size_t who = pick(w_.actors);
                SignedTx tx;
                tx.body.chainId = b.chainId;
                tx.body.signer = actors_[who].publicKey;
                tx.body.nonce = nonces_[who];
                tx.body.fee = Amount(10);
                tx.body.msgs.push_back(randomMsg(who));
                // The mempool verified nothing here: the workload is unsigned
                // and uses the cached-verdict hook to skip verification.
                TxResult r = ledger_.deliverTx(state_, tx, SignatureStatus::Valid);
                ++stats.txs;
                ++stats.codes[r.code];
                if (state::resultGroup(r.code) == state::ResultGroup::Success ||
                    state::resultGroup(r.code) == state::ResultGroup::FailedFeeCharged)
                    ++nonces_[who];
                if (r.ok()) {
                    ++stats.ok;
                    learn(r, stats);
                }
            }
            for (const auto& e : ledger_.endBlock(state_).events)
                if (e.type == "lease_pruned" || e.type == "job_pruned") ++stats.recordsPruned;
            onBlock(h);
        }
        return stats;
    }

    const state::MemoryState& state() const { return state_; }

private:
    std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + rng_() % (hi - lo + 1); }
    template <typename T>
    T pickFrom(const std::vector<T>& v) {
        return v[pick(v.size())];
    }

    void learn(const TxResult& r, RunStats& stats) {
        for (const auto& e : r.events) {
            auto id = [&](const char* k) { return std::stoull(*e.attr(k)); };
            if (e.type == "job_created") jobs_.push_back(id("job_id"));
            if (e.type == "bid_placed") bids_.push_back(id("bid_id"));
            if (e.type == "proposal_submitted") proposals_.push_back(id("proposal_id"));
            if (e.type == "offer_set") offerVersions_[{*e.attr("provider"), id("offer_id")}] = id("version");
            if (e.type == "lease_created") {
                leases_.push_back(id("lease_id"));
                ++stats.leasesOpened;
            }
        }
        // Keep the id pools small so actions keep hitting live objects.
        for (auto* v : {&jobs_, &bids_, &leases_, &proposals_})
            if (v->size() > 64) v->erase(v->begin(), v->begin() + 32);
    }

    Msg randomMsg(std::size_t who) {
        const Address& other = actors_[pick(actors_.size())].address;
        const bool provider = who >= 3 && who < 3 + actors_.size() / 4;    // a quarter of actors run providers
        const std::uint64_t id = rng_() % 4 == 0 ? between(1, 5'000) : 0;  // sometimes a random id
        auto anyOf = [&](const std::vector<std::uint64_t>& v) { return v.empty() || id != 0 ? id : pickFrom(v); };
        switch (rng_() % (provider ? 9 : 14)) {
            case 0:
                if (provider)
                    return MsgProviderRegister{
                        "https://p.example", {{"region", "eu"}}, cpuMem(16'000, 65'536), Amount(between(900, 5'000))};
                return MsgSend{other, Amount(between(1, 20'000))};
            case 1:
                if (provider)
                    return MsgOfferSet{static_cast<std::uint32_t>(between(1, 3)),
                                       PriceSchedule{Amount(between(1, 3)), Amount(0), Amount(0), {}}};
                return MsgJobCreate{cpuMem(between(100, 4'000), between(64, 4'096)),
                                    {},
                                    Amount(50),
                                    between(5, 60),
                                    between(1, 8),
                                    0,
                                    Amount(between(3'000, 4'000))};
            case 2:
                if (provider) return MsgBidPlace{anyOf(jobs_), Amount(between(1, 60)), Amount(between(5, 50))};
                return MsgBidAccept{anyOf(bids_)};
            case 3: {
                if (provider) return MsgProviderWithdraw{anyOf(leases_)};
                const Address& offerer = actors_[between(3, 3 + actors_.size() / 4 - 1)].address;
                const auto offerId = static_cast<std::uint32_t>(between(1, 3));
                // The version the client last saw; now and then a stale one.
                const auto seen = offerVersions_.find({offerer.toBech32(), offerId});
                std::uint64_t version = seen == offerVersions_.end() ? 1 : seen->second;
                if (version > 1 && rng_() % 8 == 0) --version;
                return MsgLeaseFromOffer{offerer,
                                         offerId,
                                         cpuMem(between(100, 2'000), 64),
                                         between(5, 80),
                                         Amount(between(1'000, 30'000)),
                                         Hash256{},
                                         Amount(between(1'000, 4'000)),
                                         version};
            }
            case 4:
                if (provider) return MsgLeaseClose{anyOf(leases_), CloseReason::ProviderTerminated};
                if (rng_() % 3 == 0)
                    return MsgLeaseSetAutoTopUp{anyOf(leases_), Amount(between(1, 3'000)), Amount(between(0, 9'000))};
                return MsgLeaseTopUp{anyOf(leases_), Amount(between(1, 5'000))};
            case 5:
                if (provider) return MsgUsageReport{anyOf(leases_), between(1, 3'000), 9'000, Hash256{}};
                return MsgLeaseClose{anyOf(leases_), static_cast<CloseReason>(between(0, 3))};
            case 6:
                if (provider) return MsgProviderUnbond{Amount(between(1, 2'000))};
                return MsgLeaseSettle{anyOf(leases_), static_cast<std::uint8_t>(between(1, 5))};
            case 7:
                if (provider) return MsgBidWithdraw{anyOf(bids_)};
                return MsgJobCancel{anyOf(jobs_)};
            case 8:
                if (provider)
                    return MsgProviderUpdate{std::nullopt, std::nullopt, std::nullopt, Amount(between(1, 500))};
                return MsgDelegate{actors_[pick(3)].address, Amount(between(1, 5'000))};
            case 9:
                return MsgUndelegate{actors_[pick(3)].address, Amount(between(1, 3'000))};
            case 10:
                return MsgSend{other, Amount(between(1, 1'000))};
            case 11:
                return MsgLeaseSettle{anyOf(leases_), static_cast<std::uint8_t>(between(1, 5))};
            case 12:
                // Harmless changes only: a changed fee or stake minimum would stall the workload.
                return MsgGovSubmit{
                    "", {{"grace_seconds", std::to_string(between(1, 10))}}, Amount(between(100, 1'500))};
            case 13:
                if (rng_() % 3 == 0) return MsgGovDeposit{anyOf(proposals_), Amount(between(1, 800))};
                return MsgGovVote{anyOf(proposals_), static_cast<VoteOption>(between(1, 4))};
        }
        return MsgSend{other, Amount(1)};
    }

    Workload w_;
    std::mt19937_64 rng_;
    state::MemoryState state_;
    Ledger ledger_;
    std::vector<TestAccount> actors_;
    std::vector<std::uint64_t> nonces_;
    std::vector<std::uint64_t> jobs_, bids_, leases_, proposals_;
    std::map<std::pair<std::string, std::uint64_t>, std::uint64_t> offerVersions_;  // (provider, offer id) -> version
};

std::uint64_t seedFromEnv(std::uint64_t fallback) {
    if (const char* s = std::getenv("AGORA_TEST_SEED")) return std::strtoull(s, nullptr, 10);
    return fallback;
}

}  // namespace

TEST_CASE("randomized workload keeps every invariant after every block") {
    const Workload w{seedFromEnv(20261123), 50, 2'000, 50};
    std::cout << "randomized ledger seed " << w.seed << " (set AGORA_TEST_SEED to replay)\n";
    Simulation sim(w);
    const auto stats = sim.run([&](std::uint64_t h) {
        auto bad = checkInvariants(sim.state());
        INFO("seed " << w.seed << " height " << h << ": " << bad.value_or("ok"));
        REQUIRE_FALSE(bad.has_value());
    });
    std::cout << "  " << stats.txs << " txs, " << stats.ok << " ok, " << stats.leasesOpened << " leases opened, "
              << stats.recordsPruned << " records pruned\n";
    for (const auto& [code, n] : stats.codes) std::cout << "    " << state::resultName(code) << ": " << n << "\n";
    CHECK(stats.txs >= 100'000);
    // The workload must exercise the market, not only fail.
    CHECK(stats.leasesOpened > 200);
    CHECK(stats.recordsPruned > 100);  // pruning ran under the invariants
    CHECK(stats.ok > stats.txs / 5);
}

TEST_CASE("the same tx sequence applied to two states yields identical state bytes at every block") {
    const Workload w{seedFromEnv(7), 20, 300, 20};
    Simulation a(w);
    Simulation b(w);
    std::vector<Hash256> hashesA;
    a.run([&](std::uint64_t) {
        Sha256Hasher h;
        for (const auto& [k, v] : a.state().entries()) {
            h.update(k);
            h.update(v);
        }
        hashesA.push_back(h.finish());
    });
    std::size_t i = 0;
    b.run([&](std::uint64_t height) {
        Sha256Hasher h;
        for (const auto& [k, v] : b.state().entries()) {
            h.update(k);
            h.update(v);
        }
        INFO("height " << height);
        REQUIRE(h.finish() == hashesA.at(i++));
    });
    CHECK(a.state().entries() == b.state().entries());
}
