#pragma once
// Node: one running agorad. Opens the home directory (config, genesis, keys,
// database), builds the Application, mempool, consensus driver and gRPC
// server, and runs until stop(). Shutdown order: stop accepting RPCs, stop
// consensus (the executor finishes its current task), close storage.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "node/app/Application.h"
#include "node/config/NodeConfig.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/daemon/HomeLayout.h"
#include "node/events/EventBus.h"
#include "node/genesis/GenesisFile.h"
#include "node/rpc/GrpcServer.h"
#include "node/submit/AfterCommit.h"
#include "node/submit/CommitWaiters.h"
#include "node/submit/TxSubmitter.h"
#include "node/sync/BlockSyncer.h"
#include "node/sync/CatchUpController.h"

namespace agora::node {

class TxServiceImpl;
class QueryServiceImpl;
class ProviderServiceImpl;
class ClientServiceImpl;
class StakingServiceImpl;
class EventServiceImpl;
class JobStreams;
class StreamLimiter;
class Gateway;
class PeerManager;

// `agorad start --state-sync` (docs/sync.md, "State sync"): restore the
// state of a trusted height from peers before starting, when the database is
// empty.
struct StateSyncStart {
    std::uint64_t trustHeight = 0;
    Hash256 trustBlockId;
    // host:port of the peers to ask; empty = the persistent peers.
    std::vector<std::string> peers;
};

// Start-time switches that are not operator configuration.
struct NodeOverrides {
    std::optional<StateSyncStart> stateSync;
    // TEST ONLY: equivocate at this height (DriverOptions::unsafeDoubleSignAt).
    std::optional<std::uint64_t> unsafeDoubleSignAt;
};
class BlockSyncService;
class SnapshotStore;
class SnapshotWriter;
class StateSyncService;

class Node {
public:
    static Expected<std::unique_ptr<Node>, std::string> open(const HomeLayout& home, NodeOverrides overrides = {});
    ~Node();

    Expected<void, std::string> start();
    // Idempotent; safe from any thread except the consensus executor.
    void stop();
    // Blocks until stop() or a fatal consensus error; returns the error, if any.
    std::optional<std::string> wait();

    int grpcPort() const { return grpc_ ? grpc_->port() : 0; }
    // 0 when [http] is disabled or not started.
    int httpPort() const;
    int p2pPort() const { return p2pGrpc_ ? p2pGrpc_->port() : 0; }
    // The p2p gRPC server (p2p.listen_address): Gossip, P2pAdmin when allowed;
    // other p2p services (block sync) register here before start().
    GrpcServer& p2pServer() { return *p2pGrpc_; }
    PeerManager& peers() { return *peers_; }
    ConsensusDriver& driver() { return *driver_; }
    // Block sync (docs/sync.md): the p2p layer reports learned peers and
    // peers that are ahead of us; evidence received from peers goes to
    // submitEvidence (verified, pooled for the next proposal).
    void addSyncPeers(const std::vector<std::string>& hostPorts) { syncer_->addPeers(hostPorts); }
    void catchUp(std::uint64_t peerHeight) { catchUp_->catchUp(peerHeight); }
    Expected<bool, std::string> submitEvidence(const DuplicateVoteEvidence& e) { return driver_->submitEvidence(e); }
    Application& app() { return *app_; }
    EventBus& eventBus() { return *eventBus_; }
    // WatchJobs / WatchBids entry points for the full Provider/Client services.
    JobStreams& jobStreams() { return *jobStreams_; }

private:
    Node() = default;
    void onCommit(const CommitOutcome& outcome);
    // The Application's chain record of the last commit, as stored.
    Bytes chainRecordBytes() const;
    void onFatal(const std::string& error);

    HomeLayout home_{""};
    NodeConfig config_;
    std::shared_ptr<leveldb::DB> db_;
    std::shared_ptr<SignatureCache> sigCache_;
    std::unique_ptr<Application> app_;
    std::unique_ptr<Mempool> mempool_;
    CommitWaiters waiters_;
    std::unique_ptr<TxSubmitter> submitter_;
    std::unique_ptr<AfterCommit> afterCommit_;
    std::unique_ptr<SignerStateFile> signerState_;
    std::optional<wallet::SecretKey> nodeKey_;
    std::unique_ptr<PeerManager> peers_;
    std::unique_ptr<GrpcServer> p2pGrpc_;
    std::unique_ptr<Executor> executor_;
    std::unique_ptr<ConsensusDriver> driver_;
    std::unique_ptr<TxServiceImpl> txService_;
    std::unique_ptr<QueryServiceImpl> queryService_;
    std::unique_ptr<ProviderServiceImpl> providerService_;
    std::unique_ptr<ClientServiceImpl> clientService_;
    std::unique_ptr<StakingServiceImpl> stakingService_;
    // Events (docs/events.md): wakes run on their own thread, never on consensus.
    std::unique_ptr<Executor> eventsExecutor_;
    std::unique_ptr<EventBus> eventBus_;
    std::unique_ptr<StreamLimiter> streamLimiter_;
    std::unique_ptr<EventServiceImpl> eventService_;
    std::unique_ptr<JobStreams> jobStreams_;
    std::unique_ptr<GrpcServer> grpc_;
    std::unique_ptr<Gateway> gateway_;  // HTTP/WebSocket/metrics ([http]); null when disabled
    // p2p gRPC server on p2p.listen_address: BlockSync (the p2p transport joins it).
    std::unique_ptr<BlockSyncer> syncer_;
    std::unique_ptr<CatchUpController> catchUp_;
    std::unique_ptr<BlockSyncService> blockSyncService_;
    // State snapshots for joining nodes (statesync.*; docs/sync.md, "State sync").
    std::unique_ptr<SnapshotStore> snapshotStore_;
    std::unique_ptr<SnapshotWriter> snapshotWriter_;  // null when statesync.snapshot_interval = 0
    std::unique_ptr<StateSyncService> stateSyncService_;

    std::mutex mu_;
    std::condition_variable cv_;
    bool stopped_ = false;
    std::optional<std::string> fatal_;
    std::uint64_t threadFailureHandler_ = 0;  // node/base/ThreadFailure.h; removed by stop()
};

}  // namespace agora::node
