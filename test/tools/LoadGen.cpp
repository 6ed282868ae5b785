// agora-loadgen: throughput and commit latency of a real agorad under load
// (docs/performance.md, "Load generator").
//
//   agora-loadgen --agorad PATH [--quick | --smoke] [--workloads transfers,market,mixed]
//                 [--accounts 1000] [--clients 100] [--providers 10] [--transfers N]
//                 [--lifecycles N] [--streams 8] [--window 4000] [--batch 100] [--block-txs 10000]
//                 [--timeout-commit-ms 100]
//                 [--shape per-account-window,lifecycle-workers] [--shape-accounts 50]
//                 [--shape-window 1] [--shape-txs 100] [--shape-workers 39]
//                 [--shape-lifecycles 10]
//                 [--validators 1|4] [--sync] [--keep DIR]
//
// It prepares a genesis funding deterministic keys (`agorad init --fund` for
// one validator; `agorad testnet init-files` plus the same accounts written
// into the shared genesis for N validators), starts agorad (N processes,
// each on free loopback ports, persistent peers to the others) and for every
// workload:
//   1. pre-signs every tx of a run before its clock starts;
//   2. submits them through TxService.BroadcastBatchStream (up to --batch txs
//      per message: the txs that are due when the previous message went out;
//      --batch 1 uses BroadcastStream, one tx per message) on several streams
//      at once, stream k to node k mod N (each account on one stream and so on
//      one node, so its nonces arrive in order),
//      closed loop (a bounded number of uncommitted txs: saturation) and then
//      open loop at half the saturation rate;
//   3. takes each tx's commit time from node 0's EventService.Subscribe
//      stream (the tx_fee event every applied tx emits), never by polling;
//   4. checks that the loadgen accounts' money is conserved (balances before
//      minus fees charged = balances after, via QueryService) and reports
//      every node's peak RSS (VmHWM from /proc, reset per workload); with
//      N > 1, app_hash_agree: every node reports the same block id and
//      app_hash at one common height after the workload.
// --sync then starts a fresh full node (`agorad init --full-node`, the
// chain's genesis, the validators as persistent peers) and times its block
// sync over p2p up to the validators' height (JSON line "bench":"sync").
// After the nodes stop, the full ledger invariants (contracts/Invariants.h)
// are checked on every validator's final state. One JSON line per workload,
// then a table.
//
// Marketplace lifecycles need ids the chain assigns (job, bid, lease), so a
// lifecycle runs as four timed phases (job_create, bid_place, bid_accept,
// lease_close+lease_settle in one tx); each phase's txs are signed from the
// ids the previous phase's events returned, before that phase's clock
// starts. lifecycles/s = lifecycles / (sum of the four phase times).
//
// --shape adds closed-loop client workloads after those (issue 21), where
// each client waits for its own commits as a wallet or a marketplace client
// does, so latency, not the node's capacity, sets the rate:
//   per-account-window  --shape-accounts N accounts, each keeping
//                       --shape-window W transfers in flight: it sends the
//                       next one (Broadcast, sync mode) once the oldest one's
//                       tx_fee event arrived; --shape-txs each.
//   lifecycle-workers   --shape-workers K workers, each with its own client
//                       and provider account, running --shape-lifecycles
//                       lifecycles of four sequential txs (job_create,
//                       bid_place, bid_accept, lease_close+lease_settle), each
//                       sent in commit mode (Broadcast returns the committed
//                       result and its events: the next tx needs the id).
// Their rows are "closed" in the table.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <unistd.h>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "agora/events/v1/events.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "consensus/core/Limits.h"
#include "consensus/state/Sandbox.h"
#include "contracts/Bank.h"
#include "contracts/Invariants.h"
#include "contracts/Keys.h"
#include "node/base/NodeId.h"
#include "node/chain/BlockStore.h"
#include "node/config/NodeConfig.h"
#include "node/daemon/HomeLayout.h"
#include "node/daemon/PlainKeyFile.h"
#include "node/genesis/GenesisFile.h"
#include "node/storage/LevelDbStateStore.h"
#include "node/storage/NodeDatabase.h"
#include "support/ChildProcess.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"
#include "wallet/AtomicFile.h"

using namespace agora;
using namespace std::chrono_literals;
namespace q = agora::query::v1;
namespace txpb = agora::tx::v1;
namespace ev = agora::events::v1;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

namespace {

constexpr const char* kChain = "loadgen";
constexpr std::uint64_t kFunding = 1'000'000'000'000;  // uagr per account
constexpr std::uint64_t kFee = 2'000;

// ---------------------------------------------------------------- keys

// Deterministic key `index` of a role: secret = SHA-256("agora-loadgen/ROLE/INDEX").
test::TestKey derivedKey(const std::string& role, std::size_t index) {
    const std::string seed = "agora-loadgen/" + role + "/" + std::to_string(index);
    const Hash256 h = sha256(ByteSpan(reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size()));
    test::TestKey k;
    k.secret = h.bytes();
    secp256k1_keypair kp;
    if (!secp256k1_keypair_create(test::testSecpContext(), &kp, k.secret.data())) throw std::runtime_error("key");
    secp256k1_xonly_pubkey xonly;
    if (!secp256k1_keypair_xonly_pub(test::testSecpContext(), &xonly, nullptr, &kp)) throw std::runtime_error("xonly");
    std::array<std::uint8_t, 32> out{};
    secp256k1_xonly_pubkey_serialize(test::testSecpContext(), out.data(), &xonly);
    k.publicKey = PublicKey(out);
    return k;
}

struct Account {
    test::TestKey key;
    Address address;
    std::uint64_t nextNonce = 0;
};

// ---------------------------------------------------------------- txs in flight

struct HashKey {
    std::size_t operator()(const Hash256& h) const {
        std::size_t v = 0;
        std::memcpy(&v, h.bytes().data(), sizeof v);
        return v;
    }
};

struct TxRecord {
    std::string raw;  // canonical SignedTx bytes
    Hash256 hash;
    std::size_t account = 0;  // index into the loadgen's account table
    std::size_t order = 0;    // position in the run's global submission order
    Clock::time_point sent;
    Clock::time_point committed;
    bool done = false;
    bool ok = false;  // committed (or admission failed: ok=false)
    std::uint32_t admitCode = 0;
    std::uint64_t height = 0;
    std::uint64_t fee = 0;
    std::uint64_t createdId = 0;  // job/bid/lease id from the tx's event
    bool settled = false;
    // Closed-loop shapes: the sender's own wake-up, notified (under the
    // tracker's lock) when this tx is committed or refused.
    std::condition_variable* waiter = nullptr;
};

// Commit notifications from the node's event stream, matched to records by tx hash.
class CommitTracker {
public:
    void watch(std::vector<TxRecord>& txs) {
        std::lock_guard lock(mu_);
        pending_.clear();  // late events of an earlier run are ignored
        for (auto& t : txs) pending_[t.hash] = &t;
        outstanding_ = 0;
    }
    void sent() {
        std::lock_guard lock(mu_);
        ++outstanding_;
    }
    void rejected(TxRecord& t, std::uint32_t code) {
        std::lock_guard lock(mu_);
        if (t.done) return;
        t.done = true;
        t.admitCode = code;
        pending_.erase(t.hash);
        --outstanding_;
        ++finished_;
        if (t.waiter) t.waiter->notify_all();
        cv_.notify_all();
    }
    void onEvent(const agora::types::v1::Event& e, Clock::time_point now) {
        if (e.tx_hash().size() != 32) return;
        auto h = Hash256::fromSpan(ByteSpan(reinterpret_cast<const std::uint8_t*>(e.tx_hash().data()), 32));
        std::lock_guard lock(mu_);
        const auto it = byHash_(h);
        if (it == nullptr) return;
        TxRecord& t = *it;
        auto attr = [&](const std::string& key) -> std::uint64_t {
            for (const auto& a : e.attributes())
                if (a.key() == key) return std::stoull(a.value());
            return 0;
        };
        if (e.type() == "tx_fee") {
            if (t.done) return;
            t.done = true;
            t.ok = true;
            t.committed = now;
            t.height = e.height();
            t.fee = attr("fee");
            --outstanding_;
            ++finished_;
            if (t.waiter) t.waiter->notify_all();
            cv_.notify_all();
        } else if (e.type() == "job_created") {
            t.createdId = attr("job_id");
        } else if (e.type() == "bid_placed") {
            t.createdId = attr("bid_id");
        } else if (e.type() == "lease_created") {
            t.createdId = attr("lease_id");
        } else if (e.type() == "lease_settled") {
            t.settled = true;
        }
        cv_.notify_all();
    }
    // A tx's tx_fee event comes first, its message events after it (possibly
    // in a later read): waits until pred holds, reading records under the lock.
    bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, pred);
    }
    // Blocks while `window` or more txs are sent and neither committed nor refused.
    void waitBelow(std::size_t window) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return outstanding_ < static_cast<std::int64_t>(window); });
    }
    bool below(std::size_t window) {
        std::lock_guard lock(mu_);
        return outstanding_ < static_cast<std::int64_t>(window);
    }
    // Waits on the sender's own condition variable (t.waiter) until t is
    // committed or refused; false at the timeout.
    bool waitDone(const TxRecord& t, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mu_);
        return t.waiter->wait_for(lock, timeout, [&] { return t.done; });
    }
    bool waitFinished(std::size_t count, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, [&] { return finished_ >= count; });
    }
    void reset() {
        std::lock_guard lock(mu_);
        finished_ = 0;
        outstanding_ = 0;
    }

