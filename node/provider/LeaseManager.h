#pragma once
// The lease manager (docs/provider.md "Leases"): one entry per open lease of
// this provider, from won to closed.
//
//   awaiting_manifest --SendManifest (hash = the lease's)--> running
//        | no manifest within manifest_timeout_blocks: close manifest_timeout
//   running --batch exits 0--> close completed; --non-zero / OOM--> close workload_failed
//   any   --chain closed the lease (client, escrow dry past grace, duration)--> stop the workload
//
// While running it reports usage and withdraws earnings on a schedule. The
// chain is the truth: recover() rebuilds the entries from the agent store, the
// runtime's workloads and the chain's open leases, and adopts every workload
// that still runs; a restart never stops a live lease's workload.
//
// Thread-safety: the agent thread calls recover/onBlock/reconcile; gateway
// threads call acceptManifest/status/events; all under one mutex.

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/MarketTypes.h"
#include "node/manifest/Manifest.h"
#include "node/provider/AgentStore.h"
#include "node/provider/ChainClient.h"
#include "node/provider/ProviderConfig.h"
#include "node/provider/TxSender.h"
#include "node/provider/runtime/Runtime.h"

namespace agora::provider {

enum class AgentLeaseState : std::uint8_t {
    AwaitingManifest = 0,
    Running = 1,
    Succeeded = 2,  // batch ended with exit 0; closing `completed`
    Failed = 3,     // the workload failed; closing `workload_failed`
    Closed = 4,     // closed on chain; workload stopped
};
std::string_view agentLeaseStateName(AgentLeaseState s);

// Stable error kinds of gateway calls; the gateway maps them to gRPC codes.
enum class LeaseCallError : std::uint8_t {
    NotFound = 1,   // no such lease of this provider
    NotClient = 2,  // the signer is not the lease's client
    LeaseClosed = 3,
    ManifestInvalid = 4,  // parse / validation error (message names field and line)
    ManifestHashMismatch = 5,
    ManifestExceedsLease = 6,
    ManifestConflict = 7,  // a different manifest already runs on the lease
    ChainUnavailable = 8,
    DeployFailed = 9,
};
std::string_view leaseCallErrorName(LeaseCallError e);

struct LeaseCallFailure {
    LeaseCallError error = LeaseCallError::NotFound;
    std::string message;
};

struct LeaseEventRecord {
    std::uint64_t seq = 0;
    std::uint64_t height = 0;
    std::string kind;
    std::string message;
};

struct LeaseStatusView {
    std::uint64_t leaseId = 0;
    AgentLeaseState state = AgentLeaseState::AwaitingManifest;
    std::string manifestHash;
    std::optional<WorkloadStatus> workload;
    std::string message;
    std::string closeReason;
};

struct LeaseManagerStats {
    std::size_t tracked = 0;
    std::size_t running = 0;
    std::uint64_t adopted = 0;
    std::uint64_t deployed = 0;
    std::uint64_t reports = 0;
    std::uint64_t withdrawals = 0;
    std::uint64_t closes = 0;
};

class LeaseManager {
public:
    LeaseManager(const ProviderConfig& config, ChainClient& chain, TxSender& tx, AgentStore& store, Runtime& runtime);

    // On start, before serving: entries from the store, the runtime and the chain.
    void recover(std::uint64_t height);
    // Every new block (agent thread).
    void onBlock(std::uint64_t height);
    // Lists the provider's leases on chain and adds the open ones not tracked yet.
    void reconcile(std::uint64_t height);
    // A lease_created event for this provider (stream thread): looked at on the next block.
    void noteLease(std::uint64_t leaseId);

    // Gateway calls; `signer` is the verified signer of the request.
    Expected<LeaseStatusView, LeaseCallFailure> acceptManifest(std::uint64_t leaseId, const Address& signer,
                                                               const std::string& bytes);
    Expected<LeaseStatusView, LeaseCallFailure> status(std::uint64_t leaseId, const Address& signer);
    Expected<std::vector<LeaseEventRecord>, LeaseCallFailure> events(std::uint64_t leaseId, const Address& signer,
                                                                     std::uint64_t afterSeq);
    // Checks the signer may read the lease (for logs, which the gateway reads from the runtime).
    Expected<void, LeaseCallFailure> authorize(std::uint64_t leaseId, const Address& signer);
    // True while the lease's workload may still produce output.
    bool workloadActive(std::uint64_t leaseId);

    LeaseManagerStats stats();
    Resources reservedLocally();

private:
    struct Entry {
        std::uint64_t id = 0;
        Address client;
        Resources resources;
        Hash256 manifestHash;
        std::uint64_t startHeight = 0;
        std::uint64_t endTime = 0;  // block time (ms since epoch) the lease ends
        AgentLeaseState state = AgentLeaseState::AwaitingManifest;
        manifest::WorkloadKind kind = manifest::WorkloadKind::Batch;
        std::string message;
        std::string closeReason;
        std::uint64_t lastReportHeight = 0;
        std::uint64_t lastWithdrawHeight = 0;
        std::uint64_t closeSentHeight = 0;                     // 0 = no close tx in flight
        CloseReason closeSentReason = CloseReason::Completed;  // what a retry sends again
        std::uint64_t closedHeight = 0;
        std::uint32_t redeploys = 0;
        std::vector<LeaseEventRecord> events;
        std::uint64_t nextSeq = 1;
    };

    // Builds an entry from the chain's lease JSON; nullopt if not ours.
    std::optional<Entry> entryFromChain(const node::LeaseView& lease) const;
    Expected<Entry*, LeaseCallFailure> findOrLoad(std::uint64_t leaseId, const Address& signer);
    void persist(const Entry& e);
    void event(Entry& e, std::uint64_t height, const std::string& kind, const std::string& message);
    Expected<void, RuntimeError> deploy(Entry& e, const std::string& bytes);
    void sendClose(Entry& e, std::uint64_t height, CloseReason reason, const std::string& why);
    void markClosed(Entry& e, std::uint64_t height, const std::string& reason);
    using ChainLease = Expected<std::optional<node::LeaseView>, std::string>;
    // One block's step of an entry; `fetched` is the chain's lease record read
    // for this block (nullptr: not read, the entry waits for the next block).
    void stepEntry(Entry& e, std::uint64_t height, const ChainLease* fetched);
    LeaseStatusView viewOf(Entry& e);

    const ProviderConfig& config_;
    ChainClient& chain_;
    TxSender& tx_;
    AgentStore& store_;
    Runtime& runtime_;

    std::mutex mutex_;
    std::map<std::uint64_t, Entry> entries_;
    std::set<std::uint64_t> noted_;
    std::uint64_t height_ = 0;
    LeaseManagerStats stats_;
};

}  // namespace agora::provider
