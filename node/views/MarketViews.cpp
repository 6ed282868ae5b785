#include "node/views/MarketViews.h"

#include "node/views/ViewParse.h"

namespace agora::node {

namespace q = agora::query::v1;
namespace parse = viewparse;
using Json = ViewJson;

// ---- shared pieces ---------------------------------------------------------

void toProto(const Resources& r, q::ResourcesRecord* out) {
    out->set_cpu_millicores(r.cpuMillicores);
    out->set_memory_mib(r.memoryMib);
    out->set_storage_gib(r.storageGib);
    for (const auto& g : r.gpus) {
        auto* e = out->add_gpus();
        e->set_model(g.model);
        e->set_count(g.count);
    }
}

std::optional<Resources> fromProto(const q::ResourcesRecord& record) {
    Resources r;
    r.cpuMillicores = record.cpu_millicores();
    r.memoryMib = record.memory_mib();
    r.storageGib = record.storage_gib();
    for (const auto& g : record.gpus()) r.gpus.push_back(GpuCount{g.model(), g.count()});
    return r;
}

Json resourcesJson(const Resources& r) {
    Json gpus = Json::array();
    for (const auto& g : r.gpus) gpus.push_back(Json{{"model", g.model}, {"count", g.count}});
    return Json{{"cpu_millicores", r.cpuMillicores},
                {"memory_mib", r.memoryMib},
                {"storage_gib", r.storageGib},
                {"gpus", std::move(gpus)}};
}

void toProto(const std::vector<Attribute>& attrs,
             google::protobuf::RepeatedPtrField<agora::types::v1::Attribute>* out) {
    for (const auto& a : attrs) {
        auto* e = out->Add();
        e->set_key(a.key);
        e->set_value(a.value);
    }
}

std::vector<Attribute> fromProto(const google::protobuf::RepeatedPtrField<agora::types::v1::Attribute>& attrs) {
    std::vector<Attribute> out;
    out.reserve(static_cast<std::size_t>(attrs.size()));
    for (const auto& a : attrs) out.push_back(Attribute{a.key(), a.value()});
    return out;
}

Json attributesJson(const std::vector<Attribute>& attrs) {
    Json out = Json::array();
    for (const auto& a : attrs) out.push_back(Json{{"key", a.key}, {"value", a.value}});
    return out;
}

Json pricesJson(const PriceSchedule& p) {
    Json gpus = Json::array();
    for (const auto& g : p.gpus) gpus.push_back(Json{{"model", g.model}, {"per_gpu", g.perGpu.toString()}});
    return Json{{"per_cpu_millicore", p.perCpuMillicore.toString()},
                {"per_memory_mib", p.perMemoryMib.toString()},
                {"per_storage_gib", p.perStorageGib.toString()},
                {"gpus", std::move(gpus)}};
}

std::string jsonText(const Json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---- provider --------------------------------------------------------------

void toProto(const ProviderView& v, q::ProviderRecord* out) {
    out->set_address(v.address.toBech32());
    out->set_host_uri(v.hostUri);
    toProto(v.attributes, out->mutable_attributes());
    toProto(v.capacity, out->mutable_capacity());
    toProto(v.reserved, out->mutable_reserved());
    toProto(v.free, out->mutable_free());
    out->set_stake(v.stake.toString());
    out->set_offer_count(v.offerCount);
    out->set_open_leases(v.openLeases);
    out->set_registered_height(v.registeredHeight);
    for (const auto& o : v.offers) {
        auto* e = out->add_offers();
        e->set_offer_id(o.offerId);
        e->set_version(o.version);
        e->set_per_cpu_millicore(o.prices.perCpuMillicore.toString());
        e->set_per_memory_mib(o.prices.perMemoryMib.toString());
        e->set_per_storage_gib(o.prices.perStorageGib.toString());
        for (const auto& g : o.prices.gpus) {
            auto* gp = e->add_gpus();
            gp->set_model(g.model);
            gp->set_per_gpu(g.perGpu.toString());
        }
    }
}

std::optional<ProviderView> fromProto(const q::ProviderRecord& record) {
    ProviderView v;
    auto address = parse::address(record.address());
    auto stake = parse::amount(record.stake());
    auto capacity = fromProto(record.capacity());
    auto reserved = fromProto(record.reserved());
    auto free = fromProto(record.free());
    if (!address || !stake || !capacity || !reserved || !free) return std::nullopt;
    v.address = *address;
    v.hostUri = record.host_uri();
    v.attributes = fromProto(record.attributes());
    v.capacity = *capacity;
    v.reserved = *reserved;
    v.free = *free;
    v.stake = *stake;
    v.offerCount = record.offer_count();
    v.openLeases = record.open_leases();
    v.registeredHeight = record.registered_height();
    for (const auto& o : record.offers()) {
        OfferView offer;
        offer.offerId = o.offer_id();
        offer.version = o.version();
        auto cpu = parse::amount(o.per_cpu_millicore());
        auto mem = parse::amount(o.per_memory_mib());
        auto storage = parse::amount(o.per_storage_gib());
        if (!cpu || !mem || !storage) return std::nullopt;
        offer.prices.perCpuMillicore = *cpu;
        offer.prices.perMemoryMib = *mem;
        offer.prices.perStorageGib = *storage;
        for (const auto& g : o.gpus()) {
            auto per = parse::amount(g.per_gpu());
            if (!per) return std::nullopt;
            offer.prices.gpus.push_back(GpuPrice{g.model(), *per});
        }
        v.offers.push_back(std::move(offer));
    }
    return v;
}

Json providerJson(const ProviderView& v) {
    Json offers = Json::array();
    for (const auto& o : v.offers) {
        Json entry = Json{{"offer_id", o.offerId}, {"version", o.version}};
        const Json schedule = pricesJson(o.prices);  // named: items() refers to it
        for (const auto& [k, value] : schedule.items()) entry[k] = value;
        offers.push_back(std::move(entry));
    }
    return Json{{"address", v.address.toBech32()},
                {"host_uri", v.hostUri},
                {"attributes", attributesJson(v.attributes)},
                {"capacity", resourcesJson(v.capacity)},
                {"reserved", resourcesJson(v.reserved)},
                {"free", resourcesJson(v.free)},
                {"stake", v.stake.toString()},
                {"offer_count", v.offerCount},
                {"open_leases", v.openLeases},
                {"registered_height", v.registeredHeight},
                {"offers", std::move(offers)}};
}

// ---- job -------------------------------------------------------------------

void toProto(const JobView& v, q::JobRecord* out) {
    out->set_id(v.id);
    out->set_client(v.client.toBech32());
    toProto(v.resources, out->mutable_resources());
    toProto(v.constraints, out->mutable_constraints());
    out->set_max_price_per_second(v.maxPricePerSecond.toString());
    out->set_duration_seconds(v.durationSeconds);
    out->set_bidding_end_height(v.biddingEndHeight);
    out->set_min_reputation(v.minReputation);
    out->set_deposit(v.deposit.toString());
    out->set_state(v.state);
    out->set_open_bids(v.openBids);
    out->set_lease_id(v.leaseId);
    out->set_manifest_hash(v.manifestHash.toHex());
}

std::optional<JobView> fromProto(const q::JobRecord& record) {
    JobView v;
    auto client = parse::address(record.client());
    auto resources = fromProto(record.resources());
    auto maxPrice = parse::amount(record.max_price_per_second());
    auto deposit = parse::amount(record.deposit());
    auto manifest = parse::hash(record.manifest_hash());
    if (!client || !resources || !maxPrice || !deposit || !manifest || record.state().empty()) return std::nullopt;
    if (record.min_reputation() > UINT32_MAX || record.open_bids() > UINT32_MAX) return std::nullopt;
    v.id = record.id();
    v.client = *client;
    v.resources = *resources;
    v.constraints = fromProto(record.constraints());
    v.maxPricePerSecond = *maxPrice;
    v.durationSeconds = record.duration_seconds();
    v.biddingEndHeight = record.bidding_end_height();
    v.minReputation = static_cast<std::uint32_t>(record.min_reputation());
    v.deposit = *deposit;
    v.state = record.state();
    v.openBids = static_cast<std::uint32_t>(record.open_bids());
    v.leaseId = record.lease_id();
    v.manifestHash = *manifest;
    return v;
}

Json jobJson(const JobView& v) {
    return Json{{"id", v.id},
                {"client", v.client.toBech32()},
                {"resources", resourcesJson(v.resources)},
                {"constraints", attributesJson(v.constraints)},
                {"max_price_per_second", v.maxPricePerSecond.toString()},
                {"duration_seconds", v.durationSeconds},
                {"bidding_end_height", v.biddingEndHeight},
                {"min_reputation", v.minReputation},
                {"deposit", v.deposit.toString()},
                {"state", v.state},
                {"open_bids", v.openBids},
                {"lease_id", v.leaseId},
                {"manifest_hash", v.manifestHash.toHex()}};
}

// ---- bid -------------------------------------------------------------------

void toProto(const BidView& v, q::BidRecord* out) {
    out->set_id(v.id);
    out->set_job_id(v.jobId);
    out->set_provider(v.provider.toBech32());
    out->set_price_per_second(v.pricePerSecond.toString());
    out->set_deposit(v.deposit.toString());
    out->set_state(v.state);
    out->set_created_height(v.createdHeight);
}

std::optional<BidView> fromProto(const q::BidRecord& record) {
    BidView v;
    auto provider = parse::address(record.provider());
    auto price = parse::amount(record.price_per_second());
    auto deposit = parse::amount(record.deposit());
    if (!provider || !price || !deposit || record.state().empty()) return std::nullopt;
    v.id = record.id();
    v.jobId = record.job_id();
    v.provider = *provider;
    v.pricePerSecond = *price;
    v.deposit = *deposit;
    v.state = record.state();
    v.createdHeight = record.created_height();
    return v;
}

Json bidJson(const BidView& v) {
    return Json{{"id", v.id},
                {"job_id", v.jobId},
                {"provider", v.provider.toBech32()},
                {"price_per_second", v.pricePerSecond.toString()},
                {"deposit", v.deposit.toString()},
                {"state", v.state},
                {"created_height", v.createdHeight}};
}

// ---- lease -----------------------------------------------------------------

void toProto(const LeaseView& v, q::LeaseRecord* out) {
    out->set_id(v.id);
    out->set_client(v.client.toBech32());
    out->set_provider(v.provider.toBech32());
    out->set_job_id(v.jobId);
    toProto(v.resources, out->mutable_resources());
    out->set_price_per_second(v.pricePerSecond.toString());
    out->set_start_height(v.startHeight);
    out->set_start_time(v.startTime);
    out->set_end_time(v.endTime);
    out->set_paid_through(v.paidThrough);
    out->set_escrow(v.escrow.toString());
    out->set_accrued(v.accrued.toString());
    out->set_paid_out(v.paidOut.toString());
    out->set_burned(v.burned.toString());
    out->set_refunded(v.refunded.toString());
    out->set_deposited(v.deposited.toString());
    out->set_state(v.state);
    out->set_due_time(v.dueTime);
    out->set_grace_time(v.graceTime);
    out->set_close_height(v.closeHeight);
    out->set_close_time(v.closeTime);
    out->set_close_reason(v.closeReason);
    out->set_settled(v.settled);
    out->set_rating(v.rating);
    out->set_manifest_hash(v.manifestHash.toHex());
    if (v.usage) {
        auto* u = out->mutable_usage();
        u->set_up_to_height(v.usage->upToHeight);
        u->set_availability_bps(v.usage->availabilityBps);
        u->set_metrics_hash(v.usage->metricsHash.toHex());
        u->set_reported_at(v.usage->reportedAt);
    }
}

std::optional<LeaseView> fromProto(const q::LeaseRecord& record) {
    LeaseView v;
    auto client = parse::address(record.client());
    auto provider = parse::address(record.provider());
    auto resources = fromProto(record.resources());
    auto price = parse::amount(record.price_per_second());
    auto escrow = parse::amount(record.escrow());
    auto accrued = parse::amount(record.accrued());
    auto paidOut = parse::amount(record.paid_out());
    auto burned = parse::amount(record.burned());
    auto refunded = parse::amount(record.refunded());
    auto deposited = parse::amount(record.deposited());
    auto manifest = parse::hash(record.manifest_hash());
    if (!client || !provider || !resources || !price || !escrow || !accrued || !paidOut || !burned || !refunded ||
        !deposited || !manifest || record.state().empty())
        return std::nullopt;
    v.id = record.id();
    v.client = *client;
    v.provider = *provider;
    v.jobId = record.job_id();
    v.resources = *resources;
    v.pricePerSecond = *price;
    v.startHeight = record.start_height();
    v.startTime = record.start_time();
    v.endTime = record.end_time();
    v.paidThrough = record.paid_through();
    v.escrow = *escrow;
    v.accrued = *accrued;
    v.paidOut = *paidOut;
    v.burned = *burned;
    v.refunded = *refunded;
    v.deposited = *deposited;
    v.state = record.state();
    v.dueTime = record.due_time();
    v.graceTime = record.grace_time();
    v.closeHeight = record.close_height();
    v.closeTime = record.close_time();
    v.closeReason = record.close_reason();
    v.settled = record.settled();
    v.rating = record.rating();
    v.manifestHash = *manifest;
    if (record.has_usage()) {
        const auto& u = record.usage();
        auto metrics = parse::hash(u.metrics_hash());
        if (!metrics) return std::nullopt;
        v.usage = UsageView{u.up_to_height(), u.availability_bps(), *metrics, u.reported_at()};
    }
    return v;
}

Json leaseJson(const LeaseView& v) {
    Json out{{"id", v.id},
             {"client", v.client.toBech32()},
             {"provider", v.provider.toBech32()},
             {"job_id", v.jobId},
             {"resources", resourcesJson(v.resources)},
             {"price_per_second", v.pricePerSecond.toString()},
             {"start_height", v.startHeight},
             {"start_time", v.startTime},
             {"end_time", v.endTime},
             {"paid_through", v.paidThrough},
             {"escrow", v.escrow.toString()},
             {"accrued", v.accrued.toString()},
             {"paid_out", v.paidOut.toString()},
             {"burned", v.burned.toString()},
             {"refunded", v.refunded.toString()},
             {"deposited", v.deposited.toString()},
             {"state", v.state},
             {"due_time", v.dueTime},
             {"grace_time", v.graceTime},
             {"close_height", v.closeHeight},
             {"close_time", v.closeTime},
             {"close_reason", v.closeReason},
             {"settled", v.settled},
             {"rating", v.rating},
             {"manifest_hash", v.manifestHash.toHex()}};
    if (v.usage) {
        out["usage"] = Json{{"up_to_height", v.usage->upToHeight},
                            {"availability_bps", v.usage->availabilityBps},
                            {"metrics_hash", v.usage->metricsHash.toHex()},
                            {"reported_at", v.usage->reportedAt}};
    } else {
        out["usage"] = nullptr;
    }
    return out;
}

// ---- reputation and client record --------------------------------------------

void toProto(const ReputationView& v, q::ReputationRecord* out) {
    out->set_provider(v.provider.toBech32());
    out->set_score(v.score);
    out->set_completed(v.completed);
    out->set_early_closes(v.earlyCloses);
    out->set_slashes(v.slashes);
    out->set_total_paid(v.totalPaid.toString());
    out->set_rated_value(std::to_string(v.ratedValue));
    out->set_rating_sum(std::to_string(v.ratingSum));
    out->set_last_decay_time(v.lastDecayTime);
    out->set_success_weight(v.successWeight);
    out->set_failure_weight(v.failureWeight);
}

std::optional<ReputationView> fromProto(const q::ReputationRecord& record) {
    ReputationView v;
    auto provider = parse::address(record.provider());
    auto totalPaid = parse::amount(record.total_paid());
    auto ratedValue = parse::u64(record.rated_value());
    auto ratingSum = parse::u64(record.rating_sum());
    if (!provider || !totalPaid || !ratedValue || !ratingSum) return std::nullopt;
    v.provider = *provider;
    v.score = record.score();
    v.completed = record.completed();
    v.earlyCloses = record.early_closes();
    v.slashes = record.slashes();
    v.totalPaid = *totalPaid;
    v.ratedValue = *ratedValue;
    v.ratingSum = *ratingSum;
    v.lastDecayTime = record.last_decay_time();
    v.successWeight = record.success_weight();
    v.failureWeight = record.failure_weight();
    return v;
}

Json reputationJson(const ReputationView& v) {
    return Json{{"provider", v.provider.toBech32()},
                {"score", v.score},
                {"completed", v.completed},
                {"early_closes", v.earlyCloses},
                {"slashes", v.slashes},
                {"total_paid", v.totalPaid.toString()},
                {"rated_value", std::to_string(v.ratedValue)},
                {"rating_sum", std::to_string(v.ratingSum)},
                {"last_decay_time", v.lastDecayTime},
                {"success_weight", v.successWeight},
                {"failure_weight", v.failureWeight}};
}

void toProto(const ClientRecordView& v, q::ClientRecord* out) {
    out->set_client(v.client.toBech32());
    out->set_leases_settled(v.leasesSettled);
    out->set_total_paid(v.totalPaid.toString());
    out->set_early_closes(v.earlyCloses);
}

std::optional<ClientRecordView> fromProto(const q::ClientRecord& record) {
    ClientRecordView v;
    auto client = parse::address(record.client());
    auto totalPaid = parse::amount(record.total_paid());
    if (!client || !totalPaid) return std::nullopt;
    v.client = *client;
    v.leasesSettled = record.leases_settled();
    v.totalPaid = *totalPaid;
    v.earlyCloses = record.early_closes();
    return v;
}

Json clientRecordJson(const ClientRecordView& v) {
    return Json{{"client", v.client.toBech32()},
                {"leases_settled", v.leasesSettled},
                {"total_paid", v.totalPaid.toString()},
                {"early_closes", v.earlyCloses}};
}

}  // namespace agora::node