private:
    TxRecord* byHash_(const std::optional<Hash256>& h) {
        if (!h) return nullptr;
        auto it = pending_.find(*h);
        return it == pending_.end() ? nullptr : it->second;
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::unordered_map<Hash256, TxRecord*, HashKey> pending_;
    std::int64_t outstanding_ = 0;
    std::size_t finished_ = 0;
};

// ---------------------------------------------------------------- node process

struct Options {
    std::string agorad;
    std::vector<std::string> workloads{"transfers", "market", "mixed"};
    std::size_t accounts = 1000, clients = 100, providers = 10;
    std::size_t transfers = 60'000, lifecycles = 3'000;
    std::size_t streams = 8;
    std::size_t window = 4'000;  // closed loop: txs sent but not yet committed
    std::size_t batch = 100;     // txs per BroadcastBatchStream message; 1 = BroadcastStream
    std::uint32_t blockTxs = 10'000;
    std::uint32_t timeoutCommitMs = 100;
    std::size_t validators = 1;
    bool sync = false;  // time a fresh full node's block sync after the workloads
    bool halfLoad = true;
    std::string keep;
    std::string perfOut;  // record a perf profile of the node during the first saturation run
    // Closed-loop shapes (--shape): per-account-window and lifecycle-workers.
    std::size_t shapeAccounts = 50, shapeWindow = 1, shapeTxs = 100;
    std::size_t shapeWorkers = 39, shapeLifecycles = 10;
    bool wants(const std::string& workload) const {
        return std::find(workloads.begin(), workloads.end(), workload) != workloads.end();
    }
};

std::uint64_t readProcKb(int pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
    }
    return 0;
}

// User + system CPU seconds a process has used (/proc/PID/stat fields 14, 15).
double cpuSeconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');  // comm may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

void resetPeakRss(int pid) {
    std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
    out << "5";  // resets VmHWM to the current RSS (proc(5))
}

// ChildProcess does not expose its pid; read it from the process tree instead
// of changing the shared test helper: the child of this process whose command
// line names `home`.
int findChildPid(const std::string& home) {
    const int self = ::getpid();
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string pid, comm, state;
        int ppid = 0;
        if (!(stat >> pid >> comm >> state >> ppid)) continue;
        if (ppid != self) continue;
        std::ifstream cmd(entry.path() / "cmdline");
        std::string arg;
        while (std::getline(cmd, arg, '\0'))
            if (arg == home) return std::stoi(pid);
    }
    return -1;
}

std::string hexOf(const std::string& bytes) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(d[c >> 4]);
        out.push_back(d[c & 15]);
    }
    return out;
}

// One agorad process: its home, ports and client channel.
struct NodeProc {
    std::string name;
    std::string home;
    std::string nodeId;
    int grpcPort = 0;
    int p2pPort = 0;
    int pid = -1;
    std::unique_ptr<test::ChildProcess> process;
    std::shared_ptr<grpc::Channel> channel;
    std::string log;
};

// What one timed run measured.
struct RunStats {
    std::size_t submitted = 0, committed = 0, refused = 0, lost = 0;
    double seconds = 0;  // first submission to last commit
    std::vector<double> latMs;
    std::uint64_t blocks = 0;
    std::map<std::uint32_t, std::size_t> refusedCodes;
};

class Bench {
public:
    explicit Bench(Options o) : opt_(std::move(o)), dir_("loadgen") {}

    int run();

private:
    // --- setup
    void makeAccounts();
    bool startNode();
    bool prepareSingle();
    bool prepareNetwork();
    void writeConfig(NodeProc& n, const std::vector<std::string>& peers, bool validator);
    bool launch(NodeProc& n);
    std::shared_ptr<grpc::Channel> channelTo(int port);
    bool stopNode();
    std::uint64_t height();
    static std::optional<q::StatusResponse> status(const std::shared_ptr<grpc::Channel>& ch);
    static std::optional<q::BlockResponse> blockAt(const std::shared_ptr<grpc::Channel>& ch, std::uint64_t h);
    Json agreement(const std::vector<std::shared_ptr<grpc::Channel>>& channels, std::uint64_t h);
    Json appHashAgreement();
    Json runSync();
    void refreshNonces();
    std::map<std::string, std::uint64_t> balances();
    std::uint64_t burnedTotal();

    // --- tx building
    TxRecord sign(std::size_t account, std::vector<Msg> msgs);
    std::vector<TxRecord> transfers(std::size_t count);
    static void interleave(std::vector<TxRecord>& txs);

    // --- running
    RunStats runPhase(std::vector<TxRecord>& txs, std::optional<double> rate);
    RunStats collect(std::vector<TxRecord>& txs, Clock::time_point t0, std::uint64_t h0);
    void eventLoop();
    Json runAccountWindow();
    Json runLifecycleWorkers();

    Json runTransfers(std::optional<double> rate, double* measured);
    Json runMarket(std::size_t lifecycles, std::size_t transfersPerPhaseFactor,
                   std::optional<std::vector<double>> rates, std::vector<double>* measured);
    Json workload(const std::string& name);
    bool registerProviders(std::size_t base, std::size_t count);
    std::string txFailure(const Hash256& hash);

    Options opt_;
    test::TempDir dir_;
    std::string home_;                        // node 0's home
    std::vector<NodeProc> nodes_;             // the validators; node 0 serves events and queries
    std::shared_ptr<grpc::Channel> channel_;  // node 0
    std::vector<Account> accounts_;           // transfer senders, then clients, then providers
    std::size_t clientBase_ = 0, providerBase_ = 0;
    std::size_t workerClientBase_ = 0, workerProviderBase_ = 0;  // lifecycle-workers' own accounts
    CommitTracker tracker_;
    std::thread events_;
    std::unique_ptr<grpc::ClientContext> eventsCtx_;
    std::atomic<bool> eventsLive_{false};
    std::uint64_t fees_ = 0;  // fees charged to loadgen accounts in the current workload
};

void Bench::makeAccounts() {
    auto add = [&](const std::string& role, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            Account a;
            a.key = derivedKey(role, i);
            a.address = Address::fromPublicKey(a.key.publicKey);
            accounts_.push_back(std::move(a));
        }
    };
    add("account", opt_.accounts);
    clientBase_ = accounts_.size();
    add("client", opt_.clients);
    providerBase_ = accounts_.size();
    add("provider", opt_.providers);
    const std::size_t workers = opt_.wants("lifecycle-workers") ? opt_.shapeWorkers : 0;
    workerClientBase_ = accounts_.size();
    add("worker-client", workers);
    workerProviderBase_ = accounts_.size();
    add("worker-provider", workers);
}

