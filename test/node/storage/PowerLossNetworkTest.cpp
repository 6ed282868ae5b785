// Power loss of one validator in a network of four (docs/crash-consistency.md,
// section 5, "Four validators").
//
// Four validators run in this process as in agorad: Application on LevelDB,
// Mempool, ConsensusDriver on its Executor, FileWal and SignerStateFile,
// BlockSyncService on a gRPC server on loopback, BlockSyncer with
// GrpcBlockSource and CatchUpController; every node's files go through a
// FaultInjector. Consensus messages travel through an in-memory hub
// (canonical bytes, decoded on arrival) that also does what PeerManager does
// with a peer's status: a peer ahead triggers the catch-up controller, a peer
// behind is sent ConsensusDriver::catchUpFor (design decision 36).
//
// Per seed: once the chain is past height 2, one validator (seeded) is given
// a power cut at a seeded operation of its next couple of heights: any
// operation, or (two seeds in three) one of the database's (block commit,
// LevelDB's own files) or of the signer state's. The injector
// cuts its files there and fails everything after (stayAlive); the hub stops
// forwarding what it sends from that instant, and the test discards all its
// objects. The three others keep committing. Then:
//
//  - the crashed node's directory reopens (database, WAL, signer state) at
//    height h or h + 1, h the last height it reported committed, with every
//    tx it reported committed in its tx index at its height;
//  - its signer state forbids signing again any position it already sent
//    (>= the last sent position, with its digest when equal), and no
//    position was ever sent with two digests by any validator, across its
//    lives (the hub sees every signed message);
//  - restarted once the others are more than the catch-up threshold ahead,
//    it catches up through block sync (blocks applied by the syncer) and
//    commits again through consensus;
//  - all four then hold the same block (id and app hash) at every height
//    they have in common, and each one's last app hash is that block's.
//
// AGORA_POWERLOSS_NET_POINTS (default 30) is the number of power cuts,
// AGORA_POWERLOSS_NET_SEED the first seed; a failing seed replays with
// AGORA_POWERLOSS_NET_SEED=<seed> AGORA_POWERLOSS_NET_POINTS=1 (thread
// timing makes the exact crash instant vary between runs).
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <tuple>

#include <spdlog/spdlog.h>

#include "node/app/Application.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/consensus/Executor.h"
#include "node/consensus/FileWal.h"
#include "node/consensus/SignerStateFile.h"
#include "node/rpc/GrpcServer.h"
#include "node/storage/NodeDatabase.h"
#include "node/sync/BlockSyncService.h"
#include "node/sync/BlockSyncer.h"
#include "node/sync/CatchUpController.h"
#include "node/sync/GrpcBlockSource.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"
#include "support/TestRng.h"
#include "test/node/storage/FaultInjector.h"

using namespace agora;
using namespace agora::node;
using agora::test::FaultInjector;
using agora::test::FaultKind;
using agora::test::FaultPlan;

