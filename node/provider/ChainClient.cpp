#include "node/provider/ChainClient.h"

#include <chrono>

namespace agora::provider {

namespace q = agora::query::v1;
using nlohmann::json;

namespace {

void withDeadline(grpc::ClientContext& c, int seconds = 10) {
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

std::string failure(const grpc::Status& s) {
    return "node: " + std::to_string(static_cast<int>(s.error_code())) + " " + s.error_message();
}

std::shared_ptr<grpc::Channel> makeChannel(const std::string& address) {
    grpc::ChannelArguments args;
    // A channel of its own and quick reconnects: after a node restart the agent
    // must be back within a block or two, not after gRPC's default backoff.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    args.SetMaxReceiveMessageSize(16 << 20);
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// A typed record as its view (nullopt inside is never returned: the caller's
// not-found path is separate); an error when a field does not parse.
template <typename Record>
auto parsed(const Record& record, const char* what)
    -> Expected<std::optional<std::decay_t<decltype(*node::fromProto(record))>>, std::string> {
    auto v = node::fromProto(record);
    if (!v) return Unexpected("node sent a " + std::string(what) + " record that does not parse");
    return std::optional(std::move(*v));
}

}  // namespace

ChainClient::ChainClient(std::string nodeAddress)
    : address_(std::move(nodeAddress)),
      channel_(makeChannel(address_)),
      query_(q::QueryService::NewStub(channel_)),
      tx_(agora::tx::v1::TxService::NewStub(channel_)),
      providerSvc_(agora::market::v1::ProviderService::NewStub(channel_)),
      events_(agora::events::v1::EventService::NewStub(channel_)) {}

Expected<q::StatusResponse, std::string> ChainClient::status() {
    grpc::ClientContext c;
    withDeadline(c, 5);
    q::StatusResponse r;
    auto s = query_->Status(&c, q::StatusRequest{}, &r);
    if (!s.ok()) return Unexpected(failure(s));
    return r;
}

Expected<q::AccountResponse, std::string> ChainClient::account(const Address& a) {
    grpc::ClientContext c;
    withDeadline(c);
    q::AccountRequest req;
    req.set_address(a.toBech32());
    q::AccountResponse r;
    auto s = query_->Account(&c, req, &r);
    if (!s.ok()) return Unexpected(failure(s));
    return r;
}

Expected<std::optional<node::ProviderView>, std::string> ChainClient::provider(const Address& a) {
    grpc::ClientContext c;
    withDeadline(c);
    q::ProviderRequest req;
    req.set_address(a.toBech32());
    q::ProviderResponse r;
    auto s = query_->Provider(&c, req, &r);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<node::ProviderView>{};
    if (!s.ok()) return Unexpected(failure(s));
    return parsed(r.provider(), "provider");
}

Expected<std::optional<node::LeaseView>, std::string> ChainClient::lease(std::uint64_t id) {
    grpc::ClientContext c;
    withDeadline(c);
    q::LeaseRequest req;
    req.set_lease_id(id);
    q::LeaseResponse r;
    auto s = query_->Lease(&c, req, &r);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<node::LeaseView>{};
    if (!s.ok()) return Unexpected(failure(s));
    return parsed(r.lease(), "lease");
}

Expected<std::optional<node::JobView>, std::string> ChainClient::job(std::uint64_t id) {
    grpc::ClientContext c;
    withDeadline(c);
    q::JobRequest req;
    req.set_job_id(id);
    q::JobResponse r;
    auto s = query_->Job(&c, req, &r);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<node::JobView>{};
    if (!s.ok()) return Unexpected(failure(s));
    return parsed(r.job(), "job");
}

Expected<q::EscrowResponse, std::string> ChainClient::escrow(std::uint64_t leaseId) {
    grpc::ClientContext c;
    withDeadline(c);
    q::EscrowRequest req;
    req.set_lease_id(leaseId);
    q::EscrowResponse r;
    auto s = query_->Escrow(&c, req, &r);
    if (!s.ok()) return Unexpected(failure(s));
    return r;
}

Expected<std::uint32_t, std::string> ChainClient::reputationScore(const Address& provider) {
    grpc::ClientContext c;
    withDeadline(c);
    q::ReputationRequest req;
    req.set_provider(provider.toBech32());
    q::ReputationResponse r;
    auto s = query_->Reputation(&c, req, &r);
    if (!s.ok()) return Unexpected(failure(s));
    auto rep = node::fromProto(r.reputation());
    if (!rep || rep->score > UINT32_MAX)
        return Unexpected(std::string("node sent a reputation record that does not parse"));
    return static_cast<std::uint32_t>(rep->score);
}

Expected<std::vector<node::LeaseView>, std::string> ChainClient::leasesOfProvider(const Address& provider) {
    std::vector<node::LeaseView> out;
    std::string key;
    for (int page = 0; page < 10'000; ++page) {
        grpc::ClientContext c;
        withDeadline(c);
        q::LeasesRequest req;
        req.set_provider(provider.toBech32());
        req.mutable_page()->set_limit(200);
        if (!key.empty()) req.mutable_page()->set_key(key);
        q::LeasesResponse r;
        auto s = query_->Leases(&c, req, &r);
        if (!s.ok()) return Unexpected(failure(s));
        for (const auto& l : r.leases()) {
            auto v = parsed(l, "lease");
            if (!v) return Unexpected(v.error());
            out.push_back(std::move(**v));
        }
        key = r.page().next_key();
        if (key.empty()) break;
    }
    return out;
}

Expected<std::vector<node::BidView>, std::string> ChainClient::openBids(std::uint64_t jobId) {
    std::vector<node::BidView> out;
    grpc::ClientContext c;
    withDeadline(c);
    q::BidsRequest req;
    req.set_job_id(jobId);
    req.mutable_page()->set_limit(100);
    q::BidsResponse r;
    auto s = query_->Bids(&c, req, &r);
    if (!s.ok()) return Unexpected(failure(s));
    for (const auto& b : r.bids()) {
        auto v = parsed(b, "bid");
        if (!v) return Unexpected(v.error());
        out.push_back(std::move(**v));
    }
    return out;
}

Expected<std::optional<CommittedTx>, std::string> ChainClient::committedTx(const Hash256& hash) {
    grpc::ClientContext c;
    withDeadline(c);
    agora::tx::v1::GetTxRequest req;
    req.set_hash(std::string(reinterpret_cast<const char*>(hash.span().data()), hash.span().size()));
    agora::tx::v1::GetTxResponse r;
    auto s = tx_->GetTx(&c, req, &r);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<CommittedTx>{};
    if (!s.ok()) return Unexpected(failure(s));
    return std::optional<CommittedTx>(CommittedTx{r.height(), r.result().code(), r.result().message()});
}

Expected<BroadcastOutcome, std::string> ChainClient::broadcast(const Bytes& signedTx) {
    grpc::ClientContext c;
    withDeadline(c);
    agora::tx::v1::BroadcastRequest req;
    req.set_tx(std::string(signedTx.begin(), signedTx.end()));
    req.set_mode(agora::tx::v1::BROADCAST_MODE_SYNC);
    agora::tx::v1::BroadcastResponse r;
    auto s = tx_->Broadcast(&c, req, &r);
    if (!s.ok()) return Unexpected(failure(s));
    return BroadcastOutcome{r.code(), r.message(), r.height()};
}

namespace {
template <typename Reader, typename Item>
std::string drain(Reader& reader, Item& item, const std::function<void(const Item&)>& onItem) {
    while (reader->Read(&item)) onItem(item);
    auto s = reader->Finish();
    return s.ok() ? std::string("stream ended") : failure(s);
}
}  // namespace

std::string ChainClient::watchJobs(const Address& provider, std::uint64_t fromHeight,
                                   const std::function<void(const agora::market::v1::JobNotice&)>& onItem) {
    grpc::ClientContext c;
    {
        std::lock_guard lock(streamsMutex_);
        if (cancelled_) return "";
        streams_.push_back(&c);
    }
    agora::market::v1::WatchJobsRequest req;
    req.set_provider(provider.toBech32());
    req.set_from_height(fromHeight);
    auto reader = providerSvc_->WatchJobs(&c, req);
    agora::market::v1::JobNotice n;
    std::string result = drain(reader, n, onItem);
    std::lock_guard lock(streamsMutex_);
    streams_.erase(std::find(streams_.begin(), streams_.end(), &c));
    return cancelled_ ? std::string() : result;
}

std::string ChainClient::subscribe(const std::vector<std::string>& types,
                                   const std::vector<std::pair<std::string, std::string>>& attributes,
                                   const std::function<void(const agora::types::v1::Event&)>& onItem) {
    grpc::ClientContext c;
    {
        std::lock_guard lock(streamsMutex_);
        if (cancelled_) return "";
        streams_.push_back(&c);
    }
    agora::events::v1::SubscribeRequest req;
    for (const auto& t : types) req.add_types(t);
    for (const auto& [k, v] : attributes) {
        auto* a = req.add_attributes();
        a->set_key(k);
        a->set_value(v);
    }
    auto reader = events_->Subscribe(&c, req);
    agora::types::v1::Event e;
    std::string result = drain(reader, e, onItem);
    std::lock_guard lock(streamsMutex_);
    streams_.erase(std::find(streams_.begin(), streams_.end(), &c));
    return cancelled_ ? std::string() : result;
}

void ChainClient::cancelStreams() {
    std::lock_guard lock(streamsMutex_);
    cancelled_ = true;
    for (auto* c : streams_) c->TryCancel();
}

}  // namespace agora::provider