std::shared_ptr<grpc::Channel> Bench::channelTo(int port) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    // Own subchannel per node: gRPC shares subchannels per address process-wide.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args);
}

// Bench settings in the node's config.toml: free loopback ports, large
// mempool and blocks, short consensus timeouts (the defaults cap a block at
// 5,000 txs and pause 500 ms after each commit).
void Bench::writeConfig(NodeProc& n, const std::vector<std::string>& peers, bool validator) {
    auto loaded = node::NodeConfig::load(node::HomeLayout(n.home).configFile());
    node::NodeConfig cfg = loaded ? *loaded : node::NodeConfig{};
    cfg.moniker = n.name;
    n.grpcPort = n.grpcPort != 0 ? n.grpcPort : test::freePort();
    n.p2pPort = n.p2pPort != 0 ? n.p2pPort : test::freePort();
    cfg.grpc.address = "127.0.0.1:" + std::to_string(n.grpcPort);
    cfg.grpc.maxStreamsPerClient = 64;
    cfg.grpc.maxRecvBytes = 64 * 1024 * 1024;
    cfg.http.enabled = false;
    cfg.p2p.listenAddress = "127.0.0.1:" + std::to_string(n.p2pPort);
    cfg.p2p.persistentPeers = peers;
    cfg.p2p.peerExchange = false;  // loopback only, every peer is persistent
    cfg.p2p.maxMessageBytes = 64 * 1024 * 1024;
    cfg.p2p.sendQueueMax = 200'000;  // tx gossip of a whole window must not be dropped
    cfg.p2p.sendQueueMaxBytes = 1ULL << 30;
    cfg.p2p.recvRateBytesPerSec = 0;  // a benchmark measures the node, not the peer limits
    cfg.p2p.recvRateMessagesPerSec = 0;
    auto& c = cfg.consensus;
    c.timeoutCommitMs = opt_.timeoutCommitMs;
    if (opt_.validators > 1 || !validator) {
        // Large blocks travel and execute on a loaded machine: a propose
        // timeout shorter than that only adds rounds.
        c.timeoutProposeMs = 1'500;
        c.timeoutProposeDeltaMs = 250;
        c.timeoutPrevoteMs = 300;
        c.timeoutPrevoteDeltaMs = 100;
        c.timeoutPrecommitMs = 300;
        c.timeoutPrecommitDeltaMs = 100;
    }
    cfg.mempool.maxTxs = 200'000;
    cfg.mempool.maxBytes = 512ULL * 1024 * 1024;
    cfg.mempool.maxTxsPerAccount = 100'000;
    cfg.mempool.maxBlockTxs = opt_.blockTxs;
    cfg.mempool.maxBlockBytes = limits::kBlockTxBytesMax;  // the most the size budget allows
    cfg.log.level = "warn";
    if (!wallet::writeFileAtomic(node::HomeLayout(n.home).configFile(), cfg.toToml(), wallet::WriteMode::Replace))
        throw std::runtime_error("cannot write " + node::HomeLayout(n.home).configFile().string());
}

bool Bench::launch(NodeProc& n) {
    n.log = dir_.path(n.name + ".log");
    n.process =
        std::make_unique<test::ChildProcess>(std::vector<std::string>{opt_.agorad, "--home", n.home, "start"}, n.log);
    n.channel = channelTo(n.grpcPort);
    return true;
}

bool Bench::prepareSingle() {
    NodeProc n;
    n.name = "val0";
    n.home = dir_.path("home");
    std::vector<std::string> init{opt_.agorad, "--home", n.home, "init", "val0", "--chain-id", kChain};
    for (const auto& a : accounts_) {
        init.push_back("--fund");
        init.push_back(a.address.toBech32() + "=" + std::to_string(kFunding));
    }
    if (test::runToExit(init, dir_.path("init.log")) != 0) {
        std::cerr << "agorad init failed:\n" << std::ifstream(dir_.path("init.log")).rdbuf() << "\n";
        return false;
    }
    auto key = node::loadKeyFile(node::HomeLayout(n.home).nodeKeyFile());
    if (key) n.nodeId = node::nodeIdOf(key->publicKey());
    writeConfig(n, {}, true);
    nodes_.push_back(std::move(n));
    return true;
}

// N validator homes from `agorad testnet init-files`, the loadgen's accounts
// added to their shared genesis, each config rewritten for the bench.
bool Bench::prepareNetwork() {
    const std::string out = dir_.path("net");
    const std::vector<std::string> args{
        opt_.agorad, "testnet", "init-files", "--validators", std::to_string(opt_.validators),
        "--output",  out,       "--chain-id", kChain,         "--demo-accounts",
        "0"};
    if (test::runToExit(args, dir_.path("init.log")) != 0) {
        std::cerr << "agorad testnet init-files failed:\n" << std::ifstream(dir_.path("init.log")).rdbuf() << "\n";
        return false;
    }
    auto genesis = node::GenesisDoc::load(out + "/node0/config/genesis.json");
    if (!genesis) {
        std::cerr << "genesis: " << genesis.error() << "\n";
        return false;
    }
    for (const auto& a : accounts_) genesis->genesis.accounts.push_back({a.address, Amount(kFunding)});
    const std::string text = genesis->prettyJson();
    for (std::size_t i = 0; i < opt_.validators; ++i) {
        NodeProc n;
        n.name = "val" + std::to_string(i);
        n.home = out + "/node" + std::to_string(i);
        auto key = node::loadKeyFile(node::HomeLayout(n.home).nodeKeyFile());
        if (!key) {
            std::cerr << "node key: " << key.error() << "\n";
            return false;
        }
        n.nodeId = node::nodeIdOf(key->publicKey());
        n.grpcPort = test::freePort();
        n.p2pPort = test::freePort();
        if (!wallet::writeFileAtomic(node::HomeLayout(n.home).genesisFile(), text, wallet::WriteMode::Replace)) {
            std::cerr << "cannot write genesis\n";
            return false;
        }
        nodes_.push_back(std::move(n));
    }
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        std::vector<std::string> peers;
        for (std::size_t j = 0; j < nodes_.size(); ++j)
            if (j != i) peers.push_back(nodes_[j].nodeId + "@127.0.0.1:" + std::to_string(nodes_[j].p2pPort));
        writeConfig(nodes_[i], peers, true);
    }
    return true;
}

bool Bench::startNode() {
    if (!(opt_.validators == 1 ? prepareSingle() : prepareNetwork())) return false;
    home_ = nodes_[0].home;
    for (auto& n : nodes_) launch(n);
    channel_ = nodes_[0].channel;
    for (auto& n : nodes_) {
        if (!test::waitUntil(
                [&] {
                    auto st = status(n.channel);
                    return st && st->latest_height() >= 1;
                },
                120s)) {
            std::cerr << n.name << " did not reach block 1:\n" << n.process->log() << "\n";
            return false;
        }
        n.pid = findChildPid(n.home);
    }
    events_ = std::thread([this] { eventLoop(); });
    if (!test::waitUntil([&] { return eventsLive_.load(); }, 30s)) return false;
    return true;
}

void Bench::eventLoop() {
    auto stub = ev::EventService::NewStub(channel_);
    ev::SubscribeRequest req;
    for (const char* t : {"tx_fee", "job_created", "bid_placed", "lease_created", "lease_settled"}) req.add_types(t);
    req.set_from_height(height() + 1);
    eventsCtx_ = std::make_unique<grpc::ClientContext>();
    auto reader = stub->Subscribe(eventsCtx_.get(), req);
    eventsLive_ = true;
    agora::types::v1::Event e;
    while (reader->Read(&e)) tracker_.onEvent(e, Clock::now());
    const auto st = reader->Finish();
    if (!st.ok() && st.error_code() != grpc::StatusCode::CANCELLED)
        std::cerr << "event stream ended: " << st.error_message() << "\n";
}

