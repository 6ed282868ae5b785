#pragma once
// The agent's view of the chain: queries, broadcasts and the two streams it
// follows (WatchJobs, lease events), over the node's gRPC API. Thread-safe
// (gRPC stubs are); every call has a deadline and reports failures as values,
// so a node that restarts never takes the agent down.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>
#include "node/views/MarketViews.h"

#include "agora/events/v1/events.grpc.pb.h"
#include "agora/market/v1/market.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "consensus/core/Address.h"
#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"

namespace agora::provider {

// A tx found in a committed block.
struct CommittedTx {
    std::uint64_t height = 0;
    std::uint32_t code = 0;  // the tx's result code; 0 = every message applied
    std::string message;
};

struct BroadcastOutcome {
    std::uint32_t code = 0;  // admission code (0 = admitted); in commit mode the tx result code
    std::string message;
    std::uint64_t height = 0;
};

class ChainClient {
public:
    explicit ChainClient(std::string nodeAddress);

    const std::string& nodeAddress() const { return address_; }

    Expected<agora::query::v1::StatusResponse, std::string> status();
    Expected<agora::query::v1::AccountResponse, std::string> account(const Address& a);
    // Typed records (node/views). nullopt inside: not found. A record that
    // does not parse is an error (the node is not one this agent understands).
    Expected<std::optional<node::ProviderView>, std::string> provider(const Address& a);
    Expected<std::optional<node::LeaseView>, std::string> lease(std::uint64_t id);
    Expected<std::optional<node::JobView>, std::string> job(std::uint64_t id);
    Expected<agora::query::v1::EscrowResponse, std::string> escrow(std::uint64_t leaseId);
    Expected<std::uint32_t, std::string> reputationScore(const Address& provider);
    // Every lease of a provider (all pages).
    Expected<std::vector<node::LeaseView>, std::string> leasesOfProvider(const Address& provider);
    // Open bids of a job.
    Expected<std::vector<node::BidView>, std::string> openBids(std::uint64_t jobId);

    // nullopt inside: not in a committed block (yet, or ever).
    Expected<std::optional<CommittedTx>, std::string> committedTx(const Hash256& hash);

    // Sync mode: admission only. Errors: transport failures.
    Expected<BroadcastOutcome, std::string> broadcast(const Bytes& signedTx);

    // Streams: run on the caller's thread until cancelled or the stream ends;
    // `onItem` is called for each message. Returns the final status text ("" when cancelled).
    std::string watchJobs(const Address& provider, std::uint64_t fromHeight,
                          const std::function<void(const agora::market::v1::JobNotice&)>& onItem);
    std::string subscribe(const std::vector<std::string>& types,
                          const std::vector<std::pair<std::string, std::string>>& attributes,
                          const std::function<void(const agora::types::v1::Event&)>& onItem);
    // Cancels the streams in progress (shutdown).
    void cancelStreams();

private:
    std::string address_;
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<agora::query::v1::QueryService::Stub> query_;
    std::unique_ptr<agora::tx::v1::TxService::Stub> tx_;
    std::unique_ptr<agora::market::v1::ProviderService::Stub> providerSvc_;
    std::unique_ptr<agora::events::v1::EventService::Stub> events_;
    std::mutex streamsMutex_;
    std::vector<grpc::ClientContext*> streams_;
    bool cancelled_ = false;
};

}  // namespace agora::provider
