// Power loss and failing disks under the node's real commit path
// (docs/crash-consistency.md).
//
// A single validator runs as in agorad: Application on LevelDB, Mempool,
// ConsensusDriver on its Executor, FileWal and SignerStateFile, all on the
// FaultInjector's file layer. A forked child runs it; at a seeded operation
// the injector drops what a power cut would drop from the real files and the
// child _exits. The child reports on a pipe every commit (height, app hash,
// txs) and every signed message (position, digest) as it leaves the process.
// The parent then reopens the directory with a clean file layer and checks:
//
//  - the node opens: database, WAL and signer state all load;
//  - it is at height h or h + 1, h the last height reported committed;
//  - its app hash is the reference run's at that height;
//  - every tx reported committed is in the tx index at its height;
//  - the signer state forbids signing again any position already signed
//    (>= the last emitted position, with its digest when equal);
//  - no position was ever emitted with two digests, across crashes;
//  - every height was decided in round 0 (a restart that lost its WAL
//    position stalls or needs another round: the signer refuses the
//    engine's new proposal and votes at positions it already signed).
//
// Each seed crashes the node twice (the second time while it recovers) and
// then lets it run to the target height. AGORA_POWERLOSS_POINTS (default
// 200) is the number of power losses to inject; AGORA_POWERLOSS_SEED the
// first seed. A failing seed replays with AGORA_POWERLOSS_SEED=<seed>
// AGORA_POWERLOSS_POINTS=1 (LevelDB's background compaction may shift the
// numbering of a few operations between runs).
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <tuple>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/app/Application.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/consensus/Executor.h"
#include "node/consensus/FileWal.h"
#include "node/consensus/SignerStateFile.h"
#include "node/storage/NodeDatabase.h"
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

constexpr const char* kChainId = "powerloss";
constexpr std::uint64_t kTargetHeight = 6;
constexpr std::size_t kTxsPerBlock = 2;
constexpr std::uint8_t kValidatorKey = 10;
constexpr std::uint8_t kSenderKey = 1;

