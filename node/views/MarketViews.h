#pragma once
// The marketplace's ledger records as the node serves them (QueryService
// Provider/ListProviders/Job/OpenJobs/Bids/Lease/Leases/Reputation/
// ClientRecord, the matching GET /v1/... routes) and the clients read them
// (the CLI, the provider agent): for each record the view, its protobuf form
// both ways and its one JSON mapping (design decision 40). node/query fills
// the views from the ledger (derived values such as free capacity and the
// reputation score are computed there, by the contracts' own functions).
//
// JSON rules (docs/rpc.md "JSON records"): amounts (uagr) and u64 values
// that may exceed 2^53 are decimal strings; account addresses bech32
// agora1...; hashes lower-case hex; ids, heights and counts numbers; enums
// their snake_case names; keys in the order of the record's fields.
//
// fromProto returns nullopt when a field is malformed (an address that is not
// bech32, an amount or hash that does not parse).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/repeated_ptr_field.h>
#include <nlohmann/json.hpp>

#include "agora/query/v1/query.pb.h"
#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/MarketTypes.h"

namespace agora::node {

using ViewJson = nlohmann::ordered_json;

// ---- shared pieces ---------------------------------------------------------

void toProto(const Resources& r, agora::query::v1::ResourcesRecord* out);
std::optional<Resources> fromProto(const agora::query::v1::ResourcesRecord& record);
ViewJson resourcesJson(const Resources& r);

void toProto(const std::vector<Attribute>& attrs, google::protobuf::RepeatedPtrField<agora::types::v1::Attribute>* out);
std::vector<Attribute> fromProto(const google::protobuf::RepeatedPtrField<agora::types::v1::Attribute>& attrs);
ViewJson attributesJson(const std::vector<Attribute>& attrs);

ViewJson pricesJson(const PriceSchedule& p);

// Compact JSON text (no whitespace); invalid UTF-8 (host URIs and monikers
// are arbitrary bytes) is replaced rather than thrown on.
std::string jsonText(const ViewJson& j);

// ---- records -----------------------------------------------------------------

// A standing offer with its id.
struct OfferView {
    std::uint32_t offerId = 0;
    PriceSchedule prices;
    std::uint64_t version = 0;  // what lease_from_offer must name
    bool operator==(const OfferView&) const = default;
};

struct ProviderView {
    Address address;
    std::string hostUri;
    std::vector<Attribute> attributes;
    Resources capacity;
    Resources reserved;
    Resources free;  // capacity - reserved
    Amount stake;
    std::uint32_t offerCount = 0;
    std::uint64_t openLeases = 0;
    std::uint64_t registeredHeight = 0;
    std::vector<OfferView> offers;  // in offer id order
    bool operator==(const ProviderView&) const = default;
};

struct JobView {
    std::uint64_t id = 0;
    Address client;
    Resources resources;
    std::vector<Attribute> constraints;
    Amount maxPricePerSecond;           // uagr per second of block time
    std::uint64_t durationSeconds = 0;  // of block time
    std::uint64_t biddingEndHeight = 0;
    std::uint32_t minReputation = 0;
    Amount deposit;
    std::string state;  // open | leased | cancelled | expired
    std::uint32_t openBids = 0;
    std::uint64_t leaseId = 0;
    Hash256 manifestHash;
    bool operator==(const JobView&) const = default;
};

struct BidView {
    std::uint64_t id = 0;
    std::uint64_t jobId = 0;
    Address provider;
    Amount pricePerSecond;  // uagr per second of block time
    Amount deposit;
    std::string state;  // open | accepted | lost | withdrawn
    std::uint64_t createdHeight = 0;
    bool operator==(const BidView&) const = default;
};

struct UsageView {
    std::uint64_t upToHeight = 0;
    std::uint32_t availabilityBps = 0;
    Hash256 metricsHash;
    std::uint64_t reportedAt = 0;
    bool operator==(const UsageView&) const = default;
};

struct LeaseView {
    std::uint64_t id = 0;
    Address client;
    Address provider;
    std::uint64_t jobId = 0;  // 0 = from an offer
    Resources resources;
    Amount pricePerSecond;  // uagr per second of block time
    std::uint64_t startHeight = 0;
    std::uint64_t startTime = 0;    // block time (ms) of start_height
    std::uint64_t endTime = 0;      // block time (ms)
    std::uint64_t paidThrough = 0;  // block time (ms) paid up to
    Amount escrow;
    Amount accrued;
    Amount paidOut;  // gross, out of the lease to the provider side
    Amount burned;   // of paid_out: the protocol's take
    Amount refunded;
    Amount deposited;
    std::string state;            // active | insufficient_funds | closed
    std::uint64_t dueTime = 0;    // block time (ms)
    std::uint64_t graceTime = 0;  // block time (ms)
    std::uint64_t closeHeight = 0;
    std::uint64_t closeTime = 0;  // block time (ms) of close_height; 0 until closed
    std::string closeReason;      // "" until closed
    bool settled = false;
    std::uint32_t rating = 0;
    Hash256 manifestHash;
    std::optional<UsageView> usage;  // nullopt until the provider reports
    bool operator==(const LeaseView&) const = default;
};

struct ReputationView {
    Address provider;
    std::uint64_t score = 0;  // ppm
    std::uint64_t completed = 0;
    std::uint64_t earlyCloses = 0;
    std::uint64_t slashes = 0;
    Amount totalPaid;
    std::uint64_t ratedValue = 0;
    std::uint64_t ratingSum = 0;
    std::uint64_t lastDecayTime = 0;  // block time (ms)
    std::uint64_t successWeight = 0;  // ppm of a lease
    std::uint64_t failureWeight = 0;  // ppm of a lease
    bool operator==(const ReputationView&) const = default;
};

struct ClientRecordView {
    Address client;
    std::uint64_t leasesSettled = 0;
    Amount totalPaid;
    std::uint64_t earlyCloses = 0;
    bool operator==(const ClientRecordView&) const = default;
};

void toProto(const ProviderView& v, agora::query::v1::ProviderRecord* out);
std::optional<ProviderView> fromProto(const agora::query::v1::ProviderRecord& record);
ViewJson providerJson(const ProviderView& v);

void toProto(const JobView& v, agora::query::v1::JobRecord* out);
std::optional<JobView> fromProto(const agora::query::v1::JobRecord& record);
ViewJson jobJson(const JobView& v);

void toProto(const BidView& v, agora::query::v1::BidRecord* out);
std::optional<BidView> fromProto(const agora::query::v1::BidRecord& record);
ViewJson bidJson(const BidView& v);

void toProto(const LeaseView& v, agora::query::v1::LeaseRecord* out);
std::optional<LeaseView> fromProto(const agora::query::v1::LeaseRecord& record);
ViewJson leaseJson(const LeaseView& v);

void toProto(const ReputationView& v, agora::query::v1::ReputationRecord* out);
std::optional<ReputationView> fromProto(const agora::query::v1::ReputationRecord& record);
ViewJson reputationJson(const ReputationView& v);

void toProto(const ClientRecordView& v, agora::query::v1::ClientRecord* out);
std::optional<ClientRecordView> fromProto(const agora::query::v1::ClientRecord& record);
ViewJson clientRecordJson(const ClientRecordView& v);

}  // namespace agora::node
