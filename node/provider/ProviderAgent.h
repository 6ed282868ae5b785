#pragma once
// agora-provider's daemon: wires the chain client, the signer, the agent
// store, the runtime, the bid engine, the lease manager and the gateway, and
// runs the block loop (docs/provider.md). Stopping it (SIGTERM) stops the
// gateway and the loop but never a workload: leases outlive the agent.

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "node/provider/ProviderConfig.h"
#include "node/provider/runtime/Runtime.h"

namespace agora::provider {

class ChainClient;
class TxSender;
class AgentStore;
class PricePolicy;
class BidEngine;
class LeaseManager;
class GatewayServer;

struct AgentOptions {
    std::filesystem::path home;
    ProviderConfig config;
    std::string passphrase;
    // The runtime; built from the config when null (tests may pass their own).
    std::unique_ptr<Runtime> runtime;
    // Command prefix that runs the workload shim ({"/path/agora-provider", "shim"}).
    std::vector<std::string> shimCommand;
};

class ProviderAgent {
public:
    explicit ProviderAgent(AgentOptions options);
    ~ProviderAgent();

    // Connects, registers or reconciles the provider record, recovers leases
    // and starts the gateway. Returns an error for what an operator must fix.
    Expected<void, std::string> start();
    // Runs the block loop until requestStop().
    void run();
    void requestStop();

private:
    void registerOrReconcile();
    // provider.toml's capacity, never above what the runtime has now (a
    // cluster's nodes come and go: the slurm runtime re-reads sinfo).
    Resources advertisedCapacity();
    // On the reconcile schedule: a provider_update when the capacity the
    // runtime reports moved away from the chain's record.
    void refreshCapacity();
    void followJobs();
    void followLeases();
    bool refreshView(std::uint64_t height);
    bool waitFor(std::chrono::milliseconds d);

    AgentOptions options_;
    std::string chainId_;
    std::unique_ptr<ChainClient> chain_;
    std::unique_ptr<TxSender> tx_;
    std::unique_ptr<AgentStore> store_;
    std::unique_ptr<PricePolicy> prices_;
    std::unique_ptr<BidEngine> bids_;
    std::unique_ptr<LeaseManager> leases_;
    std::unique_ptr<GatewayServer> gateway_;
    std::thread jobsThread_;
    std::thread leasesThread_;

    std::mutex stopMutex_;
    std::condition_variable stopCv_;
    std::atomic<bool> stop_{false};
    struct View;
    std::unique_ptr<View> view_;
};

}  // namespace agora::provider