GenesisDoc genesis() {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = kChainId;
    d.genesis.params.minSelfStake = Amount(1'000'000);
    const auto val = test::testKey(kValidatorKey);
    d.genesis.validators.push_back(
        {Address::fromPublicKey(val.publicKey), val.publicKey, "v0", 0, Amount(1'000'000'000'000ULL)});
    d.genesis.accounts.push_back({Address::fromPublicKey(test::testKey(kSenderKey).publicKey), Amount(10'000'000'000)});
    return d;
}

// The txs of the run: one sender, consecutive nonces, so block h holds txs
// 2h-2 and 2h-1 whatever instant the node restarted at.
std::vector<Bytes> runTxs() {
    std::vector<Bytes> txs;
    for (std::uint64_t nonce = 0; nonce < kTargetHeight * kTxsPerBlock; ++nonce) {
        Tx tx;
        tx.chainId = kChainId;
        tx.nonce = nonce;
        tx.fee = Amount(1'000);
        tx.msgs = {MsgSend{Address::fromPublicKey(test::testKey(9).publicKey), Amount(100 + nonce)}};
        txs.push_back(test::signTx(test::testKey(kSenderKey), tx).bytes());
    }
    return txs;
}

struct Home {
    test::TempDir root{"powerloss"};
    std::filesystem::path data() const { return std::filesystem::path(root.path("data")); }
    std::string db() const { return (data() / "chain.db").string(); }
    std::filesystem::path wal() const { return data() / "consensus.wal"; }
    std::filesystem::path signer() const { return data() / "signer_state.json"; }
    std::filesystem::path stash() const { return std::filesystem::path(root.path("stash")); }
    Home() { std::filesystem::create_directories(data()); }
};

// ---- the child's reports -------------------------------------------------

enum class Report : std::uint8_t { Commit = 1, Signed = 2, Fatal = 3, PowerLoss = 4, Operations = 5 };

void writeAll(int fd, const Bytes& b) {
    std::size_t done = 0;
    while (done < b.size()) {
        const ssize_t n = ::write(fd, b.data() + done, b.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ::_exit(90);
        done += static_cast<std::size_t>(n);
    }
}

// Frame: kind u8 || body length u32 BE || body.
void report(int fd, Report kind, const Bytes& body) {
    Writer w;
    w.u8(static_cast<std::uint8_t>(kind));
    w.u32(static_cast<std::uint32_t>(body.size()));
    w.raw(body);
    writeAll(fd, w.take());
}

Bytes textBytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

// Signed messages leave the process here: the child reports each one.
class ReportingNetwork final : public ConsensusNetwork {
public:
    explicit ReportingNetwork(int fd) : fd_(fd) {}
    void broadcastProposal(const Proposal& p) override { emit(p.height, p.round, 1, p.signDigest(kChainId)); }
    void broadcastVote(const Vote& v) override {
        emit(v.height, v.round, v.type == VoteType::Prevote ? 2 : 3, v.signDigest(kChainId));
    }

private:
    void emit(std::uint64_t h, std::uint32_t r, std::uint8_t step, const Hash256& digest) {
        if (fd_ < 0) return;
        Writer w;
        w.u64(h);
        w.u32(r);
        w.u8(step);
        w.raw(digest.span());
        report(fd_, Report::Signed, w.take());
    }
    int fd_;
};

// One run of the validator on the injector's file layer until `target` is
// committed, a fatal error, or the deadline. Used by the forked child and,
// for disk errors, in-process.
struct RunResult {
    bool reachedTarget = false;
    std::optional<std::string> fatal;
    std::uint64_t operations = 0;
};

RunResult runValidator(const Home& home, FaultInjector& injector, int reportFd, std::uint64_t target) {
    RunResult result;
    DatabaseOptions dbo;
    dbo.env = injector.env();
    dbo.blockCacheBytes = std::size_t{1} << 20;
    dbo.writeBufferBytes = std::size_t{64} << 10;  // small: memtable switches and compactions happen
    auto db = openNodeDatabase(home.db(), dbo);
    if (!db) {
        result.fatal = "database: " + db.error().message();
        return result;
    }
    auto sigCache = std::make_shared<SignatureCache>();
    Application::Options ao;
    ao.maxBlockTxs = kTxsPerBlock;
    auto app = Application::open(genesis(), *db, ao, sigCache);
    if (!app) {
        result.fatal = "application: " + app.error();
        return result;
    }
    Mempool mempool(MempoolLimits{}, sigCache);
    auto wal = FileWal::open(home.wal(), injector.fs());
    if (!wal) {
        result.fatal = wal.error();
        return result;
    }
    SignerStateFile signer(home.signer(), injector.fs());
    auto key = wallet::SecretKey::fromBytes(test::testKey(kValidatorKey).secret);
    ReportingNetwork network(reportFd);
    Executor executor("consensus");
    DriverOptions dopt;
    dopt.timeoutCommitMs = 1;
    dopt.maxBlockTxs = kTxsPerBlock;

    std::mutex mu;
    std::condition_variable cv;
    bool done = (*app)->lastHeight() >= target;
    std::optional<std::string> fatal;
    Application& application = **app;
    // Before the first block the genesis balances are not in the ledger view
    // yet: the txs are offered again after every commit (the ones committed
    // or pending are refused), before the next height starts.
    const std::vector<Bytes> txs = runTxs();
    auto offerTxs = [&] {
        for (const auto& tx : txs) mempool.add(tx, *application.ledgerView());
    };
    ConsensusDriver driver(
        application, mempool, std::move(*key), signer, std::move(wal->first), std::move(wal->second.entries), network,
        executor, dopt,
        [&](const CommitOutcome& o) {
            mempool.update(o.txHashes, *application.ledgerView());
            offerTxs();
            if (reportFd >= 0) {
                Writer w;
                w.u64(o.height);
                w.raw(o.appHash.span());
                w.u32(static_cast<std::uint32_t>(o.txHashes.size()));
                for (const auto& h : o.txHashes) w.raw(h.span());
                report(reportFd, Report::Commit, w.take());
            }
            if (o.height >= target) {
                std::lock_guard lock(mu);
                done = true;
                cv.notify_all();
            }
        },
        [&](const std::string& error) {
            std::lock_guard lock(mu);
            fatal = error;
            cv.notify_all();
        });
    offerTxs();
    executor.start();
    if (!done) {
        if (auto ok = driver.start(); !ok) {
            std::lock_guard lock(mu);
            fatal = "start: " + ok.error();
        }
    }
    {
        std::unique_lock lock(mu);
        // A sound run takes about a second; one that lost its WAL position stalls.
        cv.wait_until(lock, std::chrono::steady_clock::now() + std::chrono::seconds(30),
                      [&] { return done || fatal.has_value(); });
        result.reachedTarget = done;
        result.fatal = fatal;
    }
    if (!result.reachedTarget && !result.fatal) {
        const auto st = driver.status();
        result.fatal = "stalled at height " + std::to_string(st.height) + " round " + std::to_string(st.round) +
                       " step " + std::to_string(st.step) + " for 30 s";
    }
    driver.stop();
    executor.stop();
    result.operations = injector.operations();
    return result;
}

[[noreturn]] void childMain(const Home& home, FaultPlan plan, int fd, std::uint64_t target) {
    plan.beforeExit = [fd](const std::string& op) { report(fd, Report::PowerLoss, textBytes(op)); };
    spdlog::set_level(spdlog::level::warn);  // hundreds of runs: only what goes wrong
    RunResult r;
    {
        FaultInjector injector(home.stash(), plan);
        r = runValidator(home, injector, fd, target);
    }
    if (r.fatal) report(fd, Report::Fatal, textBytes(*r.fatal));
    Writer w;
    w.u64(r.operations);
    report(fd, Report::Operations, w.take());
    ::_exit(r.reachedTarget ? 0 : 3);
}

// ---- the parent's view ---------------------------------------------------

using Position = std::tuple<std::uint64_t, std::uint32_t, std::uint8_t>;

struct Observed {
    std::uint64_t lastCommitted = 0;
    std::map<Hash256, std::uint64_t> txs;        // committed tx -> height
    std::map<Position, Hash256> signedMessages;  // everything that ever left a child
    std::vector<std::string> violations;
};

struct ChildOutcome {
    int exitCode = -1;
    bool powerLost = false;
    std::string lostAt;
    std::optional<std::string> fatal;
    std::uint64_t operations = 0;
    std::map<std::uint64_t, Hash256> appHashes;  // commits reported in this run
};

bool readExact(int fd, std::uint8_t* p, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        got += static_cast<std::size_t>(r);
    }
    return true;
}

ChildOutcome runChild(const Home& home, const FaultPlan& plan, std::uint64_t target, Observed& seen) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::fflush(nullptr);  // or the child would write the parent's buffered output again
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        childMain(home, plan, fds[1], target);
    }
    ::close(fds[1]);
    ChildOutcome out;
    for (;;) {
        std::uint8_t head[5];
        if (!readExact(fds[0], head, 5)) break;
        const auto kind = static_cast<Report>(head[0]);
        const std::uint32_t len =
            (std::uint32_t{head[1]} << 24) | (std::uint32_t{head[2]} << 16) | (std::uint32_t{head[3]} << 8) | head[4];
        Bytes body(len);
        if (!readExact(fds[0], body.data(), len)) break;
        Reader b(body);
        switch (kind) {
            case Report::Commit: {
                const std::uint64_t h = b.u64();
                const Hash256 appHash = Hash256(b.fixed<32>());
                out.appHashes[h] = appHash;
                seen.lastCommitted = std::max(seen.lastCommitted, h);
                for (std::uint32_t i = 0, n = b.u32(); i < n; ++i) seen.txs[Hash256(b.fixed<32>())] = h;
                break;
            }
            case Report::Signed: {
                const std::uint64_t h = b.u64();
                const std::uint32_t round = b.u32();
                const Position pos{h, round, b.u8()};
                const Hash256 digest = Hash256(b.fixed<32>());
                auto [it, fresh] = seen.signedMessages.emplace(pos, digest);
                if (!fresh && it->second != digest)
                    seen.violations.push_back("double sign at height " + std::to_string(std::get<0>(pos)) + " round " +
                                              std::to_string(std::get<1>(pos)) + " step " +
                                              std::to_string(std::get<2>(pos)));
                break;
            }
            case Report::Fatal:
                out.fatal = std::string(body.begin(), body.end());
                break;
            case Report::PowerLoss:
                out.powerLost = true;
                out.lostAt = std::string(body.begin(), body.end());
                break;
            case Report::Operations:
                out.operations = b.u64();
                break;
        }
    }
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    out.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return out;
}

// The node as agorad would reopen it after the power came back: a clean file
// layer (no faults), the same open calls. Records every broken invariant.
void checkReopened(const Home& home, const std::map<std::uint64_t, Hash256>& reference, Observed& seen,
                   const std::string& context) {
    auto bad = [&](const std::string& what) { seen.violations.push_back(context + ": " + what); };
    FaultInjector clean(home.stash(), FaultPlan{});
    DatabaseOptions dbo;
    dbo.env = clean.env();
    {
        auto db = openNodeDatabase(home.db(), dbo);
        if (!db) return bad("database does not open: " + db.error().message());
        auto app = Application::open(genesis(), *db, Application::Options{}, std::make_shared<SignatureCache>());
        if (!app) return bad("application does not open: " + app.error());
        const std::uint64_t at = (*app)->lastHeight();
        if (at != seen.lastCommitted && at != seen.lastCommitted + 1)
            bad("at height " + std::to_string(at) + " after height " + std::to_string(seen.lastCommitted) +
                " was reported committed");
        if (at > 0) {
            auto ref = reference.find(at);
            if (ref == reference.end())
                bad("no reference app hash at height " + std::to_string(at));
            else if ((*app)->lastAppHash() != ref->second)
                bad("app hash at height " + std::to_string(at) + " differs from the reference run");
        }
        for (const auto& [hash, height] : seen.txs) {
            auto where = (*app)->blocks().txLocation(hash);
            if (!where || where->height != height)
                bad("committed tx " + hash.toHex().substr(0, 16) + " of height " + std::to_string(height) + " is lost");
        }
        // A lone validator whose WAL keeps its inputs decides every height in
        // round 0, restarts included: a later round means a restart lost
        // its position and the engine asked for a proposal or vote it had
        // already signed differently (refused by the signer).
        for (std::uint64_t h = 1; h <= at; ++h) {
            auto cert = (*app)->blocks().commit(h);
            if (!cert)
                bad("no commit certificate at height " + std::to_string(h));
            else if (cert->round != 0)
                bad("height " + std::to_string(h) + " decided in round " + std::to_string(cert->round));
        }
        seen.lastCommitted = std::max(seen.lastCommitted, at);
    }
    auto wal = FileWal::open(home.wal());
    if (!wal) bad("WAL does not open: " + wal.error());
    auto state = SignerStateFile(home.signer()).load();
    if (!state) return bad("signer state does not load: " + state.error());
    if (!seen.signedMessages.empty()) {
        const auto& [pos, digest] = *seen.signedMessages.rbegin();
        const Position persisted{state->height, state->round, state->step};
        if (persisted < pos || (persisted == pos && state->digest != digest))
            bad("signer state (" + std::to_string(state->height) + "/" + std::to_string(state->round) + "/" +
                std::to_string(state->step) + ") would sign again at " + std::to_string(std::get<0>(pos)) + "/" +
                std::to_string(std::get<1>(pos)) + "/" + std::to_string(std::get<2>(pos)) +
                ", which already left the process");
    }
}

std::uint64_t envNumber(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Reference {
    std::map<std::uint64_t, Hash256> appHashes;
    std::uint64_t operations = 0;
};

// A run without faults: the app hash of every height and the number of file
// operations a run from genesis takes.
Reference referenceRun() {
    Home home;
    Observed seen;
    const auto out = runChild(home, FaultPlan{}, kTargetHeight, seen);
    INFO("reference run: exit " << out.exitCode << " " << out.fatal.value_or(""));
    REQUIRE(out.exitCode == 0);
    REQUIRE(out.appHashes.size() == kTargetHeight);
    return Reference{out.appHashes, out.operations};
}

}  // namespace

TEST_CASE(
    "after a power loss at any instant of commit, WAL append or signer-state persist the node reopens at h or h+1 "
    "with that height's app hash, no committed tx lost and no signature it could repeat differently",
    "[powerloss]") {
    const Reference ref = referenceRun();
    const std::uint64_t points = envNumber("AGORA_POWERLOSS_POINTS", 200);
    const std::uint64_t firstSeed = envNumber("AGORA_POWERLOSS_SEED", 1);
    INFO("reference run: " << ref.operations << " file operations to height " << kTargetHeight);

    std::uint64_t lost = 0, seeds = 0, recoveries = 0;
    std::vector<std::string> violations;
    for (std::uint64_t seed = firstSeed; lost < points; ++seed, ++seeds) {
        test::TestRng rng(seed);
        Home home;
        Observed seen;
        for (int crash = 0; crash < 2 && lost < points; ++crash) {
            FaultPlan plan;
            plan.kind = FaultKind::PowerLoss;
            plan.atOp = 1 + rng.below(ref.operations);
            plan.seed = rng.next();
            const auto out = runChild(home, plan, kTargetHeight, seen);
            const std::string context =
                "seed " + std::to_string(seed) + " crash " + std::to_string(crash) +
                (out.powerLost ? " (power lost before " + out.lostAt + ")" : " (the run ended before the crash point)");
            for (const auto& [h, appHash] : out.appHashes)
                if (ref.appHashes.at(h) != appHash) seen.violations.push_back(context + ": committed app hash differs");
            if (out.powerLost) {
                ++lost;
            } else if (out.exitCode != 0) {
                seen.violations.push_back(context + ": run failed, exit " + std::to_string(out.exitCode) + " " +
                                          out.fatal.value_or(""));
            }
            checkReopened(home, ref.appHashes, seen, context);
        }
        // Power back for good: the node must finish the chain from wherever it is.
        const auto out = runChild(home, FaultPlan{}, kTargetHeight, seen);
        ++recoveries;
        const std::string context = "seed " + std::to_string(seed) + " final run";
        if (out.exitCode != 0)
            seen.violations.push_back(context + ": did not reach height " + std::to_string(kTargetHeight) + ", exit " +
                                      std::to_string(out.exitCode) + " " + out.fatal.value_or(""));
        for (const auto& [h, appHash] : out.appHashes)
            if (ref.appHashes.at(h) != appHash) seen.violations.push_back(context + ": committed app hash differs");
        checkReopened(home, ref.appHashes, seen, context);
        if (seen.lastCommitted != kTargetHeight) seen.violations.push_back(context + ": not at the target height");
        for (auto& v : seen.violations) violations.push_back(std::move(v));
        if (violations.size() > 20) break;
    }
    std::ostringstream summary;
    summary << "power losses " << lost << ", seeds " << seeds << " (first " << firstSeed << "), recoveries "
            << recoveries << ", violations " << violations.size();
    for (const auto& v : violations) summary << "\n  " << v;
    INFO(summary.str());
    WARN(summary.str());
    CHECK(violations.empty());
    CHECK(lost >= std::min<std::uint64_t>(points, 1));
}

TEST_CASE("a write or fsync failing with EIO or ENOSPC halts the node with a fatal log line and nothing after it",
          "[powerloss][diskerror]") {
    const Reference ref = referenceRun();
    std::ostringstream logText;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logText);
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("powerloss-test", sink));

    test::TestRng rng(envNumber("AGORA_POWERLOSS_SEED", 1));
    const int cases = 16;
    std::ostringstream summary;
    for (int i = 0; i < cases; ++i) {
        FaultPlan plan;
        plan.kind = i % 2 == 0 ? FaultKind::FailSync : FaultKind::FailWrite;
        plan.errnum = (i / 2) % 2 == 0 ? EIO : ENOSPC;
        plan.atOp = 1 + rng.below(ref.operations);
        Home home;
        std::string fatal;
        std::optional<std::string> injected;
        std::vector<std::string> after;
        {
            FaultInjector injector(home.stash(), plan);
            // Far beyond the reference run: the node stops only on the failure.
            const RunResult r = runValidator(home, injector, -1, 1'000'000);
            fatal = r.fatal.value_or("");
            injected = injector.injected();
            after = injector.writesAfterFailure();
        }
        INFO("case " << i << ": " << (plan.kind == FaultKind::FailSync ? "sync" : "write") << " failing with "
                     << std::strerror(plan.errnum) << " from operation " << plan.atOp
                     << "; injected: " << injected.value_or("none") << "; fatal: " << fatal);
        REQUIRE(injected.has_value());
        summary << "\n  " << *injected << "\n    -> " << fatal;
        CHECK(fatal.find(std::strerror(plan.errnum)) != std::string::npos);
        // Nothing of the node's own files is written after the failure.
        for (const auto& op : after) {
            INFO("after the failure: " << op);
            CHECK(op.find("consensus.wal") == std::string::npos);
            CHECK(op.find("signer_state") == std::string::npos);
            CHECK(op.find(".log") == std::string::npos);
        }
    }
    spdlog::set_default_logger(previous);
    WARN("injected failures and the node's fatal errors:" << summary.str());
    const std::string log = logText.str();
    CHECK(log.find("consensus halted:") != std::string::npos);
}