// SIGTERM to every node at once, then waits; true when all exited with 0.
bool Bench::stopNode() {
    if (eventsCtx_) eventsCtx_->TryCancel();
    if (events_.joinable()) events_.join();
    for (auto& n : nodes_)
        if (n.process) n.process->signal(SIGTERM);
    bool clean = true;
    for (auto& n : nodes_) {
        if (!n.process) continue;
        const int rc = n.process->waitExit(60s);
        if (rc != 0) {
            std::cerr << n.name << " exited with " << rc << "\n";
            if (rc < 0) n.process->signal(SIGKILL);
            clean = false;
        }
        n.process.reset();
    }
    return clean;
}

std::optional<q::StatusResponse> Bench::status(const std::shared_ptr<grpc::Channel>& ch) {
    auto stub = q::QueryService::NewStub(ch);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 2s);
    q::StatusResponse resp;
    if (!stub->Status(&ctx, q::StatusRequest{}, &resp).ok()) return std::nullopt;
    return resp;
}

std::optional<q::BlockResponse> Bench::blockAt(const std::shared_ptr<grpc::Channel>& ch, std::uint64_t h) {
    auto stub = q::QueryService::NewStub(ch);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    q::BlockRequest req;
    req.set_height(h);
    q::BlockResponse resp;
    if (!stub->Block(&ctx, req, &resp).ok()) return std::nullopt;
    return resp;
}

std::uint64_t Bench::height() {
    auto st = status(channel_);
    return st ? st->latest_height() : 0;
}

// Every channel's block at height h (waiting up to 60 s for each node to
// reach it): the same block id, and so the same header app_hash, which is
// the state after that block's txs.
Json Bench::agreement(const std::vector<std::shared_ptr<grpc::Channel>>& channels, std::uint64_t h) {
    Json j;
    j["height"] = h;
    bool agree = true;
    std::string id, app;
    for (const auto& ch : channels) {
        test::waitUntil(
            [&] {
                auto st = status(ch);
                return st && st->latest_height() >= h;
            },
            60s);
        auto b = blockAt(ch, h);
        if (!b) {
            agree = false;
            continue;
        }
        const std::string bid = hexOf(b->block().header_view().block_id());
        const std::string ah = hexOf(b->block().header_view().app_hash());
        if (id.empty()) {
            id = bid;
            app = ah;
        } else if (bid != id || ah != app) {
            agree = false;
        }
    }
    j["block_id"] = id;
    j["app_hash"] = app;
    j["agree"] = agree && !id.empty();
    return j;
}

Json Bench::appHashAgreement() {
    std::uint64_t top = 0;
    std::vector<std::shared_ptr<grpc::Channel>> chans;
    for (auto& n : nodes_) {
        chans.push_back(n.channel);
        auto st = status(n.channel);
        if (st) top = std::max(top, st->latest_height());
    }
    return agreement(chans, top);
}

// A fresh full node block-syncs the chain from the validators over p2p; the
// clock runs from its start until it reports the validators' height.
Json Bench::runSync() {
    Json j;
    j["bench"] = "sync";
    j["validators"] = opt_.validators;
    const std::uint64_t target = height();
    NodeProc n;
    n.name = "sync";
    n.home = dir_.path("sync");
    if (test::runToExit({opt_.agorad, "--home", n.home, "init", "sync", "--chain-id", kChain, "--full-node"},
                        dir_.path("sync-init.log")) != 0) {
        j["ok"] = false;
        j["error"] = "agorad init --full-node failed";
        return j;
    }
    std::filesystem::copy_file(node::HomeLayout(home_).genesisFile(), node::HomeLayout(n.home).genesisFile(),
                               std::filesystem::copy_options::overwrite_existing);
    std::vector<std::string> peers;
    for (const auto& v : nodes_) peers.push_back(v.nodeId + "@127.0.0.1:" + std::to_string(v.p2pPort));
    writeConfig(n, peers, false);
    const auto t0 = Clock::now();
    launch(n);
    std::uint64_t reached = 0;
    const bool done = test::waitUntil(
        [&] {
            auto st = status(n.channel);
            reached = st ? st->latest_height() : 0;
            return reached >= target;
        },
        std::chrono::minutes(30));
    const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
    n.pid = findChildPid(n.home);
    if (n.pid > 0) {
        j["peak_rss_mib"] = double(readProcKb(n.pid, "VmHWM")) / 1024.0;
        j["node_cpu_s"] = cpuSeconds(n.pid);  // start-up and the blocks after H included
    }
    Json agree = done ? agreement({channel_, n.channel}, target) : Json{{"agree", false}};
    n.process->signal(SIGTERM);
    const int rc = n.process->waitExit(60s);
    if (rc < 0) n.process->signal(SIGKILL);
    n.process.reset();
    // Txs in the synced chain, read from the full node's own block store.
    std::uint64_t txs = 0, blocks = 0;
    node::DatabaseOptions dbo;
    dbo.createIfMissing = false;
    if (auto db = node::openNodeDatabase(node::HomeLayout(n.home).databaseDir().string(), dbo)) {
        if (auto store = node::BlockStore::open(*db)) {
            for (std::uint64_t h = 1; h <= std::min(target, store->latestHeight()); ++h) {
                auto b = store->block(h);
                if (!b) break;
                ++blocks;
                txs += b->txs.size();
            }
        }
    }
    j["target_height"] = target;
    j["reached_height"] = reached;
    j["blocks"] = blocks;
    j["txs"] = txs;
    j["seconds"] = sec;
    j["tx_per_s"] = sec > 0 ? double(txs) / sec : 0.0;
    j["blocks_per_s"] = sec > 0 ? double(blocks) / sec : 0.0;
    j["app_hash_match"] = agree["agree"];
    if (agree.contains("app_hash")) j["app_hash"] = agree["app_hash"];
    j["clean_stop"] = rc == 0;
    j["ok"] = done && agree["agree"].get<bool>() && blocks == target;
    return j;
}

std::map<std::string, std::uint64_t> Bench::balances() {
    std::map<std::string, std::uint64_t> out;
    auto stub = q::QueryService::NewStub(channel_);
    for (auto& a : accounts_) {
        grpc::ClientContext ctx;
        q::AccountRequest req;
        req.set_address(a.address.toBech32());
        q::AccountResponse resp;
        if (!stub->Account(&ctx, req, &resp).ok()) throw std::runtime_error("account query failed");
        out[req.address()] = std::stoull(resp.balance());
        a.nextNonce = resp.next_nonce();
    }
    return out;
}

// The chain's supply record's `burned` (the lease take, slashes), read through
// the Proof query of its raw key.
std::uint64_t Bench::burnedTotal() {
    auto stub = q::QueryService::NewStub(channel_);
    grpc::ClientContext ctx;
    q::ProofRequest req;
    const Bytes key = contracts::keys::supply();
    req.set_key(std::string(key.begin(), key.end()));
    q::ProofResponse resp;
    if (!stub->Proof(&ctx, req, &resp).ok()) throw std::runtime_error("supply query failed");
    if (!resp.state().exists()) return 0;
    const auto& v = resp.state().value();
    auto supply = decode<contracts::Supply>(ByteSpan(reinterpret_cast<const std::uint8_t*>(v.data()), v.size()));
    if (!supply) throw std::runtime_error("supply record does not decode");
    return supply->burned.micro();
}

void Bench::refreshNonces() {
    balances();
}

TxRecord Bench::sign(std::size_t account, std::vector<Msg> msgs) {
    Account& a = accounts_[account];
    Tx tx;
    tx.chainId = kChain;
    tx.nonce = a.nextNonce++;
    tx.fee = Amount(kFee);
    tx.msgs = std::move(msgs);
    const Bytes raw = test::signTx(a.key, tx).bytes();
    TxRecord r;
    r.raw.assign(raw.begin(), raw.end());
    r.hash = sha256(raw);
    r.account = account;
    return r;
}

