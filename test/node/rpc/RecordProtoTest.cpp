// The typed records of agora.query.v1 (node/rpc/RecordProto) carry exactly
// the JSON records of node/rpc/StateJson: every JSON key is a field of the
// same name holding the same value, and the message has no other field.
#include <catch2/catch.hpp>

#include <google/protobuf/descriptor.h>

#include "node/rpc/RecordProto.h"
#include "node/rpc/StateJson.h"
#include "support/SampleMessages.h"

using namespace agora;
using namespace agora::node;
namespace q = agora::query::v1;
namespace pb = google::protobuf;

namespace {

void requireSame(const json::Json& j, const pb::Message& m, const std::string& path);

void requireSameValue(const json::Json& v, const pb::Message& m, const pb::FieldDescriptor* f, int index,
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

void requireSame(const json::Json& j, const pb::Message& m, const std::string& path) {
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

}  // namespace

TEST_CASE("typed provider, job and bid records carry the JSON records field for field", "[rpc][json]") {
    ProviderView pv;
    auto& p = pv.provider;
    p.address = test::sampleAddress(5);
    p.hostUri = "https://x";
    p.attributes = {{"region", "eu"}, {"tier", "gold"}};
    p.capacity = Resources{4000, 100, 10, {{"a100", 2}}};
    p.reserved = Resources{1000, 1, 2, {{"a100", 1}}};
    p.stake = Amount(7);
    p.offerCount = 2;
    p.openLeases = 3;
    p.registeredHeight = 11;
    pv.offers = {OfferEntry{3, PriceSchedule{Amount(1), Amount(2), Amount(3), {{"a100", Amount(9)}}}},
                 OfferEntry{4, PriceSchedule{Amount(4), Amount(5), Amount(6), {}}}};
    q::ProviderRecord pr;
    toProto(pv, &pr);
    requireSame(json::provider(pv.provider, pv.offers), pr, "provider");

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
    q::JobRecord jr;
    toProto(j, &jr);
    requireSame(json::job(j), jr, "job");

    contracts::Bid b;
    b.id = 4;
    b.jobId = 2;
    b.provider = test::sampleAddress(3);
    b.pricePerSecond = Amount(18'446'744'073'709'551'615ULL);
    b.deposit = Amount(1'000'000);
    b.state = contracts::BidState::Lost;
    b.createdHeight = 9;
    q::BidRecord br;
    toProto(b, &br);
    requireSame(json::bid(b), br, "bid");
}

TEST_CASE("typed lease, reputation and client records carry the JSON records field for field", "[rpc][json]") {
    LeaseView lv;
    auto& l = lv.lease;
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
    q::LeaseRecord without;
    toProto(lv, &without);
    requireSame(json::lease(lv.lease, lv.usage), without, "lease without usage");
    lv.usage = contracts::UsageRecord{};
    lv.usage->upToHeight = 40;
    lv.usage->availabilityBps = 9'990;
    lv.usage->metricsHash = sha256(Bytes{5});
    lv.usage->reportedAt = 41;
    q::LeaseRecord with;
    toProto(lv, &with);
    requireSame(json::lease(lv.lease, lv.usage), with, "lease with usage");

    contracts::ProviderReputation rep;
    rep.completed = 3;
    rep.earlyCloses = 1;
    rep.slashes = 1;
    rep.totalPaid = Amount(900);
    rep.ratedValue = 800;
    rep.ratingSum = 4'000;
    rep.lastDecayHeight = 12;
    q::ReputationRecord rr;
    toProto(test::sampleAddress(3), rep, &rr);
    requireSame(json::reputation(test::sampleAddress(3), rep), rr, "reputation");

    contracts::ClientRecord cr;
    cr.leasesSettled = 4;
    cr.totalPaid = Amount(77);
    cr.earlyCloses = 1;
    q::ClientRecord crp;
    toProto(test::sampleAddress(1), cr, &crp);
    requireSame(json::clientRecord(test::sampleAddress(1), cr), crp, "client record");
}

TEST_CASE("typed validator, proposal and params records carry the JSON records field for field", "[rpc][json]") {
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
    q::ValidatorRecord vr;
    toProto(v, &vr);
    requireSame(json::validator(v), vr, "validator");

    ProposalView pv;
    pv.proposal.id = 3;
    pv.proposal.proposer = test::sampleAddress(2);
    pv.proposal.title = "raise the fee";
    pv.proposal.changes = {{"min_gas_price", "2"}, {"max_block_txs", "10"}};
    pv.proposal.status = contracts::ProposalStatus::Failed;
    pv.proposal.submitHeight = 1;
    pv.proposal.depositEndHeight = 2;
    pv.proposal.votingStartHeight = 3;
    pv.proposal.votingEndHeight = 4;
    pv.proposal.totalDeposit = Amount(10);
    pv.proposal.depositsHeld = Amount(9);
    pv.proposal.failure = "invalid_params";
    pv.tally = contracts::Tally{Amount(1), Amount(2), Amount(3), Amount(4), Amount(10)};
    q::ProposalRecord pr;
    toProto(pv, &pr);
    requireSame(json::proposal(pv.proposal, pv.tally), pr, "proposal");

    const contracts::Params params;
    q::ParamsResponse resp;
    toProto(params, resp.mutable_params());
    const auto j = json::params(params);
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
