// The views of node/views (design decision 40), filled from ledger records
// by node/query/RecordViews: each view's typed record (toProto) carries
// exactly its JSON mapping (every JSON key is a field of the same name holding
// the same value, and the message has no other field), and fromProto reads
// the record back to an equal view. Records from a real chain round-trip too:
// test/node/rpc/MarketplaceRpcTest.cpp.
#include <catch2/catch.hpp>

#include <google/protobuf/descriptor.h>

#include "node/query/RecordViews.h"
#include "node/views/GovViews.h"
#include "node/views/MarketViews.h"
#include "node/views/StakingViews.h"
#include "support/SampleMessages.h"

using namespace agora;
using namespace agora::node;
namespace q = agora::query::v1;
namespace pb = google::protobuf;

namespace {

void requireSame(const ViewJson& j, const pb::Message& m, const std::string& path);

void requireSameValue(const ViewJson& v, const pb::Message& m, const pb::FieldDescriptor* f, int index,
                      const std::string& path) {
    const auto* r = m.GetReflection();
    const bool rep = index >= 0;
    switch (f->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            if (!rep && v.is_null()) {
                REQUIRE_FALSE(r->HasField(m, f));
                return;
            }
            requireSame(v, rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), path);
            return;
        case pb::FieldDescriptor::CPPTYPE_STRING:
            REQUIRE(v.is_string());
            REQUIRE(v.get<std::string>() == (rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f)));
            return;
        case pb::FieldDescriptor::CPPTYPE_UINT64:
            REQUIRE(v.is_number_unsigned());
            REQUIRE(v.get<std::uint64_t>() == (rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f)));
            return;
        case pb::FieldDescriptor::CPPTYPE_UINT32:
            REQUIRE(v.is_number_unsigned());
            REQUIRE(v.get<std::uint64_t>() == (rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f)));
            return;
        case pb::FieldDescriptor::CPPTYPE_BOOL:
            REQUIRE(v.is_boolean());
            REQUIRE(v.get<bool>() == (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)));
            return;
        default:
            FAIL("unexpected field type at " << path);
    }
}

void requireSame(const ViewJson& j, const pb::Message& m, const std::string& path) {
    INFO(path);
    REQUIRE(j.is_object());
    const auto* d = m.GetDescriptor();
    REQUIRE(j.size() == static_cast<std::size_t>(d->field_count()));
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string at = path + "." + it.key();
        INFO(at);
        const auto* f = d->FindFieldByName(it.key());
        REQUIRE(f != nullptr);
        if (f->is_repeated()) {
            REQUIRE(it.value().is_array());
            REQUIRE(it.value().size() == static_cast<std::size_t>(m.GetReflection()->FieldSize(m, f)));
            for (std::size_t i = 0; i < it.value().size(); ++i)
                requireSameValue(it.value()[i], m, f, static_cast<int>(i), at + "[" + std::to_string(i) + "]");
        } else {
            requireSameValue(it.value(), m, f, -1, at);
        }
    }
}

Resources sampleResources(std::uint64_t base) {
    return Resources{base, base + 1, base + 2, {{"a100", 2}, {"h100", 1}}};
}

// view -> record -> view is the identity, and the record carries the view's JSON.
template <typename View, typename Record, typename ToJson>
void requireRoundTrip(const View& view, ToJson&& toJson, const std::string& what) {
    INFO(what);
    Record record;
    toProto(view, &record);
    requireSame(toJson(view), record, what);
    const auto back = fromProto(record);
    REQUIRE(back.has_value());
    REQUIRE(*back == view);
}

}  // namespace