// Round-robin over accounts, keeping each account's txs in nonce order, so
// that pending txs spread over all accounts.
void Bench::interleave(std::vector<TxRecord>& txs) {
    std::map<std::size_t, std::size_t> seen;
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::size_t>> keys;
    keys.reserve(txs.size());
    for (std::size_t i = 0; i < txs.size(); ++i) keys.push_back({{seen[txs[i].account]++, txs[i].account}, i});
    std::stable_sort(keys.begin(), keys.end());
    std::vector<TxRecord> out;
    out.reserve(txs.size());
    for (const auto& k : keys) out.push_back(std::move(txs[k.second]));
    txs = std::move(out);
    for (std::size_t i = 0; i < txs.size(); ++i) txs[i].order = i;
}

std::vector<TxRecord> Bench::transfers(std::size_t count) {
    std::vector<TxRecord> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t from = i % opt_.accounts;
        const std::size_t to = (from + 1) % opt_.accounts;
        out.push_back(sign(from, {MsgSend{accounts_[to].address, Amount(1)}}));
    }
    return out;
}

RunStats Bench::runPhase(std::vector<TxRecord>& txs, std::optional<double> rate) {
    tracker_.reset();
    tracker_.watch(txs);
    const std::size_t nStreams = std::min(opt_.streams, std::max<std::size_t>(1, txs.size()));
    std::vector<std::vector<TxRecord*>> perStream(nStreams);
    for (auto& t : txs) perStream[t.account % nStreams].push_back(&t);
    // Closed loop: a bounded number of uncommitted txs, enough to keep a
    // block's worth queued behind the one being built (a larger window only
    // adds queueing delay to the measured latency, Little's law).
    const std::size_t window = opt_.window;
    const std::uint64_t h0 = height();
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    // Stream k goes to node k mod N: an account's txs all go through one
    // stream of one node, in nonce order.
    std::vector<std::unique_ptr<txpb::TxService::Stub>> stubs;
    for (auto& n : nodes_) stubs.push_back(txpb::TxService::NewStub(n.channel));
    // Open loop: the instant a tx is due (only called with a rate).
    const auto due = [&](const TxRecord* t) {
        return t0 +
               std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(t->order) / *rate));
    };
    for (std::size_t k = 0; k < nStreams; ++k) {
        if (opt_.batch > 1) {
            threads.emplace_back([&, k] {
                auto& stub = stubs[k % stubs.size()];
                const auto& list = perStream[k];
                grpc::ClientContext ctx;
                auto stream = stub->BroadcastBatchStream(&ctx);
                std::thread reader([&] {
                    txpb::BroadcastBatchResponse resp;
                    std::size_t i = 0;
                    while (i < list.size() && stream->Read(&resp))
                        for (const auto& r : resp.results()) {
                            if (i >= list.size()) break;
                            if (r.code() != 0) tracker_.rejected(*list[i], r.code());
                            ++i;
                        }
                });
                txpb::BroadcastBatchRequest req;
                std::size_t i = 0;
                while (i < list.size()) {
                    // The first tx waits for its turn; the batch takes the
                    // ones that are due (open loop) or fit in the window
                    // (closed loop) by then, never waiting for more.
                    if (rate)
                        std::this_thread::sleep_until(due(list[i]));
                    else
                        tracker_.waitBelow(window);
                    req.Clear();
                    const std::size_t first = i;
                    do {
                        req.add_txs(list[i]->raw);
                        tracker_.sent();
                        ++i;
                    } while (i < list.size() && static_cast<std::size_t>(req.txs_size()) < opt_.batch &&
                             (rate ? due(list[i]) <= Clock::now() : tracker_.below(window)));
                    const auto now = Clock::now();
                    for (std::size_t j = first; j < i; ++j) list[j]->sent = now;
                    if (!stream->Write(req)) break;
                }
                stream->WritesDone();
                reader.join();
                stream->Finish();
            });
            continue;
        }
        threads.emplace_back([&, k] {
            auto& stub = stubs[k % stubs.size()];
            grpc::ClientContext ctx;
            auto stream = stub->BroadcastStream(&ctx);
            std::thread reader([&] {
                txpb::BroadcastResponse resp;
                for (TxRecord* t : perStream[k]) {
                    if (!stream->Read(&resp)) break;
                    if (resp.code() != 0) tracker_.rejected(*t, resp.code());
                }
            });
            txpb::BroadcastRequest req;
            for (TxRecord* t : perStream[k]) {
                if (rate) {
                    std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Clock::duration>(
                                                           std::chrono::duration<double>(double(t->order) / *rate)));
                } else {
                    tracker_.waitBelow(window);
                }
                req.set_tx(t->raw);
                t->sent = Clock::now();
                tracker_.sent();
                if (!stream->Write(req)) break;
            }
            stream->WritesDone();
            reader.join();
            stream->Finish();
        });
    }
    for (auto& th : threads) th.join();
    tracker_.waitFinished(txs.size(), 120s);
    return collect(txs, t0, h0);
}

// Counts a run's txs once they are done (or given up on): commits, refusals,
// latencies, the time from t0 to the last commit and the blocks made.
RunStats Bench::collect(std::vector<TxRecord>& txs, Clock::time_point t0, std::uint64_t h0) {
    RunStats s;
    s.submitted = txs.size();
    Clock::time_point last = t0;
    for (auto& t : txs) {
        if (!t.done) {
            ++s.lost;
        } else if (t.ok) {
            ++s.committed;
            fees_ += t.fee;
            last = std::max(last, t.committed);
            s.latMs.push_back(std::chrono::duration<double, std::milli>(t.committed - t.sent).count());
        } else {
            ++s.refused;
            ++s.refusedCodes[t.admitCode];
        }
    }
    s.seconds = std::chrono::duration<double>(last - t0).count();
    s.blocks = height() - h0;
    std::sort(s.latMs.begin(), s.latMs.end());
    return s;
}

double pct(const std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size())))];
}

Json statsJson(const std::vector<RunStats*>& runs, std::size_t lifecycles) {
    std::size_t submitted = 0, committed = 0, refused = 0, lost = 0;
    std::uint64_t blocks = 0;
    double seconds = 0;
    std::vector<double> lat;
    Json codes = Json::object();
    for (auto* r : runs) {
        submitted += r->submitted;
        committed += r->committed;
        refused += r->refused;
        lost += r->lost;
        seconds += r->seconds;
        blocks += r->blocks;
        lat.insert(lat.end(), r->latMs.begin(), r->latMs.end());
        for (const auto& [c, n] : r->refusedCodes) codes[std::to_string(c)] = n;
    }
    std::sort(lat.begin(), lat.end());
    Json j;
    j["submitted"] = submitted;
    j["committed"] = committed;
    j["refused"] = refused;
    j["refused_codes"] = codes;
    j["lost"] = lost;
    j["seconds"] = seconds;
    j["tx_per_s"] = seconds > 0 ? double(committed) / seconds : 0.0;
    if (lifecycles > 0) j["lifecycles_per_s"] = seconds > 0 ? double(lifecycles) / seconds : 0.0;
    j["p50_ms"] = pct(lat, 0.50);
    j["p90_ms"] = pct(lat, 0.90);
    j["p99_ms"] = pct(lat, 0.99);
    j["blocks_per_s"] = seconds > 0 ? double(blocks) / seconds : 0.0;
    return j;
}

std::string Bench::txFailure(const Hash256& hash) {
    auto stub = txpb::TxService::NewStub(channel_);
    grpc::ClientContext ctx;
    txpb::GetTxRequest req;
    req.set_hash(std::string(hash.bytes().begin(), hash.bytes().end()));
    txpb::GetTxResponse resp;
    auto st = stub->GetTx(&ctx, req, &resp);
    if (!st.ok()) return "GetTx: " + st.error_message();
    return "code " + std::to_string(resp.result().code()) + " " + resp.result().message();
}

