#include "node/daemon/Node.h"

#include "node/base/ThreadFailure.h"

#include "node/base/Logging.h"

#include "node/base/NodeId.h"
#include "node/base/PeerAddress.h"
#include "node/daemon/PlainKeyFile.h"
#include "node/gateway/Gateway.h"
#include "node/p2p/PeerManager.h"
#include "node/p2p/SecureChannel.h"
#include "node/rpc/ClientServiceImpl.h"
#include "node/rpc/EventServiceImpl.h"
#include "node/rpc/JobStreams.h"
#include "node/rpc/ProviderServiceImpl.h"
#include "node/rpc/QueryServiceImpl.h"
#include "node/rpc/StakingServiceImpl.h"
#include "node/rpc/StreamLimiter.h"
#include "node/rpc/TxServiceImpl.h"
#include "node/storage/KeySpace.h"
#include "node/storage/NodeDatabase.h"
#include "node/sync/BlockSyncService.h"
#include "node/sync/GrpcBlockSource.h"
#include "node/sync/SnapshotStore.h"
#include "node/sync/SnapshotWriter.h"
#include "node/sync/StateSyncService.h"
#include "node/sync/StateSyncer.h"

namespace agora::node {

namespace {
Unexpected<std::string> fail(std::string m) {
    return Unexpected(std::move(m));
}
}  // namespace

namespace {

// State sync before the Application opens the database (docs/sync.md).
Expected<void, std::string> restoreByStateSync(const std::shared_ptr<leveldb::DB>& db, const NodeConfig& config,
                                               const std::string& chainId, const StateSyncStart& start) {
    auto log = moduleLog("statesync");
    std::string existing;
    const Bytes recordKey(1, keyspace::kChainRecord);
    const auto s =
        db->Get(leveldb::ReadOptions(), leveldb::Slice(reinterpret_cast<const char*>(recordKey.data()), 1), &existing);
    if (s.ok()) {
        log->info("state sync not needed: the database already holds a chain; starting from it");
        return {};
    }
    if (!s.IsNotFound()) return Unexpected("cannot read the chain record: " + s.ToString());
    std::vector<std::string> peers = start.peers;
    if (peers.empty()) {
        std::vector<PeerAddress> persistent;
        for (const auto& text : config.p2p.persistentPeers)
            if (auto addr = PeerAddress::parse(text)) persistent.push_back(*addr);
        peers = hostPortsOf(persistent);
    }
    if (peers.empty())
        return Unexpected(std::string("state sync: no peers (p2p.persistent_peers or --state-sync-peer)"));
    std::vector<std::unique_ptr<SnapshotSource>> sources;
    for (const auto& p : peers) sources.push_back(std::make_unique<GrpcSnapshotSource>(p, GrpcSnapshotSourceOptions{}));
    const auto started = std::chrono::steady_clock::now();
    log->info("state sync: restoring height {} (block {}) from {} peer(s)", start.trustHeight,
              start.trustBlockId.toHex(), sources.size());
    StateSyncer syncer(chainId, StateSyncTrust{start.trustHeight, start.trustBlockId}, std::move(sources));
    auto restored = syncer.run();
    if (!restored) return Unexpected("state sync: " + restored.error());
    if (auto ok = writeRestoredState(db, *restored); !ok) return ok;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    log->info("state sync: restored height {}: {} keys from {} chunks in {} ms; block sync continues from {}",
              start.trustHeight, restored->state.size(), restored->chunks, ms, start.trustHeight + 1);
    return {};
}

}  // namespace

Node::~Node() {
    stop();
}

Expected<std::unique_ptr<Node>, std::string> Node::open(const HomeLayout& home, NodeOverrides overrides) {
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
    dbo.writeBufferBytes = std::size_t{node->config_.storage.leveldbWriteBufferMib} * 1024 * 1024;
    auto db = openNodeDatabase(home.databaseDir().string(), dbo);
    if (!db) return fail("database: " + db.error().message());
    node->db_ = *db;
    if (overrides.stateSync) {
        auto ok = restoreByStateSync(node->db_, node->config_, genesis->genesis.chainId, *overrides.stateSync);
        if (!ok) return fail(ok.error());
    }

    node->sigCache_ = std::make_shared<SignatureCache>();
    Application::Options ao;
    ao.maxBlockTxs = node->config_.mempool.maxBlockTxs;
    ao.maxBlockBytes = node->config_.mempool.maxBlockBytes;
    ao.stateVersionsKept = node->config_.storage.stateVersionsKept;
    ao.retainBlocks = node->config_.storage.retainBlocks;
    ao.checkInvariants = ao.checkInvariants || node->config_.debug.checkInvariants;
    auto app = Application::open(std::move(*genesis), node->db_, ao, node->sigCache_);
    if (!app) return fail(app.error());
    node->app_ = std::move(*app);

    node->mempool_ =
        std::make_unique<Mempool>(MempoolLimits{node->config_.mempool.maxTxs, node->config_.mempool.maxBytes,
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
    dopt.createEmptyBlocks = cc.createEmptyBlocks;
    dopt.emptyBlocksIntervalMs = cc.emptyBlocksIntervalMs;
    dopt.maxBlockTimeAheadMs = cc.maxBlockTimeAheadMs;
    dopt.maxBlockTxs = node->config_.mempool.maxBlockTxs;
    dopt.maxBlockBytes = node->config_.mempool.maxBlockBytes;
    dopt.unsafeDoubleSignAt = overrides.unsafeDoubleSignAt;
    Node* self = node.get();

    // p2p (docs/p2p.md): its handlers reach the driver, built next.
    node->nodeKey_ = std::move(*nodeKey);
    const auto& pc = node->config_.p2p;
    P2pOptions popt;
    const std::string advertised = pc.externalAddress.empty() ? pc.listenAddress : pc.externalAddress;
    popt.self = LocalIdentity{node->app_->genesis().genesis.chainId, node->app_->genesis().hash(),
                              node->nodeKey_->publicKey(), advertised, node->config_.moniker};
    // Config loading refused any entry that does not parse (NodeConfig.cpp).
    for (const auto& text : pc.persistentPeers)
        if (auto addr = PeerAddress::parse(text)) popt.persistentPeers.push_back(*addr);
    const std::vector<PeerAddress> persistentPeers = popt.persistentPeers;
    popt.unconditionalPeerIds = {pc.unconditionalPeerIds.begin(), pc.unconditionalPeerIds.end()};
    popt.maxInboundPeers = pc.maxInboundPeers;
    popt.maxOutboundPeers = pc.maxOutboundPeers;
    popt.maxMessageBytes = pc.maxMessageBytes;
    popt.sendQueueMax = pc.sendQueueMax;
    popt.sendQueueMaxBytes = pc.sendQueueMaxBytes;
    popt.recvRate = RateLimit{pc.recvRateBytesPerSec, pc.recvRateMessagesPerSec};
    popt.peerExchange = pc.peerExchange;
    popt.tick = std::chrono::milliseconds(std::max<std::uint32_t>(cc.timeoutPrevoteMs, 100));
    GossipHandlers gh;
    gh.onProposal = [self](Proposal p) { self->driver_->receiveProposal(std::move(p)); };
    gh.onVote = [self](Vote v) { self->driver_->receiveVote(v); };
    gh.onEvidence = [self](DuplicateVoteEvidence e) { return self->driver_->receiveEvidence(std::move(e)); };
    // Admission before relay and buffering (docs/p2p.md "Admission", decisions 48 and 53).
    gh.admitProposal = [self](const Proposal& p) { return self->driver_->admitProposal(p); };
    gh.admitVote = [self](const Vote& v) { return self->driver_->admitVote(v); };
    gh.admitEvidence = [self](const DuplicateVoteEvidence& e) { return self->driver_->admitEvidence(e); };
    gh.onTx = [self](TxRef tx, std::uint64_t from) {
        self->mempool_->add(std::move(tx), *self->app_->ledgerView(), from);
    };
    // Pending txs for a peer that connects (docs/p2p.md "Gossip", decision 53).
    gh.pendingTxs = [self](std::size_t maxBytes) {
        std::vector<TxRef> txs;
        for (const auto& entry : self->mempool_->reap(SIZE_MAX, maxBytes)) txs.push_back(entry->tx);
        return txs;
    };
    gh.position = [self] {
        const auto st = self->driver_->status();
        return PeerPosition{st.height, st.round, st.step};
    };
    gh.catchUp = [self](const PeerPosition& peer) {
        auto c = self->driver_->catchUpFor(peer.height, peer.round);
        return CatchUpMessages{std::move(c.proposals), std::move(c.votes)};
    };
    node->peers_ = std::make_unique<PeerManager>(std::move(popt), *node->nodeKey_, std::move(gh));
    node->mempool_->setAdmittedHook([self](const TxRef& tx, std::uint64_t origin) {
        self->peers_->broadcastTx(*tx, origin);
        if (self->driver_) self->driver_->txsAvailable();
    });
    node->p2pGrpc_ =
        std::make_unique<GrpcServer>(GrpcServerOptions{pc.listenAddress, pc.maxMessageBytes + kSealedFrameOverhead,
                                                       (pc.maxInboundPeers + pc.maxOutboundPeers) * 2 + 16});
    node->p2pGrpc_->addService(node->peers_->gossipService());
    if (pc.allowFaultInjection) node->p2pGrpc_->addService(node->peers_->adminService());
    node->driver_ = std::make_unique<ConsensusDriver>(
        *node->app_, *node->mempool_, std::move(validatorKey), *node->signerState_, std::move(wal->first),
        std::move(wal->second.entries), *node->peers_, *node->executor_, dopt,
        [self](const CommitOutcome& o) { self->onCommit(o); }, [self](const std::string& err) { self->onFatal(err); });

    // Block sync: peers from p2p.persistent_peers, served on the p2p port.
    node->syncer_ = std::make_unique<BlockSyncer>(
        *node->app_,
        [](const std::string& address) { return std::make_unique<GrpcBlockSource>(address, GrpcBlockSourceOptions{}); },
        BlockSyncOptions{}, [self](const CommitOutcome& o) { self->onCommit(o); });
    node->syncer_->setPeers(hostPortsOf(persistentPeers));
    node->catchUp_ = std::make_unique<CatchUpController>(*node->app_, *node->syncer_, *node->driver_, CatchUpOptions{},
                                                         [self](const std::string& err) { self->onFatal(err); });
    node->blockSyncService_ = std::make_unique<BlockSyncService>(
        *node->app_, [self](const DuplicateVoteEvidence& e) { return self->driver_->submitEvidence(e); });
    node->p2pGrpc_->addService(node->blockSyncService_.get());
    // State sync: snapshots kept under data/snapshots are served whatever the
    // interval (a node that stopped taking them still serves what it has).
    auto snapshots = SnapshotStore::open(home.snapshotsDir());
    if (!snapshots) return fail(snapshots.error());
    node->snapshotStore_ = std::move(*snapshots);
    if (node->config_.statesync.snapshotInterval > 0)
        node->snapshotWriter_ = std::make_unique<SnapshotWriter>(
            *node->snapshotStore_,
            SnapshotPolicy{node->config_.statesync.snapshotInterval, node->config_.statesync.snapshotKeep,
                           node->config_.statesync.snapshotChunkBytes});
    node->stateSyncService_ = std::make_unique<StateSyncService>(*node->snapshotStore_);
    node->p2pGrpc_->addService(node->stateSyncService_.get());
    // Peers that report a higher height than ours trigger block sync (the
    // controller ignores small gaps: gossip catch-up covers those).
    // Sync sources: persistent peers plus every peer connected since (e.g.
    // learnt by peer exchange). A fault-injection partition cuts block sync
    // too: only unblocked peers are asked.
    node->peers_->setOnPeerConnected([self](const PeerInfo& p) { self->syncer_->addPeers({p.listenAddress}); });
    node->peers_->setOnBlockedChanged([self, persistentPeers](const std::set<std::string>& blocked) {
        std::vector<PeerAddress> open;
        for (const auto& peer : persistentPeers)
            if (blocked.count(peer.nodeId) == 0) open.push_back(peer);
        auto addresses = hostPortsOf(open);
        for (auto& a : self->peers_->connectedAddresses()) addresses.push_back(std::move(a));
        self->syncer_->setPeers(addresses);
    });
    node->peers_->setOnPeerAhead(
        [self](std::uint64_t peerHeight, const std::string&) { self->catchUp_->catchUp(peerHeight); });

    node->submitter_ = std::make_unique<TxSubmitter>(
        *node->mempool_, [self] { return self->app_->ledgerView(); }, node->waiters_);
    node->txService_ = std::make_unique<TxServiceImpl>(*node->submitter_, node->app_.get());
    node->queryService_ = std::make_unique<QueryServiceImpl>(
        *node->app_,
        [self] {
            auto st = self->driver_->status();
            st.catchingUp = self->catchUp_->catchingUp();
            return st;
        },
        nodeIdOf(node->nodeKey_->publicKey()),
        [self](const Address& a) { return self->mempool_->pendingNextNonce(a); });
    node->grpc_ = std::make_unique<GrpcServer>(GrpcServerOptions::fromConfig(node->config_.grpc));
    node->grpc_->addService(node->txService_.get());
    node->grpc_->addService(node->queryService_.get());

    node->eventsExecutor_ = std::make_unique<Executor>("events");
    Executor* events = node->eventsExecutor_.get();
    node->eventBus_ = std::make_unique<EventBus>(std::make_shared<StoredEventHistory>(*node->app_),
                                                 node->app_->lastHeight(), [events](std::function<void()> wake) {
                                                     if (!events->post(wake))
                                                         wake();  // stopping: the guarded wake is harmless inline
                                                 });
    // After every commit, by consensus or block sync (node/submit/AfterCommit).
    node->afterCommit_ = std::make_unique<AfterCommit>(
        *node->mempool_, [self] { return self->app_->ledgerView(); }, &node->driver_->evidencePool(),
        [self](const DuplicateVoteEvidence& e) { return self->app_->evidenceAdmissible(e); }, node->waiters_,
        node->eventBus_.get());
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
    if (node->config_.http.enabled) {
        // Stalled: no consensus progress for ten full rounds plus the commit pause (at least 10 s).
        const auto round = std::chrono::milliseconds(std::uint64_t{cc.timeoutProposeMs} + cc.timeoutPrevoteMs +
                                                     cc.timeoutPrecommitMs + cc.timeoutCommitMs);
        node->gateway_ = std::make_unique<Gateway>(
            node->config_.http,
            GatewayContext{*node->app_, *node->mempool_, node->waiters_, node->eventBus_->history(), *events,
                           [self](const TxRef& tx) { return self->submitter_->admit(tx); },
                           [self] {
                               auto st = self->driver_->status();
                               st.catchingUp = self->catchUp_->catchingUp();
                               return st;
                           },
                           nodeIdOf(node->nodeKey_->publicKey()),
                           std::max<std::chrono::milliseconds>(std::chrono::seconds(10), round * 10)});
        node->afterCommit_->addObserver(
            [self](const CommitOutcome& o, const std::shared_ptr<const BlockEvents>& blockEvents) {
                // Same family ChainMetrics registers (same name and help): refreshed once per block.
                self->gateway_->metrics()
                    .gauge("agora_p2p_peers", "Connected peers.")
                    .get()
                    .set(static_cast<std::int64_t>(self->peers_->peerCount()));
                self->gateway_->onCommit(o, blockEvents);
            });
        // gRPC calls by method and final status on /metrics (agora_grpc_requests_total).
        auto& grpcRequests = node->gateway_->metrics().counter(
            "agora_grpc_requests_total", "gRPC calls answered, by full method name and status code",
            {"method", "code"});
        // Peer messages the consensus executor refused because its external
        // lane was full (the node's own inputs are never refused).
        auto& dropped = node->gateway_->metrics()
                            .gauge("agora_consensus_peer_inputs_dropped",
                                   "Peer consensus messages dropped because the consensus input queue was full.")
                            .get();
        node->gateway_->metrics().addCollector(
            [&dropped, self] { dropped.set(static_cast<std::int64_t>(self->executor_->refused())); });
        // What p2p admission, the rate limits and the send queues dropped
        // (docs/api.md, docs/p2p.md "Admission" and "Limits"). Counters
        // brought up to the component's own monotonic totals at each scrape.
        auto& metrics = node->gateway_->metrics();
        auto& refused = metrics.counter("agora_p2p_consensus_refused_total",
                                        "Gossiped proposals and votes refused by admission (neither relayed nor "
                                        "buffered), by reason.",
                                        {"reason"});
        auto& evidenceRefused =
            metrics.counter("agora_p2p_evidence_refused_total",
                            "Gossiped duplicate-vote evidence dropped (not relayed), by reason.", {"reason"});
        auto& rateDropped = metrics.counter("agora_p2p_rate_limited_messages_total",
                                            "Inbound peer messages dropped over the peer's rate limit.");
        auto& rateDroppedBytes = metrics.counter("agora_p2p_rate_limited_bytes_total",
                                                 "Bytes of inbound peer messages dropped over the rate limit.");
        auto& sendDropped = metrics.counter("agora_p2p_send_queue_dropped_total",
                                            "Droppable messages not queued to a peer whose send queue was half full.");
        auto& disconnects =
            metrics.counter("agora_p2p_peer_disconnects_total", "Peers cut for their traffic, by reason.", {"reason"});
        auto& futureRefused = metrics.counter("agora_consensus_future_refused_total",
                                              "Messages of later heights not buffered, by reason.", {"reason"});
        auto& futureBytes =
            metrics.gauge("agora_consensus_future_buffered_bytes", "Bytes of messages buffered for later heights.");
        auto catchUp = [](Counter& c, std::uint64_t total) {
            if (total > c.value()) c.inc(total - c.value());
        };
        // Scrapes may run at once: one catches the counters up at a time.
        auto collectMu = std::make_shared<std::mutex>();
        metrics.addCollector([&refused, &evidenceRefused, &rateDropped, &rateDroppedBytes, &sendDropped, &disconnects,
                              &futureRefused, &futureBytes, self, catchUp, collectMu] {
            std::lock_guard lock(*collectMu);
            const P2pStats st = self->peers_->stats();
            for (std::size_t i = 0; i < kAdmissionCount; ++i) {
                const auto reason = static_cast<Admission>(i);
                if (admitted(reason)) continue;
                catchUp(refused.labels({std::string(admissionName(reason))}), st.refused[i]);
            }
            for (std::size_t i = 0; i < kEvidenceAdmissionCount; ++i) {
                const auto reason = static_cast<EvidenceAdmission>(i);
                if (reason == EvidenceAdmission::Admitted || reason == EvidenceAdmission::Pooled) continue;
                catchUp(evidenceRefused.labels({std::string(evidenceAdmissionName(reason))}), st.evidenceRefused[i]);
            }
            catchUp(rateDropped.get(), st.rateLimitedMessages);
            catchUp(rateDroppedBytes.get(), st.rateLimitedBytes);
            catchUp(sendDropped.get(), st.sendQueueDropped);
            catchUp(disconnects.labels({"rate_limit"}), st.rateDisconnects);
            catchUp(disconnects.labels({"admission"}), st.admissionDisconnects);
            catchUp(disconnects.labels({"send_queue_full"}), st.slowPeerDisconnects);
            const auto fb = self->driver_->futureBuffer();
            catchUp(futureRefused.labels({"admission"}), fb.refusedAdmission);
            catchUp(futureRefused.labels({"full"}), fb.refusedFull);
            catchUp(futureRefused.labels({"signer_full"}), fb.refusedSignerFull);
            futureBytes.get().set(static_cast<std::int64_t>(fb.bytes));
        });
        node->grpc_->setRequestObserver([&grpcRequests](std::string_view method, grpc::StatusCode code) {
            grpcRequests.labels({std::string(method), grpcCodeName(code)}).inc();
        });
    }
    return node;
}

Bytes Node::chainRecordBytes() const {
    // Written in the same batch as the block just committed.
    std::string raw;
    const char key = static_cast<char>(keyspace::kChainRecord);
    if (!db_->Get(leveldb::ReadOptions(), leveldb::Slice(&key, 1), &raw).ok()) return {};
    return Bytes(raw.begin(), raw.end());
}

void Node::onFatal(const std::string& err) {
    {
        std::lock_guard lock(mu_);
        fatal_ = err;
    }
    cv_.notify_all();
}

void Node::onCommit(const CommitOutcome& o) {
    // On the committing thread, before the next commit: the state snapshot is of o.height.
    if (snapshotWriter_ && snapshotWriter_->due(o.height))
        snapshotWriter_->onCommit(o.height, o.blockId, app_->snapshot(), chainRecordBytes());
    afterCommit_->apply(o);
}

Expected<void, std::string> Node::start() {
    // A thread whose body throws stops this node with the error (wait()
    // returns it) instead of terminating the process.
    threadFailureHandler_ = addThreadFailureHandler([this](const std::string& err) { onFatal(err); });
    eventsExecutor_->start();
    executor_->start();
    auto port = grpc_->start();
    if (!port) return fail(port.error());
    auto p2pPort = p2pGrpc_->start();
    if (!p2pPort) return fail("p2p: " + p2pPort.error());
    peers_->start();
    // Block sync first (when peers are ahead), then consensus; RPC serves meanwhile.
    catchUp_->start();
    std::uint16_t httpPort = 0;
    if (gateway_) {
        auto hp = gateway_->start();
        if (!hp) return fail(hp.error());
        httpPort = *hp;
    }
    moduleLog("node")->info("chain {} at height {}, gRPC on port {}, p2p on port {} as {}, HTTP on port {}, {}",
                            app_->genesis().genesis.chainId, app_->lastHeight(), *port, *p2pPort, peers_->selfId(),
                            httpPort, driver_->isValidator() ? "validating" : "full node (not a validator)");
    return {};
}

void Node::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopped_) return;
        stopped_ = true;
    }
    cv_.notify_all();
    if (gateway_) gateway_->stop();        // waiting commit-mode requests get 503, WebSocket clients going_away
    if (eventBus_) eventBus_->shutdown();  // open streams end now instead of holding up the gRPC shutdown
    if (catchUp_) catchUp_->stop();        // ends a running block sync between blocks
    if (peers_) peers_->stop();            // ends the p2p streams so the p2p server can stop
    if (grpc_) grpc_->shutdown(3000);
    if (p2pGrpc_) p2pGrpc_->shutdown(3000);
    if (executor_) executor_->stop();
    if (snapshotWriter_) snapshotWriter_->stop();  // after the last commit that could hand it a snapshot
    if (eventsExecutor_) eventsExecutor_->stop();
    if (threadFailureHandler_ != 0) removeThreadFailureHandler(threadFailureHandler_);
}

int Node::httpPort() const {
    return gateway_ ? gateway_->port() : 0;
}

std::optional<std::string> Node::wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stopped_ || fatal_.has_value(); });
    return fatal_;
}

}  // namespace agora::node