TEST_CASE("typed provider, job and bid records carry their JSON field for field and read back equal", "[views][json]") {
    contracts::Provider p;
    p.address = test::sampleAddress(5);
    p.hostUri = "https://x";
    p.attributes = {{"region", "eu"}, {"tier", "gold"}};
    p.capacity = Resources{4000, 100, 10, {{"a100", 2}}};
    p.reserved = Resources{1000, 1, 2, {{"a100", 1}}};
    p.stake = Amount(7);
    p.offerCount = 2;
    p.openLeases = 3;
    p.registeredHeight = 11;
    const ProviderView pv =
        providerView(p, {OfferView{3, PriceSchedule{Amount(1), Amount(2), Amount(3), {{"a100", Amount(9)}}}},
                         OfferView{4, PriceSchedule{Amount(4), Amount(5), Amount(6), {}}}});
    REQUIRE(pv.free == Resources{3000, 99, 8, {{"a100", 1}}});
    requireRoundTrip<ProviderView, q::ProviderRecord>(pv, providerJson, "provider");

    contracts::Job j;
    j.id = 2;
    j.client = test::sampleAddress(1);
    j.resources = sampleResources(500);
    j.constraints = {{"region", "eu"}};
    j.maxPricePerSecond = Amount(100);
    j.durationSeconds = 50;
    j.biddingEndHeight = 70;
    j.minReputation = 400'000;
    j.deposit = Amount(1'000);
    j.state = contracts::JobState::Leased;
    j.openBids = 4;
    j.leaseId = 8;
    j.manifestHash = sha256(Bytes{1, 2, 3});
    requireRoundTrip<JobView, q::JobRecord>(jobView(j), jobJson, "job");

    contracts::Bid b;
    b.id = 4;
    b.jobId = 2;
    b.provider = test::sampleAddress(3);
    b.pricePerSecond = Amount(18'446'744'073'709'551'615ULL);
    b.deposit = Amount(1'000'000);
    b.state = contracts::BidState::Lost;
    b.createdHeight = 9;
    requireRoundTrip<BidView, q::BidRecord>(bidView(b), bidJson, "bid");
}

TEST_CASE("typed lease, reputation and client records carry their JSON field for field and read back equal",
          "[views][json]") {
    contracts::Lease l;
    l.id = 6;
    l.client = test::sampleAddress(1);
    l.provider = test::sampleAddress(3);
    l.jobId = 2;
    l.resources = sampleResources(1000);
    l.pricePerSecond = Amount(100);
    l.startHeight = 10;
    l.startTime = 1'700'000'010'000;
    l.endTime = 1'700'000'110'000;
    l.paidThrough = 1'700'000'030'000;
    l.escrow = Amount(3'000);
    l.accrued = Amount(1'500);
    l.paidOut = Amount(500);
    l.burned = Amount(10);
    l.refunded = Amount(7);
    l.deposited = Amount(5'007);
    l.state = contracts::LeaseState::Closed;
    l.dueTime = 1'700'000'060'000;
    l.graceTime = 1'700'000'061'000;
    l.closeHeight = 62;
    l.closeTime = 1'700'000'062'500;
    l.closeReason = CloseReason::Completed;
    l.settled = true;
    l.rating = 5;
    l.manifestHash = sha256(Bytes{4});
    requireRoundTrip<LeaseView, q::LeaseRecord>(leaseView(l, std::nullopt), leaseJson, "lease without usage");
    contracts::UsageRecord usage;
    usage.upToHeight = 40;
    usage.availabilityBps = 9'990;
    usage.metricsHash = sha256(Bytes{5});
    usage.reportedAt = 41;
    requireRoundTrip<LeaseView, q::LeaseRecord>(leaseView(l, usageView(usage)), leaseJson, "lease with usage");
    l.state = contracts::LeaseState::Active;  // the close reason shows only once closed
    REQUIRE(leaseView(l, std::nullopt).closeReason.empty());

    contracts::ProviderReputation rep;
    rep.completed = 3;
    rep.earlyCloses = 1;
    rep.slashes = 1;
    rep.totalPaid = Amount(900);
    rep.ratedValue = 800;
    rep.ratingSum = 4'000;
    rep.lastDecayTime = 1'700'000'012'000;
    rep.successWeight = 2'500'000;
    rep.failureWeight = 1'000'000;
    requireRoundTrip<ReputationView, q::ReputationRecord>(reputationView(test::sampleAddress(3), rep), reputationJson,
                                                          "reputation");

    contracts::ClientRecord cr;
    cr.leasesSettled = 4;
    cr.totalPaid = Amount(77);
    cr.earlyCloses = 1;
    requireRoundTrip<ClientRecordView, q::ClientRecord>(clientRecordView(test::sampleAddress(1), cr), clientRecordJson,
                                                        "client record");
}

TEST_CASE("typed validator, proposal and params records carry their JSON field for field and read back equal",
          "[views][json]") {
    contracts::Validator v;
    v.operatorAddress = test::sampleAddress(6);
    v.moniker = "val";
    v.commissionBps = 500;
    v.tokens = Amount(5'000'000);
    v.totalShares = 5'000'000;
    v.jailed = true;
    v.jailedUntil = 99;
    v.tombstoned = true;
    v.pendingRewards = Amount(3);
    v.maxCommissionBps = 2'000;
    v.maxCommissionChangeBps = 100;
    v.commissionChangedHeight = 8;
    const ValidatorView vv = validatorView(v);
    REQUIRE(vv.power == 0);  // jailed
    requireRoundTrip<ValidatorView, q::ValidatorRecord>(vv, validatorJson, "validator");

    contracts::Proposal prop;
    prop.id = 3;
    prop.proposer = test::sampleAddress(2);
    prop.title = "raise the fee";
    prop.changes = {{"min_gas_price", "2"}, {"max_block_txs", "10"}};
    prop.status = contracts::ProposalStatus::Failed;
    prop.submitHeight = 1;
    prop.depositEndHeight = 2;
    prop.votingStartHeight = 3;
    prop.votingEndHeight = 4;
    prop.totalDeposit = Amount(10);
    prop.depositsHeld = Amount(9);
    prop.failure = "invalid_params";
    const contracts::Tally tally{Amount(1), Amount(2), Amount(3), Amount(4), Amount(10)};
    requireRoundTrip<ProposalView, q::ProposalRecord>(proposalView(prop, tally), proposalJson, "proposal");

    const ParamsView params = paramsView(contracts::Params{});
    q::ParamsResponse resp;
    toProto(params, resp.mutable_params());
    REQUIRE(fromProto(resp.params()) == params);
    const auto j = paramsJson(params);
    REQUIRE(static_cast<std::size_t>(resp.params_size()) == j.size());
    std::size_t i = 0;
    for (auto it = j.begin(); it != j.end(); ++it, ++i) {
        const auto& rec = resp.params(static_cast<int>(i));
        INFO(rec.name());
        REQUIRE(rec.name() == it.key());
        REQUIRE(rec.is_amount() == it.value().is_string());
        REQUIRE(rec.value() == (it.value().is_string() ? it.value().get<std::string>() : it.value().dump()));
    }
}

TEST_CASE("a typed record with a malformed field does not read back", "[views]") {
    contracts::Bid b;
    b.id = 1;
    b.provider = test::sampleAddress(3);
    q::BidRecord good;
    toProto(bidView(b), &good);
    REQUIRE(fromProto(good).has_value());
    auto bad = good;
    bad.set_provider("agora1notbech32");
    REQUIRE_FALSE(fromProto(bad).has_value());
    bad = good;
    bad.set_price_per_second("1.5");  // amounts are decimal uagr
    REQUIRE_FALSE(fromProto(bad).has_value());

    q::LeaseRecord lease;
    contracts::Lease l;
    l.client = test::sampleAddress(1);
    l.provider = test::sampleAddress(3);
    toProto(leaseView(l, std::nullopt), &lease);
    REQUIRE(fromProto(lease).has_value());
    lease.set_manifest_hash("zz");
    REQUIRE_FALSE(fromProto(lease).has_value());

    contracts::Validator v;
    v.operatorAddress = test::sampleAddress(6);
    q::ValidatorRecord vr;
    toProto(validatorView(v), &vr);
    REQUIRE(fromProto(vr).has_value());
    vr.set_account(test::sampleAddress(7).toBech32());  // operator and account name one address
    REQUIRE_FALSE(fromProto(vr).has_value());
    toProto(validatorView(v), &vr);
    vr.set_power("-1");
    REQUIRE_FALSE(fromProto(vr).has_value());

    q::ParamsResponse params;
    toProto(paramsView(contracts::Params{}), params.mutable_params());
    params.mutable_params(0)->set_value("ten");
    REQUIRE_FALSE(fromProto(params.params()).has_value());
}