bool Bench::registerProviders(std::size_t base, std::size_t count) {
    refreshNonces();
    std::vector<TxRecord> regs;
    for (std::size_t p = 0; p < count; ++p) {
        regs.push_back(sign(base + p, {MsgProviderRegister{"https://p" + std::to_string(p) + ".example",
                                                           {{"region", "eu"}},
                                                           Resources{1'000'000'000, 1'000'000'000, 1'000'000'000, {}},
                                                           Amount(kFunding / 2)}}));
    }
    interleave(regs);
    auto s = runPhase(regs, std::nullopt);
    return s.committed == regs.size();
}

// One marketplace run: `lifecycles` lifecycles in four phases, each phase
// merged with transferFactor x as many transfers (mixed workload).
Json Bench::runMarket(std::size_t lifecycles, std::size_t transferFactor, std::optional<std::vector<double>> rates,
                      std::vector<double>* measured) {
    refreshNonces();
    std::vector<RunStats> stats(4);
    std::vector<std::size_t> created(lifecycles, 0);  // id produced by the previous phase, per lifecycle
    std::size_t settled = 0;
    for (int phase = 0; phase < 4; ++phase) {
        std::vector<TxRecord> txs;
        std::vector<std::size_t> lifecycleOf;
        for (std::size_t l = 0; l < lifecycles; ++l) {
            const std::size_t client = clientBase_ + l % opt_.clients;
            const std::size_t provider = providerBase_ + l % opt_.providers;
            if (phase > 0 && created[l] == 0) continue;  // the lifecycle broke earlier
            switch (phase) {
                case 0:
                    txs.push_back(sign(client, {MsgJobCreate{Resources{1, 1, 1, {}},
                                                             {{"region", "eu"}},
                                                             Amount(10),
                                                             100'000,
                                                             10'000,
                                                             0,
                                                             Amount(1'000'000)}}));
                    break;
                case 1:
                    txs.push_back(sign(provider, {MsgBidPlace{created[l], Amount(10), Amount(1'000'000)}}));
                    break;
                case 2:
                    txs.push_back(sign(client, {MsgBidAccept{created[l]}}));
                    break;
                case 3:
                    txs.push_back(sign(
                        client, {MsgLeaseClose{created[l], CloseReason::Completed}, MsgLeaseSettle{created[l], 5}}));
                    break;
            }
            lifecycleOf.push_back(l);
        }
        const std::size_t marketCount = txs.size();
        // Remember which lifecycle each market tx belongs to before interleaving moves them.
        std::unordered_map<Hash256, std::size_t, HashKey> lifecycleByHash;
        for (std::size_t i = 0; i < marketCount; ++i) lifecycleByHash[txs[i].hash] = lifecycleOf[i];
        if (transferFactor > 0) {
            auto more = transfers(marketCount * transferFactor);
            std::move(more.begin(), more.end(), std::back_inserter(txs));
        }
        interleave(txs);
        std::optional<double> rate;
        if (rates) rate = (*rates)[static_cast<std::size_t>(phase)];
        stats[static_cast<std::size_t>(phase)] = runPhase(txs, rate);
        if (measured)
            measured->push_back(stats[static_cast<std::size_t>(phase)].seconds > 0
                                    ? double(stats[static_cast<std::size_t>(phase)].committed) /
                                          stats[static_cast<std::size_t>(phase)].seconds
                                    : 1000.0);
        tracker_.waitFor(
            [&] {
                for (const auto& t : txs) {
                    if (!t.ok || lifecycleByHash.count(t.hash) == 0) continue;
                    if (phase < 3 ? t.createdId == 0 : !t.settled) return false;
                }
                return true;
            },
            3s);
        std::fill(created.begin(), created.end(), 0);
        bool reported = false;
        for (const auto& t : txs) {
            auto it = lifecycleByHash.find(t.hash);
            if (it == lifecycleByHash.end()) continue;
            if (phase < 3)
                created[it->second] = t.createdId;
            else if (t.settled)
                ++settled;
            const bool broke = phase < 3 ? t.createdId == 0 : !t.settled;
            if (broke && t.ok && !reported) {
                reported = true;  // say why once per phase: the tx's result from the node
                std::cerr << "lifecycle phase " << phase << " tx failed: " << txFailure(t.hash) << "\n";
            }
        }
    }
    std::vector<RunStats*> all;
    for (auto& s : stats) all.push_back(&s);
    Json j = statsJson(all, settled);
    j["lifecycles_settled"] = settled;
    Json phases = Json::array();
    for (auto& s : stats) phases.push_back(statsJson({&s}, 0));
    j["phases"] = phases;
    return j;
}

// per-account-window: N accounts, each with at most W uncommitted transfers;
// an account sends its next tx (sync mode: admitted, in nonce order) once its
// oldest one's tx_fee event arrived. One thread per account.
Json Bench::runAccountWindow() {
    refreshNonces();
    const std::size_t n = std::max<std::size_t>(1, std::min(opt_.shapeAccounts, opt_.accounts));
    const std::size_t window = std::max<std::size_t>(1, opt_.shapeWindow);
    const std::size_t per = std::max<std::size_t>(1, opt_.shapeTxs);
    std::vector<TxRecord> txs;  // account a's txs at [a * per, (a + 1) * per), in nonce order
    txs.reserve(n * per);
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t i = 0; i < per; ++i)
            txs.push_back(sign(a, {MsgSend{accounts_[(a + 1) % n].address, Amount(1)}}));
    std::vector<std::condition_variable> waiters(n);
    for (auto& t : txs) t.waiter = &waiters[t.account];
    tracker_.reset();
    tracker_.watch(txs);
    const std::uint64_t h0 = height();
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t a = 0; a < n; ++a) {
        threads.emplace_back([&, a] {
            auto stub = txpb::TxService::NewStub(nodes_[a % nodes_.size()].channel);
            std::deque<TxRecord*> inflight;
            for (std::size_t i = 0; i < per; ++i) {
                if (inflight.size() >= window) {
                    if (!tracker_.waitDone(*inflight.front(), 60s)) return;  // lost: counted by collect
                    inflight.pop_front();
                }
                TxRecord& t = txs[a * per + i];
                grpc::ClientContext ctx;
                ctx.set_deadline(std::chrono::system_clock::now() + 30s);
                txpb::BroadcastRequest req;
                req.set_tx(t.raw);
                req.set_mode(txpb::BROADCAST_MODE_SYNC);
                txpb::BroadcastResponse resp;
                t.sent = Clock::now();
                tracker_.sent();
                const auto st = stub->Broadcast(&ctx, req, &resp);
                if (!st.ok() || resp.code() != 0) {
                    // Later nonces of this account would only leave a gap.
                    tracker_.rejected(t, st.ok() ? resp.code() : 0xFFFF'FFFFu);
                    return;
                }
                inflight.push_back(&t);
            }
            for (TxRecord* t : inflight)
                if (!tracker_.waitDone(*t, 60s)) return;
        });
    }
    for (auto& th : threads) th.join();
    auto stats = collect(txs, t0, h0);
    Json j = statsJson({&stats}, 0);
    return j;
}

