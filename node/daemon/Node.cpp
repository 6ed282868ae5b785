#include "node/daemon/Node.h"

#include "node/daemon/Logging.h"

#include "node/daemon/KeyFile.h"
#include "node/rpc/ClientServiceImpl.h"
#include "node/rpc/ProviderServiceImpl.h"
#include "node/rpc/EventServiceImpl.h"
#include "node/rpc/JobStreams.h"
#include "node/rpc/StreamLimiter.h"
#include "node/rpc/QueryServiceImpl.h"
#include "node/rpc/StakingServiceImpl.h"
#include "node/rpc/TxServiceImpl.h"
#include "node/storage/NodeDatabase.h"

namespace agora::node {

namespace {
Unexpected<std::string> fail(std::string m) { return Unexpected(std::move(m)); }
}  // namespace

Node::~Node() { stop(); }

Expected<std::unique_ptr<Node>, std::string> Node::open(const HomeLayout& home) {
    std::unique_ptr<Node> node(new Node());
    node->home_ = home;
    auto cfg = NodeConfig::load(home.configFile());
    if (!cfg) return fail(cfg.error());
    node->config_ = std::move(*cfg);
    auto genesis = GenesisDoc::load(home.genesisFile());
    if (!genesis) return fail(genesis.error());

    std::optional<wallet::SecretKey> validatorKey;
    std::error_code ec;
    if (std::filesystem::exists(home.validatorKeyFile(), ec)) {
        auto key = loadKeyFile(home.validatorKeyFile());
        if (!key) return fail(key.error());
        validatorKey = std::move(*key);
    }
    auto nodeKey = loadKeyFile(home.nodeKeyFile());
    if (!nodeKey) return fail(nodeKey.error());

    std::filesystem::create_directories(home.dataDir(), ec);
    if (ec) return fail("cannot create " + home.dataDir().string() + ": " + ec.message());
    DatabaseOptions dbo;
    dbo.blockCacheBytes = std::size_t{node->config_.storage.leveldbCacheMib} * 1024 * 1024;
    auto db = openNodeDatabase(home.databaseDir().string(), dbo);
    if (!db) return fail("database: " + db.error().message());
    node->db_ = *db;

    node->sigCache_ = std::make_shared<SignatureCache>();
    Application::Options ao;
    ao.maxBlockTxs = node->config_.mempool.maxBlockTxs;
    ao.maxBlockBytes = node->config_.mempool.maxBlockBytes;
    ao.stateVersionsKept = node->config_.storage.stateVersionsKept;
    auto app = Application::open(std::move(*genesis), node->db_, ao, node->sigCache_);
    if (!app) return fail(app.error());
    node->app_ = std::move(*app);

    node->mempool_ = std::make_unique<Mempool>(
        MempoolLimits{node->config_.mempool.maxTxs, node->config_.mempool.maxBytes,
                      node->config_.mempool.maxTxsPerAccount},
        node->sigCache_);

    auto wal = FileWal::open(home.walFile());
    if (!wal) return fail(wal.error());
    if (wal->second.droppedBytes > 0)
        moduleLog("node")->warn("consensus WAL: cut {} bytes of a torn last record", wal->second.droppedBytes);
    node->signerState_ = std::make_unique<SignerStateFile>(home.signerStateFile());
    node->executor_ = std::make_unique<Executor>("consensus");

    const auto& cc = node->config_.consensus;
    DriverOptions dopt;
    dopt.timeouts.proposeBase = cc.timeoutProposeMs;
    dopt.timeouts.proposeDelta = cc.timeoutProposeDeltaMs;
    dopt.timeouts.prevoteBase = cc.timeoutPrevoteMs;
    dopt.timeouts.prevoteDelta = cc.timeoutPrevoteDeltaMs;
    dopt.timeouts.precommitBase = cc.timeoutPrecommitMs;
    dopt.timeouts.precommitDelta = cc.timeoutPrecommitDeltaMs;
    dopt.timeoutCommitMs = cc.timeoutCommitMs;
    dopt.maxBlockTxs = node->config_.mempool.maxBlockTxs;
    dopt.maxBlockBytes = node->config_.mempool.maxBlockBytes;
    Node* self = node.get();
    node->driver_ = std::make_unique<ConsensusDriver>(
        *node->app_, *node->mempool_, std::move(validatorKey), *node->signerState_, std::move(wal->first),
        std::move(wal->second.entries), node->noPeers_, *node->executor_, dopt,
        [self](const CommitOutcome& o) { self->onCommit(o); },
        [self](const std::string& err) {
            {
                std::lock_guard lock(self->mu_);
                self->fatal_ = err;
            }
            self->cv_.notify_all();
        });

    node->txService_ = std::make_unique<TxServiceImpl>(
        *node->mempool_, [self] { return self->app_->ledgerView(); }, node->waiters_, node->app_.get());
    node->queryService_ = std::make_unique<QueryServiceImpl>(
        *node->app_, [self] { return self->driver_->status(); }, nodeIdOf(nodeKey->publicKey()));
    node->grpc_ = std::make_unique<GrpcServer>(GrpcServerOptions::fromConfig(node->config_.grpc));
    node->grpc_->addService(node->txService_.get());
    node->grpc_->addService(node->queryService_.get());

    node->eventsExecutor_ = std::make_unique<Executor>("events");
    Executor* events = node->eventsExecutor_.get();
    node->eventBus_ = std::make_unique<EventBus>(
        std::make_shared<StoredEventHistory>(*node->app_), node->app_->lastHeight(),
        [events](std::function<void()> wake) {
            if (!events->post(wake)) wake();  // stopping: the guarded wake is harmless inline
        });
    node->streamLimiter_ = std::make_unique<StreamLimiter>(node->config_.grpc.maxStreamsPerClient);
    const StreamOptions streamOptions{};
    node->eventService_ = std::make_unique<EventServiceImpl>(*node->eventBus_, *node->streamLimiter_, streamOptions);
    node->jobStreams_ = std::make_unique<JobStreams>(
        *node->eventBus_, [self] { return self->app_->snapshot(); }, *node->streamLimiter_, streamOptions);
    node->grpc_->addService(node->eventService_.get());
    // Action services admit through the same broadcaster as TxService.Broadcast.
    node->providerService_ = std::make_unique<ProviderServiceImpl>(node->txService_->broadcaster());
    node->providerService_->setJobStreams(node->jobStreams_.get());
    node->clientService_ = std::make_unique<ClientServiceImpl>(node->txService_->broadcaster());
    node->clientService_->setJobStreams(node->jobStreams_.get());
    node->stakingService_ = std::make_unique<StakingServiceImpl>(*node->app_, node->txService_->broadcaster());
    node->grpc_->addService(node->providerService_.get());
    node->grpc_->addService(node->clientService_.get());
    node->grpc_->addService(node->stakingService_.get());
    return node;
}

void Node::onCommit(const CommitOutcome& o) {
    mempool_->update(o.txHashes, *app_->ledgerView());
    for (std::size_t i = 0; i < o.txHashes.size(); ++i) {
        const auto& r = o.results.txs[i];
        waiters_.notify(o.txHashes[i], CommittedTx{o.height, static_cast<std::uint32_t>(i), r.code, r.message,
                                                   r.feeCharged, r.events});
    }
    // Never blocks: slow subscribers are dropped, wakes run on the events thread.
    eventBus_->publish(blockEventsOf(o.height, o.txHashes, o.results));
}

Expected<void, std::string> Node::start() {
    eventsExecutor_->start();
    executor_->start();
    if (auto ok = driver_->start(); !ok) return ok;
    auto port = grpc_->start();
    if (!port) return fail(port.error());
    moduleLog("node")->info("chain {} at height {}, gRPC on port {}, {}", app_->genesis().genesis.chainId,
                 app_->lastHeight(), *port, driver_->isValidator() ? "validating" : "not a validator");
    return {};
}

void Node::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopped_) return;
        stopped_ = true;
    }
    cv_.notify_all();
    if (eventBus_) eventBus_->shutdown();  // open streams end now instead of holding up the gRPC shutdown
    if (grpc_) grpc_->shutdown(3000);
    if (executor_) executor_->stop();
    if (eventsExecutor_) eventsExecutor_->stop();
}

std::optional<std::string> Node::wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stopped_ || fatal_.has_value(); });
    return fatal_;
}

}  // namespace agora::node