namespace {

constexpr const char* kChainId = "powerloss-net";
constexpr std::size_t kNodes = 4;
constexpr std::uint8_t kFirstValidatorKey = 10;  // validators are test keys 10..13
constexpr std::uint8_t kSenderKey = 1;
constexpr std::size_t kTxsPerBlock = 2;
constexpr std::uint64_t kTxs = 80;
constexpr std::uint64_t kAheadThreshold = 2;  // CatchUpOptions::aheadThreshold

GenesisDoc genesis() {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = kChainId;
    d.genesis.params.minSelfStake = Amount(1'000'000);
    for (std::size_t i = 0; i < kNodes; ++i) {  // equal stakes: any three are a quorum
        const auto k = test::testKey(static_cast<std::uint8_t>(kFirstValidatorKey + i));
        d.genesis.validators.push_back({Address::fromPublicKey(k.publicKey), k.publicKey, "v" + std::to_string(i), 0,
                                        Amount(1'000'000'000'000ULL)});
    }
    d.genesis.accounts.push_back({Address::fromPublicKey(test::testKey(kSenderKey).publicKey), Amount(10'000'000'000)});
    return d;
}

// One sender, consecutive nonces: whoever proposes, the txs go in in order.
std::vector<Bytes> runTxs() {
    std::vector<Bytes> txs;
    for (std::uint64_t nonce = 0; nonce < kTxs; ++nonce) {
        Tx tx;
        tx.chainId = kChainId;
        tx.nonce = nonce;
        tx.fee = Amount(1'000);
        tx.msgs = {MsgSend{Address::fromPublicKey(test::testKey(9).publicKey), Amount(100 + nonce)}};
        txs.push_back(test::signTx(test::testKey(kSenderKey), tx).bytes());
    }
    return txs;
}

std::uint64_t envNumber(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

using Position = std::tuple<std::uint64_t, std::uint32_t, std::uint8_t>;  // height, round, step (1..3)

std::string positionText(const Position& p) {
    return std::to_string(std::get<0>(p)) + "/" + std::to_string(std::get<1>(p)) + "/" + std::to_string(std::get<2>(p));
}

// What the test knows of one validator across its lives.
struct Record {
    std::mutex mu;
    std::uint64_t lastCommitted = 0;
    std::map<Hash256, std::uint64_t> txs;  // committed tx -> height, as reported by commit callbacks
    std::map<Position, Hash256> sent;      // every signed message that left it
    std::uint64_t syncApplied = 0;         // blocks applied by block sync (this life)
    std::uint64_t consensusCommits = 0;    // heights committed by the driver (this life)
    std::optional<std::string> fatal;      // this life
};

class Hub;

// A validator's ConsensusNetwork: everything goes through the hub.
class HubLink final : public ConsensusNetwork {
public:
    HubLink(Hub& hub, std::size_t index) : hub_(hub), index_(index) {}
    void broadcastProposal(const Proposal& p) override;
    void broadcastVote(const Vote& v) override;

private:
    Hub& hub_;
    std::size_t index_;
};

// The in-memory network. Holds its lock while it hands messages to drivers
// (receive* only queue them), so a detached node is never called again.
class Hub {
public:
    struct Peer {
        ConsensusDriver* driver = nullptr;
        CatchUpController* catchUp = nullptr;
    };

    explicit Hub(std::array<Record, kNodes>& records) : records_(records) {}

    void attach(std::size_t i, Peer peer) {
        std::lock_guard lock(mu_);
        peers_[i] = peer;
        cut_[i] = false;
    }
    void detach(std::size_t i) {
        std::lock_guard lock(mu_);
        peers_[i] = Peer{};
    }
    // The power went off at node i (the injector's beforeExit, under its lock).
    void cut(std::size_t i, const std::string& op) {
        {
            std::lock_guard lock(mu_);
            cut_[i] = true;
            cutAt_[i] = op;
        }
        cv_.notify_all();
    }
    bool isCut(std::size_t i) {
        std::lock_guard lock(mu_);
        return cut_[i];
    }
    std::string cutAt(std::size_t i) {
        std::lock_guard lock(mu_);
        return cutAt_[i];
    }

    void sendProposal(std::size_t from, const Proposal& p) {
        std::lock_guard lock(mu_);
        if (cut_[from] || !peers_[from].driver) return;
        recordSent(from, Position{p.height, p.round, 1}, p.signDigest(kChainId));
        const Bytes bytes = encode(p);
        for (std::size_t j = 0; j < kNodes; ++j)
            if (j != from && peers_[j].driver) deliverProposal(j, bytes);
    }
    void sendVote(std::size_t from, const Vote& v) {
        std::lock_guard lock(mu_);
        if (cut_[from] || !peers_[from].driver) return;
        recordSent(from, Position{v.height, v.round, v.type == VoteType::Prevote ? 2 : 3}, v.signDigest(kChainId));
        const Bytes bytes = encode(v);
        for (std::size_t j = 0; j < kNodes; ++j)
            if (j != from && peers_[j].driver) deliverVote(j, bytes);
    }

    // One round of status messages, as PeerManager handles them: node j gets
    // node i's position; a peer ahead makes j's controller consider block
    // sync, a peer behind (or earlier in the same height) gets j's catch-up
    // messages.
    void exchangeStatus() {
        std::lock_guard lock(mu_);
        std::array<std::optional<ConsensusStatus>, kNodes> pos;
        for (std::size_t i = 0; i < kNodes; ++i)
            if (peers_[i].driver && !cut_[i]) pos[i] = peers_[i].driver->status();
        for (std::size_t i = 0; i < kNodes; ++i) {
            for (std::size_t j = 0; j < kNodes; ++j) {
                if (i == j || !pos[i] || !pos[j]) continue;
                const auto& peer = *pos[i];
                const auto& ours = *pos[j];
                if (peer.height > ours.height) {
                    peers_[j].catchUp->catchUp(peer.height);
                    continue;
                }
                if (peer.height == ours.height && std::tie(peer.round, peer.step) > std::tie(ours.round, ours.step))
                    continue;
                const auto msgs = peers_[j].driver->catchUpFor(peer.height, peer.round);
                for (const auto& p : msgs.proposals) deliverProposal(i, p);
                for (const auto& v : msgs.votes) deliverVote(i, v);
            }
        }
    }

    // Wakes waiters (commits, cuts).
    void notify() {
        { std::lock_guard lock(mu_); }
        cv_.notify_all();
    }
    bool waitFor(const std::function<bool()>& pred, std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            if (pred()) return true;
            std::unique_lock lock(mu_);
            if (std::chrono::steady_clock::now() >= deadline) return false;
            cv_.wait_for(lock, std::chrono::milliseconds(20));
        }
    }

    std::vector<std::string> takeViolations() {
        std::lock_guard lock(mu_);
        return std::exchange(violations_, {});
    }

private:
    void recordSent(std::size_t from, const Position& pos, const Hash256& digest) {
        auto& rec = records_[from];
        std::lock_guard lock(rec.mu);
        auto [it, fresh] = rec.sent.emplace(pos, digest);
        if (!fresh && it->second != digest)
            violations_.push_back("validator " + std::to_string(from) + " signed two different messages at " +
                                  positionText(pos));
    }
    void deliverProposal(std::size_t to, ByteSpan bytes) {
        auto p = decode<Proposal>(bytes);
        if (!p) {
            violations_.push_back("a proposal does not decode: " + p.error().message());
            return;
        }
        peers_[to].driver->receiveProposal(std::move(*p));
    }
    void deliverVote(std::size_t to, ByteSpan bytes) {
        auto v = decode<Vote>(bytes);
        if (!v) {
            violations_.push_back("a vote does not decode: " + v.error().message());
            return;
        }
        peers_[to].driver->receiveVote(*v);
    }

    std::array<Record, kNodes>& records_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::array<Peer, kNodes> peers_{};
    std::array<bool, kNodes> cut_{};
    std::array<std::string, kNodes> cutAt_{};
    std::vector<std::string> violations_;
};

void HubLink::broadcastProposal(const Proposal& p) {
    hub_.sendProposal(index_, p);
}
void HubLink::broadcastVote(const Vote& v) {
    hub_.sendVote(index_, v);
}

// One life of one validator.
struct ValidatorUnderTest {
    std::size_t index;
    std::filesystem::path data;
    std::filesystem::path stash;
    Record& record;
    Hub& hub;

    std::unique_ptr<FaultInjector> injector;
    std::shared_ptr<SignatureCache> sigCache = std::make_shared<SignatureCache>();
    std::unique_ptr<Application> app;
    std::unique_ptr<Mempool> mempool;
    std::unique_ptr<SignerStateFile> signer;
    std::unique_ptr<Executor> executor;
    std::unique_ptr<HubLink> link;
    std::unique_ptr<ConsensusDriver> driver;
    std::unique_ptr<BlockSyncService> syncService;
    std::unique_ptr<GrpcServer> server;
    std::unique_ptr<BlockSyncer> syncer;
    std::unique_ptr<CatchUpController> catchUp;
    std::vector<Bytes> txs = runTxs();

    ValidatorUnderTest(std::size_t i, const std::filesystem::path& root, Record& rec, Hub& h)
        : index(i),
          data(root / ("v" + std::to_string(i)) / "data"),
          stash(root / ("v" + std::to_string(i)) / "stash"),
          record(rec),
          hub(h) {
        std::filesystem::create_directories(data);
    }
    ~ValidatorUnderTest() { shutDown(); }

    std::string dbPath() const { return (data / "chain.db").string(); }

    void offerTxs() {
        for (const auto& tx : txs) mempool->add(tx, *app->ledgerView());
    }

    void onCommit(const CommitOutcome& o, bool bySync) {
        mempool->update(o.txHashes, *app->ledgerView());
        offerTxs();
        {
            std::lock_guard lock(record.mu);
            record.lastCommitted = std::max(record.lastCommitted, o.height);
            for (const auto& h : o.txHashes) record.txs[h] = o.height;
            ++(bySync ? record.syncApplied : record.consensusCommits);
        }
        hub.notify();
    }

    // Opens the node on a fresh (unarmed) injector and starts its gRPC server;
    // start() then starts consensus.
    Expected<int, std::string> open() {
        {
            std::lock_guard lock(record.mu);
            record.syncApplied = 0;
            record.consensusCommits = 0;
            record.fatal.reset();
        }
        injector = std::make_unique<FaultInjector>(stash, FaultPlan{});
        DatabaseOptions dbo;
        dbo.env = injector->env();
        dbo.blockCacheBytes = std::size_t{1} << 20;
        dbo.writeBufferBytes = std::size_t{64} << 10;  // small: memtable switches and compactions happen
        auto db = openNodeDatabase(dbPath(), dbo);
        if (!db) return Unexpected("database: " + db.error().message());
        Application::Options ao;
        ao.maxBlockTxs = kTxsPerBlock;
        auto a = Application::open(genesis(), *db, ao, sigCache);
        if (!a) return Unexpected("application: " + a.error());
        app = std::move(*a);
        mempool = std::make_unique<Mempool>(MempoolLimits{}, sigCache);
        auto wal = FileWal::open(data / "consensus.wal", injector->fs());
        if (!wal) return Unexpected("wal: " + wal.error());
        signer = std::make_unique<SignerStateFile>(data / "signer_state.json", injector->fs());
        auto key =
            wallet::SecretKey::fromBytes(test::testKey(static_cast<std::uint8_t>(kFirstValidatorKey + index)).secret);
        if (!key) return Unexpected(std::string("validator key"));
        executor = std::make_unique<Executor>("consensus-v" + std::to_string(index));
        link = std::make_unique<HubLink>(hub, index);
        DriverOptions dopt;
        // Short rounds: a height whose proposer is down moves on quickly.
        dopt.timeouts = {300, 100, 150, 50, 150, 50};
        dopt.timeoutCommitMs = 10;
        dopt.maxBlockTxs = kTxsPerBlock;
        auto onFatal = [this](const std::string& error) {
            {
                std::lock_guard lock(record.mu);
                if (!record.fatal) record.fatal = error;
            }
            hub.notify();
        };
        driver = std::make_unique<ConsensusDriver>(
            *app, *mempool, std::move(*key), *signer, std::move(wal->first), std::move(wal->second.entries), *link,
            *executor, dopt, [this](const CommitOutcome& o) { onCommit(o, false); }, onFatal);
        syncService = std::make_unique<BlockSyncService>(*app, nullptr);
        GrpcServerOptions so;
        so.address = "127.0.0.1:0";
        server = std::make_unique<GrpcServer>(so);
        server->addService(syncService.get());
        auto port = server->start();
        if (!port) return Unexpected("grpc server: " + port.error());
        syncer = std::make_unique<BlockSyncer>(
            *app,
            [](const std::string& address) {
                GrpcBlockSourceOptions o;
                o.statusDeadlineMs = 500;
                return std::make_unique<GrpcBlockSource>(address, o);
            },
            BlockSyncOptions{}, [this](const CommitOutcome& o) { onCommit(o, true); });
        CatchUpOptions co;
        co.pollIntervalMs = 200;
        co.aheadThreshold = kAheadThreshold;
        catchUp = std::make_unique<CatchUpController>(*app, *syncer, *driver, co, onFatal);
        offerTxs();
        return *port;
    }

    // With the peers' block sync addresses: initial sync, then consensus.
    void start(const std::vector<std::string>& peers) {
        syncer->setPeers(peers);
        hub.attach(index, Hub::Peer{driver.get(), catchUp.get()});
        executor->start();
        catchUp->start();
    }

    // Stops consensus and block sync (the objects stay for inspection).
    void stop() {
        hub.detach(index);
        if (catchUp) catchUp->stop();
        if (driver) driver->stop();
        if (executor) executor->stop();
    }

    // Everything in memory is gone; only the files remain.
    void shutDown() {
        stop();
        if (server) server->shutdown(1'000);
        catchUp.reset();
        syncer.reset();
        server.reset();
        syncService.reset();
        driver.reset();
        executor.reset();
        link.reset();
        signer.reset();
        mempool.reset();
        app.reset();
        injector.reset();
    }
};

std::string showHash(const Hash256& h) {
    return h.toHex().substr(0, 16);
}

// The crashed node's directory as agorad reopens it after the power came
// back (a clean file layer). Returns its height.
std::uint64_t checkReopened(ValidatorUnderTest& v, std::vector<std::string>& bad) {
    Record& rec = v.record;
    std::lock_guard lock(rec.mu);
    FaultInjector clean(v.stash, FaultPlan{});
    DatabaseOptions dbo;
    dbo.env = clean.env();
    std::uint64_t at = 0;
    {
        auto db = openNodeDatabase(v.dbPath(), dbo);
        if (!db) {
            bad.push_back("database does not open: " + db.error().message());
            return 0;
        }
        auto app = Application::open(genesis(), *db, Application::Options{}, std::make_shared<SignatureCache>());
        if (!app) {
            bad.push_back("application does not open: " + app.error());
            return 0;
        }
        at = (*app)->lastHeight();
        if (at != rec.lastCommitted && at != rec.lastCommitted + 1)
            bad.push_back("at height " + std::to_string(at) + " after height " + std::to_string(rec.lastCommitted) +
                          " was reported committed");
        for (const auto& [hash, height] : rec.txs) {
            auto where = (*app)->blocks().txLocation(hash);
            if (!where || where->height != height)
                bad.push_back("committed tx " + showHash(hash) + " of height " + std::to_string(height) + " is lost");
        }
    }
    auto wal = FileWal::open(v.data / "consensus.wal");
    if (!wal) bad.push_back("WAL does not open: " + wal.error());
    auto state = SignerStateFile(v.data / "signer_state.json").load();
    if (!state) {
        bad.push_back("signer state does not load: " + state.error());
    } else if (!rec.sent.empty()) {
        const auto& [pos, digest] = *rec.sent.rbegin();
        const Position persisted{state->height, state->round, state->step};
        if (persisted < pos || (persisted == pos && state->digest != digest))
            bad.push_back("signer state (" + positionText(persisted) + ") would sign again at " + positionText(pos) +
                          ", which it already sent");
    }
    rec.lastCommitted = std::max(rec.lastCommitted, at);
    return at;
}

// All four agree block by block; every committed tx is where it was reported.
void checkAgreement(std::array<std::unique_ptr<ValidatorUnderTest>, kNodes>& vals, std::vector<std::string>& bad) {
    std::uint64_t common = UINT64_MAX;
    for (auto& v : vals) common = std::min(common, v->app->lastHeight());
    for (std::uint64_t h = 1; h <= common; ++h) {
        std::optional<Block> first;
        for (std::size_t i = 0; i < kNodes; ++i) {
            auto b = vals[i]->app->blocks().block(h);
            if (!b) {
                bad.push_back("validator " + std::to_string(i) + " has no block at height " + std::to_string(h));
                continue;
            }
            if (!first) {
                first = std::move(b);
                continue;
            }
            if (b->id() != first->id() || b->header.appHash != first->header.appHash)
                bad.push_back("validator " + std::to_string(i) + " differs at height " + std::to_string(h) +
                              ": app hash " + showHash(b->header.appHash) + " against " +
                              showHash(first->header.appHash));
        }
    }
    for (std::size_t i = 0; i < kNodes; ++i) {
        const auto& app = *vals[i]->app;
        const auto last = app.blocks().block(app.lastHeight());
        if (!last || last->header.appHash != app.lastAppHash())
            bad.push_back("validator " + std::to_string(i) + "'s state is not its last block's app hash");
        std::lock_guard lock(vals[i]->record.mu);
        for (const auto& [hash, height] : vals[i]->record.txs)
            for (std::size_t j = 0; j < kNodes; ++j) {
                if (vals[j]->app->lastHeight() < height) continue;
                auto where = vals[j]->app->blocks().txLocation(hash);
                if (!where || where->height != height)
                    bad.push_back("tx " + showHash(hash) + " committed at height " + std::to_string(height) +
                                  " by validator " + std::to_string(i) + " is not there on validator " +
                                  std::to_string(j));
            }
    }
}

std::string kindOf(const std::string& op) {
    if (op.find("consensus.wal") != std::string::npos) return "WAL";
    if (op.find("signer_state") != std::string::npos) return "signer state";
    if (op.find("chain.db") != std::string::npos) return "database";
    if (op.find("sync directory") != std::string::npos) return "data directory sync";  // signer state's rename
    return "other";
}

}  // namespace

TEST_CASE(
    "a validator that loses power while three others keep committing reopens at h or h+1 with its committed txs, "
    "never signs differently what it sent, resyncs by block sync and then agrees with all four block by block",
    "[powerloss][network]") {
    const std::uint64_t points = envNumber("AGORA_POWERLOSS_NET_POINTS", 30);
    const std::uint64_t firstSeed = envNumber("AGORA_POWERLOSS_NET_SEED", 1);
    const auto previousLevel = spdlog::get_level();
    spdlog::set_level(spdlog::level::off);  // a cut node logs its failed writes: expected; violations say the rest

    std::vector<std::string> violations;
    std::map<std::string, int> cutKinds;
    std::vector<std::string> cutOps;
    std::uint64_t cuts = 0, seeds = 0, syncedBlocks = 0;
    for (std::uint64_t seed = firstSeed; cuts < points && violations.size() <= 20; ++seed, ++seeds) {
        test::TestRng rng(seed);
        test::TempDir root("powerloss-net");
        std::array<Record, kNodes> records;
        Hub hub(records);
        std::array<std::unique_ptr<ValidatorUnderTest>, kNodes> vals;
        std::array<std::string, kNodes> addresses;
        std::vector<std::string> bad;
        auto context = [&](const std::string& what) { return "seed " + std::to_string(seed) + ": " + what; };
        auto heightOf = [&](std::size_t i) {
            std::lock_guard lock(records[i].mu);
            return records[i].lastCommitted;
        };
        auto fatalOf = [&](std::size_t i) {
            std::lock_guard lock(records[i].mu);
            return records[i].fatal;
        };
        auto peersOf = [&](std::size_t i) {
            std::vector<std::string> out;
            for (std::size_t j = 0; j < kNodes; ++j)
                if (j != i) out.push_back(addresses[j]);
            return out;
        };
        auto openValidator = [&](std::size_t i) -> bool {
            vals[i] =
                std::make_unique<ValidatorUnderTest>(i, std::filesystem::path(root.path("nodes")), records[i], hub);
            auto port = vals[i]->open();
            if (!port) {
                bad.push_back(context("validator " + std::to_string(i) + " does not open: " + port.error()));
                return false;
            }
            addresses[i] = "127.0.0.1:" + std::to_string(*port);
            return true;
        };

        // The status exchange runs while the network does, on a 50 ms tick
        // (PeerManager sends its status on a tick too).
        std::mutex gossipMu;
        std::condition_variable gossipCv;
        bool gossipStop = false;
        std::thread gossip([&] {
            std::unique_lock lock(gossipMu);
            while (!gossipStop) {
                lock.unlock();
                hub.exchangeStatus();
                lock.lock();
                gossipCv.wait_for(lock, std::chrono::milliseconds(50), [&] { return gossipStop; });
            }
        });
        auto finish = [&] {
            {
                std::lock_guard lock(gossipMu);
                gossipStop = true;
            }
            gossipCv.notify_all();
            gossip.join();
            for (auto& v : vals)
                if (v) v->shutDown();
        };

        bool ok = true;
        for (std::size_t i = 0; i < kNodes && ok; ++i) ok = openValidator(i);
        if (ok)
            for (std::size_t i = 0; i < kNodes; ++i) vals[i]->start(peersOf(i));
        auto othersAtLeast = [&](std::size_t crashed, std::uint64_t h) {
            for (std::size_t j = 0; j < kNodes; ++j)
                if (j != crashed && heightOf(j) < h) return false;
            return true;
        };
        auto healthy = [&](std::size_t crashed) {
            for (std::size_t j = 0; j < kNodes; ++j)
                if (j != crashed)
                    if (auto f = fatalOf(j)) {
                        bad.push_back(context("validator " + std::to_string(j) + " halted: " + *f));
                        return false;
                    }
            return true;
        };

        const std::size_t x = static_cast<std::size_t>(rng.below(kNodes));
        if (ok && !hub.waitFor([&] { return othersAtLeast(kNodes, 2); }, std::chrono::seconds(60))) {
            bad.push_back(context("the network did not reach height 2"));
            ok = false;
        }
        ok = ok && healthy(kNodes);

        // The crash instant: within about two heights of the crashed node's operations.
        if (ok) {
            const std::uint64_t before = vals[x]->injector->operations();
            const std::uint64_t h0 = heightOf(x);
            if (!hub.waitFor([&] { return heightOf(x) >= h0 + 1; }, std::chrono::seconds(60))) {
                bad.push_back(context("validator " + std::to_string(x) + " stopped committing"));
                ok = false;
            } else {
                const std::uint64_t perHeight =
                    std::max<std::uint64_t>((vals[x]->injector->operations() - before) / (heightOf(x) - h0), 8);
                FaultPlan plan;
                plan.kind = FaultKind::PowerLoss;
                plan.stayAlive = true;
                // Two seeds in three aim at one file's operations, so a
                // short run hits all of them: WAL appends are most of a
                // validator's operations, block commits a few per height.
                switch (seed % 3) {
                    case 0:
                        plan.onlyMatching = "chain.db";  // block commit, LevelDB's log, tables, manifest
                        plan.atOp = 1 + rng.below(8);
                        break;
                    case 1:
                        plan.onlyMatching = "signer_state";  // write, sync, close, rename of the signer state
                        plan.atOp = 1 + rng.below(24);
                        break;
                    default:
                        plan.atOp = 1 + rng.below(2 * perHeight);  // any operation
                }
                plan.seed = rng.next();
                plan.beforeExit = [&hub, x](const std::string& op) { hub.cut(x, op); };
                vals[x]->injector->arm(plan);
                if (!hub.waitFor([&] { return hub.isCut(x); }, std::chrono::seconds(60))) {
                    bad.push_back(context("the power cut " + std::to_string(plan.atOp) +
                                          " operations after arming did not happen"));
                    ok = false;
                }
            }
        }
        std::uint64_t reopenedAt = 0;
        if (ok) {
            ++cuts;
            const std::string at = hub.cutAt(x);
            ++cutKinds[kindOf(at)];
            cutOps.push_back("seed " + std::to_string(seed) + ", validator " + std::to_string(x) + ": " + at);
            vals[x]->shutDown();
            std::vector<std::string> reopenBad;
            reopenedAt = checkReopened(*vals[x], reopenBad);
            for (auto& b : reopenBad)
                bad.push_back(context("validator " + std::to_string(x) + " (power lost before " + at + "): " + b));
            // The others go on without it until block sync is needed.
            if (!hub.waitFor([&] { return othersAtLeast(x, reopenedAt + kAheadThreshold + 2); },
                             std::chrono::seconds(60))) {
                bad.push_back(context("three validators did not go on committing"));
                ok = false;
            }
            ok = ok && healthy(x);
        }
        if (ok) {
            ok = openValidator(x);
            if (ok) vals[x]->start(peersOf(x));
        }
        if (ok) {
            std::uint64_t top = 0;
            for (std::size_t j = 0; j < kNodes; ++j)
                if (j != x) top = std::max(top, heightOf(j));
            const bool caughtUp = hub.waitFor(
                [&] {
                    std::lock_guard lock(records[x].mu);
                    return records[x].lastCommitted >= top + 2 && records[x].consensusCommits > 0;
                },
                std::chrono::seconds(60));
            std::lock_guard lock(records[x].mu);
            syncedBlocks += records[x].syncApplied;
            if (!caughtUp)
                bad.push_back(context("validator " + std::to_string(x) + " restarted at height " +
                                      std::to_string(reopenedAt) + " did not rejoin the network at " +
                                      std::to_string(top) + ": at " + std::to_string(records[x].lastCommitted) + ", " +
                                      std::to_string(records[x].syncApplied) + " blocks synced, " +
                                      std::to_string(records[x].consensusCommits) + " committed by consensus" +
                                      (records[x].fatal ? ", halted: " + *records[x].fatal : std::string())));
            else if (records[x].syncApplied == 0)
                bad.push_back(context("validator " + std::to_string(x) + " caught up without block sync"));
        }
        if (ok) {
            ok = healthy(kNodes);
            for (auto& v : vals) v->stop();
            checkAgreement(vals, bad);
        }
        finish();
        for (auto& v : hub.takeViolations()) bad.push_back(context(v));
        for (auto& b : bad) violations.push_back(std::move(b));
    }
    spdlog::set_level(previousLevel);

    std::ostringstream summary;
    summary << "power cuts " << cuts << " in " << seeds << " seeds (first " << firstSeed << "), blocks synced after "
            << "restarts " << syncedBlocks << "; cut before:";
    for (const auto& [kind, n] : cutKinds) summary << " " << kind << " " << n << ";";
    summary << " violations " << violations.size();
    for (const auto& v : violations) summary << "\n  " << v;
    std::ostringstream cutList;
    for (const auto& op : cutOps) cutList << "\n  cut before " << op;
    INFO("power cuts:" << cutList.str());
    INFO(summary.str());
    WARN(summary.str());
    CHECK(violations.empty());
    CHECK(cuts >= std::min<std::uint64_t>(points, 1));
}