// lifecycle-workers: K workers, each with its own client and provider
// account, each running lifecycles of four sequential txs in commit mode
// (the reply carries the result and events, so the next tx can name the id
// the previous one created). Latency: submission to committed reply.
Json Bench::runLifecycleWorkers() {
    refreshNonces();
    const std::size_t k = opt_.shapeWorkers;
    const std::size_t per = std::max<std::size_t>(1, opt_.shapeLifecycles);
    std::mutex mu;
    RunStats stats;
    std::size_t settled = 0;
    std::uint64_t fees = 0;
    Clock::time_point last;
    const std::uint64_t h0 = height();
    const auto t0 = Clock::now();
    last = t0;
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < k; ++w) {
        threads.emplace_back([&, w] {
            const std::size_t client = workerClientBase_ + w, provider = workerProviderBase_ + w;
            auto stub = txpb::TxService::NewStub(nodes_[w % nodes_.size()].channel);
            for (std::size_t l = 0; l < per; ++l) {
                std::uint64_t id = 0;
                for (int phase = 0; phase < 4; ++phase) {
                    TxRecord t;
                    switch (phase) {
                        case 0:
                            t = sign(client, {MsgJobCreate{Resources{1, 1, 1, {}},
                                                           {{"region", "eu"}},
                                                           Amount(10),
                                                           100'000,
                                                           10'000,
                                                           0,
                                                           Amount(1'000'000)}});
                            break;
                        case 1:
                            t = sign(provider, {MsgBidPlace{id, Amount(10), Amount(1'000'000)}});
                            break;
                        case 2:
                            t = sign(client, {MsgBidAccept{id}});
                            break;
                        default:
                            t = sign(client, {MsgLeaseClose{id, CloseReason::Completed}, MsgLeaseSettle{id, 5}});
                            break;
                    }
                    grpc::ClientContext ctx;
                    ctx.set_deadline(std::chrono::system_clock::now() + 60s);
                    txpb::BroadcastRequest req;
                    req.set_tx(t.raw);
                    req.set_mode(txpb::BROADCAST_MODE_COMMIT);
                    txpb::BroadcastResponse resp;
                    const auto sent = Clock::now();
                    const auto st = stub->Broadcast(&ctx, req, &resp);
                    const auto now = Clock::now();
                    std::lock_guard lock(mu);
                    ++stats.submitted;
                    if (!st.ok() || resp.height() == 0) {
                        // Not admitted (or no answer): its nonce is unused, so this worker stops.
                        ++stats.refused;
                        ++stats.refusedCodes[st.ok() ? resp.code() : 0xFFFF'FFFFu];
                        if (st.ok()) std::cerr << "lifecycle-workers: refused: " << resp.message() << "\n";
                        return;
                    }
                    ++stats.committed;
                    fees += resp.result().fee_charged();
                    last = std::max(last, now);
                    stats.latMs.push_back(std::chrono::duration<double, std::milli>(now - sent).count());
                    id = 0;
                    bool done = false;
                    for (const auto& e : resp.result().events()) {
                        const char* key = phase == 0 ? "job_id" : phase == 1 ? "bid_id" : "lease_id";
                        const char* type = phase == 0   ? "job_created"
                                           : phase == 1 ? "bid_placed"
                                           : phase == 2 ? "lease_created"
                                                        : "lease_settled";
                        if (e.type() != type) continue;
                        done = true;
                        for (const auto& a : e.attributes())
                            if (a.key() == key) id = std::stoull(a.value());
                    }
                    if (!done || (phase < 3 && id == 0)) {
                        std::cerr << "lifecycle-workers: phase " << phase << " failed: " << resp.result().message()
                                  << "\n";
                        break;  // this lifecycle broke; the next one starts afresh
                    }
                    if (phase == 3) ++settled;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    fees_ += fees;
    stats.seconds = std::chrono::duration<double>(last - t0).count();
    stats.blocks = height() - h0;
    std::sort(stats.latMs.begin(), stats.latMs.end());
    Json j = statsJson({&stats}, settled);
    j["lifecycles_settled"] = settled;
    return j;
}

Json Bench::workload(const std::string& name) {
    std::vector<double> cpu0;
    for (auto& n : nodes_) {
        if (n.pid > 0) resetPeakRss(n.pid);
        cpu0.push_back(n.pid > 0 ? cpuSeconds(n.pid) : 0.0);
    }
    const auto wall0 = Clock::now();
    const int pid0 = nodes_[0].pid;
    fees_ = 0;
    const auto before = balances();
    const std::uint64_t burnedBefore = burnedTotal();
    Json j;
    j["bench"] = "loadgen";
    j["workload"] = name;
    j["validators"] = opt_.validators;
    j["batch"] = opt_.batch;
    j["streams"] = opt_.streams;
    if (name == "per-account-window") {
        j["accounts"] = std::min(opt_.shapeAccounts, opt_.accounts);
        j["window"] = opt_.shapeWindow;
        j["closed_loop"] = runAccountWindow();
    } else if (name == "lifecycle-workers") {
        j["workers"] = opt_.shapeWorkers;
        j["lifecycles"] = opt_.shapeWorkers * opt_.shapeLifecycles;
        j["closed_loop"] = runLifecycleWorkers();
    } else if (name == "transfers") {
        j["accounts"] = opt_.accounts;
        auto txs = transfers(opt_.transfers);
        interleave(txs);
        std::unique_ptr<test::ChildProcess> perf;
        if (!opt_.perfOut.empty() && pid0 > 0) {
            perf = std::make_unique<test::ChildProcess>(
                std::vector<std::string>{"/usr/bin/perf", "record", "-F", "499", "-g", "-p", std::to_string(pid0), "-o",
                                         opt_.perfOut},
                dir_.path("perf.log"));
            opt_.perfOut.clear();
        }
        auto sat = runPhase(txs, std::nullopt);
        if (perf) {
            perf->signal(SIGINT);
            perf->waitExit(60s);
        }
        j["saturation"] = statsJson({&sat}, 0);
        const double rate = j["saturation"]["tx_per_s"].get<double>();
        if (opt_.halfLoad && rate > 0) {
            refreshNonces();
            // Half load: as many txs as fit in the same wall time at half the rate.
            auto half = transfers(std::max<std::size_t>(1, opt_.transfers / 2));
            interleave(half);
            auto h = runPhase(half, rate / 2);
            j["half_load"] = statsJson({&h}, 0);
            j["half_load"]["target_tx_per_s"] = rate / 2;
        }
    } else {
        const std::size_t factor = name == "mixed" ? 4 : 0;
        const std::size_t lifecycles = name == "mixed" ? opt_.lifecycles / 4 : opt_.lifecycles;
        j["clients"] = opt_.clients;
        j["providers"] = opt_.providers;
        j["lifecycles"] = lifecycles;
        std::vector<double> rates;
        j["saturation"] = runMarket(lifecycles, factor, std::nullopt, &rates);
        if (opt_.halfLoad) {
            for (auto& r : rates) r /= 2;
            j["half_load"] = runMarket(std::max<std::size_t>(1, lifecycles / 2), factor, rates, nullptr);
        }
    }
    Json rss = Json::array();
    double rssMax = 0;
    for (auto& n : nodes_) {
        const double mib = n.pid > 0 ? double(readProcKb(n.pid, "VmHWM")) / 1024.0 : 0.0;
        rss.push_back(mib);
        rssMax = std::max(rssMax, mib);
    }
    j["peak_rss_mib"] = rssMax;  // the largest node
    j["peak_rss_mib_per_node"] = rss;
    // CPU the nodes used over the whole workload (both loads, untimed gaps
    // included): on a shared machine the share they got, not the wall clock,
    // is what the throughput follows.
    Json cpu = Json::array();
    double cpuSum = 0;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const double c = nodes_[i].pid > 0 ? cpuSeconds(nodes_[i].pid) - cpu0[i] : 0.0;
        cpu.push_back(c);
        cpuSum += c;
    }
    j["node_cpu_s_per_node"] = cpu;
    j["node_cpu_s"] = cpuSum;
    j["wall_s"] = std::chrono::duration<double>(Clock::now() - wall0).count();
    // Wait for a quiet block so the balances read below include every committed tx.
    const auto after = balances();
    std::uint64_t sumBefore = 0, sumAfter = 0;
    for (const auto& [k, v] : before) sumBefore += v;
    for (const auto& [k, v] : after) sumAfter += v;
    // Provider stakes, bid deposits and escrow all return to the loadgen
    // accounts once every lifecycle is settled, and payments move between
    // them: what left is exactly the fees charged and the protocol's take
    // burned from payments to providers (lease_take_rate_ppm).
    const std::uint64_t burned = burnedTotal() - burnedBefore;
    Json sc;
    sc["loadgen_balance_before"] = sumBefore;
    sc["loadgen_balance_after"] = sumAfter;
    sc["fees_charged"] = fees_;
    sc["burned"] = burned;
    sc["ok"] = sumBefore == sumAfter + fees_ + burned;
    j["supply_check"] = sc;
    if (nodes_.size() > 1) {
        Json a = appHashAgreement();
        j["app_hash_agree"] = a["agree"];
        j["app_hash_check"] = a;
    }
    return j;
}

int Bench::run() {
    if (opt_.validators < 1 || opt_.validators > 16) {
        std::cerr << "--validators must be 1..16\n";
        return 2;
    }
    makeAccounts();
    std::vector<Json> results;
    bool ok = true;
    if (!startNode()) {
        stopNode();
        return 2;
    }
    bool providersReady = false, workerProvidersReady = false;
    Json sync;
    try {
        for (const auto& w : opt_.workloads) {
            if ((w == "market" || w == "mixed") && !providersReady) {
                if (!registerProviders(providerBase_, opt_.providers)) {
                    std::cerr << "provider registration failed\n" << nodes_[0].process->log() << "\n";
                    ok = false;
                    break;
                }
                providersReady = true;
            }
            if (w == "lifecycle-workers" && !workerProvidersReady) {
                if (!registerProviders(workerProviderBase_, opt_.shapeWorkers)) {
                    std::cerr << "worker provider registration failed\n" << nodes_[0].process->log() << "\n";
                    ok = false;
                    break;
                }
                workerProvidersReady = true;
            }
            Json j = workload(w);
            std::cout << j.dump() << std::endl;
            const char* main = j.contains("closed_loop") ? "closed_loop" : "saturation";
            if (!j["supply_check"]["ok"].get<bool>() || j[main]["committed"].get<std::size_t>() == 0) ok = false;
            if (j.contains("app_hash_agree") && !j["app_hash_agree"].get<bool>()) ok = false;
            results.push_back(std::move(j));
        }
        if (opt_.sync && ok) {
            sync = runSync();
            std::cout << sync.dump() << std::endl;
            if (!sync["ok"].get<bool>()) ok = false;
        }
    } catch (const std::exception& e) {
        std::cerr << "loadgen: " << e.what() << "\n";
        ok = false;
    }
    const bool clean = stopNode();
    if (!clean) ok = false;
    // Full ledger invariants on every validator's final state (a node holds
    // its database lock while it runs, so this waits for them to stop).
    Json inv;
    inv["bench"] = "loadgen_invariants";
    inv["validators"] = opt_.validators;
    inv["clean_stop"] = clean;
    inv["ok"] = true;
    for (const auto& n : nodes_) {
        auto store = node::LevelDbStateStore::open(n.home + "/data/chain.db", node::StateStoreOptions{0, 0});
        if (!store) {
            inv["ok"] = false;
            inv["error"] = n.name + ": " + store.error().message();
            ok = false;
            continue;
        }
        auto snap = (*store)->snapshot();
        auto violation = contracts::checkInvariants(*snap);
        inv["height"] = snap->version();
        if (violation) {
            inv["ok"] = false;
            inv["error"] = n.name + ": " + *violation;
            ok = false;
        }
    }
    std::cout << inv.dump() << std::endl;

    std::printf("\n%zu validator(s)\n%-18s %-10s %10s %10s %9s %9s %9s %9s %9s %8s %8s\n", opt_.validators, "workload",
                "load", "tx/s", "lifecyc/s", "p50 ms", "p90 ms", "p99 ms", "blocks/s", "RSS MiB", "supply", "app_hash");
    for (const auto& j : results) {
        for (const char* load : {"saturation", "half_load", "closed_loop"}) {
            if (!j.contains(load)) continue;
            const auto& s = j[load];
            std::printf("%-18s %-10s %10.0f %10.1f %9.1f %9.1f %9.1f %9.2f %9.0f %8s %8s\n",
                        j["workload"].get<std::string>().c_str(), std::string(load) == "closed_loop" ? "closed" : load,
                        s["tx_per_s"].get<double>(),
                        s.contains("lifecycles_per_s") ? s["lifecycles_per_s"].get<double>() : 0.0,
                        s["p50_ms"].get<double>(), s["p90_ms"].get<double>(), s["p99_ms"].get<double>(),
                        s["blocks_per_s"].get<double>(), j.value("peak_rss_mib", 0.0),
                        j["supply_check"]["ok"].get<bool>() ? "ok" : "FAIL",
                        !j.contains("app_hash_agree") ? "-" : (j["app_hash_agree"].get<bool>() ? "agree" : "DIFFER"));
        }
    }
    if (!sync.is_null() && sync.contains("tx_per_s"))
        std::printf("sync: a fresh full node block-synced %llu blocks / %llu txs in %.1f s: %.0f tx/s, app_hash %s\n",
                    static_cast<unsigned long long>(sync["blocks"].get<std::uint64_t>()),
                    static_cast<unsigned long long>(sync["txs"].get<std::uint64_t>()), sync["seconds"].get<double>(),
                    sync["tx_per_s"].get<double>(), sync["app_hash_match"].get<bool>() ? "matches" : "DIFFERS");
    if (!opt_.keep.empty()) {
        std::filesystem::create_directories(opt_.keep);
        std::filesystem::copy(
            home_, opt_.keep,
            std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
    }
    return ok ? 0 : 1;
}

std::vector<std::string> splitList(const std::string& v) {
    std::vector<std::string> out;
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ',')) out.push_back(item);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string f = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(f + " needs a value");
            return argv[++i];
        };
        try {
            if (f == "--agorad")
                o.agorad = next();
            else if (f == "--workloads")
                o.workloads = splitList(next());
            else if (f == "--accounts")
                o.accounts = std::stoull(next());
            else if (f == "--clients")
                o.clients = std::stoull(next());
            else if (f == "--providers")
                o.providers = std::stoull(next());
            else if (f == "--transfers")
                o.transfers = std::stoull(next());
            else if (f == "--lifecycles")
                o.lifecycles = std::stoull(next());
            else if (f == "--streams")
                o.streams = std::stoull(next());
            else if (f == "--window")
                o.window = std::stoull(next());
            else if (f == "--batch")
                o.batch = std::max<std::size_t>(1, std::min<std::size_t>(1'000, std::stoull(next())));
            else if (f == "--block-txs")
                o.blockTxs = static_cast<std::uint32_t>(std::stoul(next()));
            else if (f == "--timeout-commit-ms")
                o.timeoutCommitMs = static_cast<std::uint32_t>(std::stoul(next()));
            else if (f == "--validators")
                o.validators = std::stoull(next());
            else if (f == "--sync")
                o.sync = true;
            else if (f == "--keep")
                o.keep = next();
            else if (f == "--perf")
                o.perfOut = next();
            else if (f == "--shape")
                for (const auto& shape : splitList(next())) {
                    if (shape != "per-account-window" && shape != "lifecycle-workers")
                        throw std::invalid_argument("unknown shape " + shape +
                                                    " (per-account-window, lifecycle-workers)");
                    if (!o.wants(shape)) o.workloads.push_back(shape);
                }
            else if (f == "--shape-accounts")
                o.shapeAccounts = std::stoull(next());
            else if (f == "--shape-window")
                o.shapeWindow = std::stoull(next());
            else if (f == "--shape-txs")
                o.shapeTxs = std::stoull(next());
            else if (f == "--shape-workers")
                o.shapeWorkers = std::stoull(next());
            else if (f == "--shape-lifecycles")
                o.shapeLifecycles = std::stoull(next());
            else if (f == "--quick") {
                o.transfers = 20'000;
                o.lifecycles = 1'000;
                o.shapeTxs = 40;
                o.shapeLifecycles = 4;
            } else if (f == "--smoke") {  // a few seconds: the ctest that keeps this tool from rotting
                o.transfers = 2'000;
                o.lifecycles = 100;
                o.shapeAccounts = 10;
                o.shapeTxs = 5;
                o.shapeWorkers = 4;
                o.shapeLifecycles = 2;
                o.halfLoad = false;
            } else {
                std::cerr << "unknown option " << f << "\n";
                return 2;
            }
        } catch (const std::exception& e) {
            std::cerr << f << ": " << e.what() << "\n";
            return 2;
        }
    }
    if (o.agorad.empty()) {
        std::cerr << "usage: agora-loadgen --agorad PATH [--quick|--smoke] [--workloads transfers,market,mixed] ...\n";
        return 2;
    }
    Bench b(std::move(o));
    return b.run();
}
