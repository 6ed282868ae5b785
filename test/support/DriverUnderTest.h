#pragma once
// A validator's ConsensusDriver in-process, for tests of what happens around
// it (block sync, queue pressure, restarts): a real Application, FileWal,
// SignerStateFile and Executor; the network records what the node
// broadcasts. The node under test is validator k11; the others (k10, k12)
// are played by the test, which signs their proposals and votes.
//
// lockOnA(): k10 proposes block A at round 0 and prevotes it; the node
// prevotes A, locks on it and precommits it; without k10's precommit the
// height stays undecided. prevoteOnOtherBlockAtRound1(): k10 moves to round 1
// with block B; a node that kept its lock prevotes nil, an amnesic one B.

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>

#include "node/app/Application.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/storage/NodeDatabase.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"

namespace agora::test {

using namespace agora::node;

inline const std::string kChain = "driver-test";

// (test key number, stake in uagr)
using Stakes = std::vector<std::pair<std::uint8_t, std::uint64_t>>;
// k10 holds > 2/3 of the power alone.
inline Stakes bigAndSmall() {
    return {{10, 1'000'000'000'000ULL}, {11, 100'000'000'000ULL}};
}

inline GenesisDoc driverGenesis(const Stakes& stakes) {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = kChain;
    d.genesis.params.minSelfStake = Amount(1'000'000);
    for (auto [n, stake] : stakes) {
        const auto k = testKey(n);
        d.genesis.validators.push_back(
            {Address::fromPublicKey(k.publicKey), k.publicKey, "v" + std::to_string(n), 0, Amount(stake)});
    }
    return d;
}

inline std::unique_ptr<Application> openApp(const std::filesystem::path& dir, const Stakes& stakes) {
    auto db = openNodeDatabase(dir, DatabaseOptions{});
    REQUIRE(db.hasValue());
    auto app =
        Application::open(driverGenesis(stakes), *db, Application::Options{}, std::make_shared<SignatureCache>());
    REQUIRE(app.hasValue());
    return std::move(*app);
}

// Wakes waiters whenever something observable happens (a broadcast, a status query).
struct Signal {
    std::mutex mu;
    std::condition_variable cv;
    void notify() {
        { std::lock_guard lock(mu); }
        cv.notify_all();
    }
    // Waits until pred() holds, re-checking at least every 20 ms; false at the deadline.
    bool waitFor(const std::function<bool()>& pred, std::chrono::seconds limit = std::chrono::seconds(30)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        std::unique_lock lock(mu);
        while (!pred()) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            cv.wait_for(lock, std::chrono::milliseconds(20));
        }
        return true;
    }
};

class RecordingNetwork final : public ConsensusNetwork {
public:
    explicit RecordingNetwork(Signal& signal) : signal_(signal) {}
    void broadcastProposal(const Proposal&) override {}
    void broadcastVote(const Vote& vote) override {
        {
            std::lock_guard lock(mu_);
            votes_.push_back(vote);
        }
        if (onVote) onVote(vote);
        signal_.notify();
    }
    // Called on the executor thread for every vote the node broadcasts.
    std::function<void(const Vote&)> onVote;
    std::optional<Vote> find(std::uint32_t round, VoteType type) const {
        std::lock_guard lock(mu_);
        for (const auto& v : votes_)
            if (v.round == round && v.type == type) return v;
        return std::nullopt;
    }

private:
    Signal& signal_;
    mutable std::mutex mu_;
    std::vector<Vote> votes_;
};

inline Vote signedVote(std::uint8_t key, VoteType type, std::uint32_t round, std::optional<Hash256> id) {
    const auto k = testKey(key);
    Vote v;
    v.type = type;
    v.height = 1;
    v.round = round;
    v.blockId = id;
    v.validator = k.publicKey;
    v.signature = signDigest32(k, v.signDigest(kChain));
    return v;
}

inline Proposal signedProposal(std::uint32_t round, const Application::Proposal& block) {
    const auto k = testKey(10);
    Proposal p;
    p.height = 1;
    p.round = round;
    p.blockId = block.id;
    p.proposer = k.publicKey;
    p.block = block.bytes;
    p.signature = signDigest32(k, p.signDigest(kChain));
    return p;
}

struct DriverUnderTest {
    Stakes stakes;
    TempDir dir{"driver"};
    Signal signal;
    RecordingNetwork network{signal};
    std::unique_ptr<Application> app = openApp(dir.path("db"), stakes);
    std::unique_ptr<Application> builder = openApp(dir.path("builder"), stakes);  // k10's side: builds A and B
    Mempool mempool{MempoolLimits{}, std::make_shared<SignatureCache>()};
    SignerStateFile signerState{dir.path("signer_state.json")};
    Executor executor;
    std::unique_ptr<ConsensusDriver> driver;
    Application::Proposal blockA, blockB;

    // Runs on the executor after each commit (set it before start()).
    std::function<void(const CommitOutcome&)> onCommit;

    explicit DriverUnderTest(Stakes s = bigAndSmall(), std::size_t maxQueued = 100'000,
                             std::uint64_t timeoutCommitMs = 500)
        : stakes(std::move(s)), executor("consensus-test", maxQueued) {
        auto a = builder->propose(testKey(10).publicKey, 2'000, {}, {});
        auto b = builder->propose(testKey(10).publicKey, 3'000, {}, {});
        REQUIRE(a.hasValue());
        REQUIRE(b.hasValue());
        REQUIRE(a->id != b->id);
        blockA = *a;
        blockB = *b;

        auto wal = FileWal::open(walPath());
        REQUIRE(wal.hasValue());
        DriverOptions options;
        // No timeout fires during a test: rounds move only by the votes it feeds.
        options.timeouts = {600'000, 0, 600'000, 0, 600'000, 0};
        options.timeoutCommitMs = timeoutCommitMs;
        const auto& secret = testKey(11).secret;
        auto key = wallet::SecretKey::fromBytes(ByteSpan(secret.data(), secret.size()));
        REQUIRE(key.hasValue());
        executor.start();
        driver = std::make_unique<ConsensusDriver>(
            *app, mempool, std::move(*key), signerState, std::move(wal->first), std::vector<consensus::Input>{},
            network, executor, options,
            [this](const CommitOutcome& o) {
                if (onCommit) onCommit(o);
                signal.notify();
            },
            nullptr);
    }
    ~DriverUnderTest() {
        if (driver) driver->stop();
        executor.stop();
    }
    DriverUnderTest(const DriverUnderTest&) = delete;
    DriverUnderTest& operator=(const DriverUnderTest&) = delete;

    void start() { REQUIRE(driver->start().hasValue()); }

    // With bigAndSmall(): starts the driver; the node ends round 0 locked on
    // A, precommitted.
    void lockOnA() {
        REQUIRE(app->chainState().proposerSetFor(0).proposer().key == testKey(10).publicKey);
        start();
        driver->receiveProposal(signedProposal(0, blockA));
        REQUIRE(signal.waitFor([&] { return network.find(0, VoteType::Prevote).has_value(); }));
        REQUIRE(network.find(0, VoteType::Prevote)->blockId == blockA.id);
        driver->receiveVote(signedVote(10, VoteType::Prevote, 0, blockA.id));
        // > 2/3 prevotes for A: the node locks on A and precommits it.
        REQUIRE(signal.waitFor([&] { return network.find(0, VoteType::Precommit).has_value(); }));
        REQUIRE(network.find(0, VoteType::Precommit)->blockId == blockA.id);
        REQUIRE(signal.waitFor([&] { return stepIs(consensus::Step::Precommit); }));
    }

    std::filesystem::path walPath() const { return dir.path("consensus.wal"); }
    std::uintmax_t walBytes() const { return std::filesystem::file_size(walPath()); }
    bool stepIs(consensus::Step step) const {
        const auto st = driver->status();
        return st.height == 1 && st.round == 0 && st.step == static_cast<std::uint8_t>(step);
    }

    // k10 moves to round 1 (its prevote is > 1/3 of the power: the node
    // follows) and proposes B there. Returns the node's round-1 prevote.
    std::optional<Hash256> prevoteOnOtherBlockAtRound1() {
        REQUIRE(app->chainState().proposerSetFor(1).proposer().key == testKey(10).publicKey);
        driver->receiveVote(signedVote(10, VoteType::Prevote, 1, blockB.id));
        driver->receiveProposal(signedProposal(1, blockB));
        REQUIRE(signal.waitFor([&] { return network.find(1, VoteType::Prevote).has_value(); }));
        return network.find(1, VoteType::Prevote)->blockId;
    }
};

}  // namespace agora::test
