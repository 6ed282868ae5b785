// StateQueries over an in-memory snapshot: the bounded scan of filtered
// listings, the escrow view computed with the ledger's accrual, cursor
// validation, and the stable JSON of records.
#include <catch2/catch.hpp>

#include "consensus/state/Sandbox.h"
#include "contracts/Keys.h"
#include "node/rpc/StateJson.h"
#include "node/rpc/StateQueries.h"
#include "support/SampleMessages.h"

using namespace agora;
using namespace agora::node;
namespace keys = contracts::keys;

namespace {

class MemorySnapshot final : public state::StateSnapshot {
public:
    MemorySnapshot(const state::MemoryState& s, std::uint64_t version) : state_(s), version_(version) {}
    std::optional<Bytes> get(ByteSpan key) const override { return state_.get(key); }
    void scan(ByteSpan prefix, ByteSpan start, const state::ScanVisitor& visit) const override {
        state_.scan(prefix, start, visit);
    }
    std::uint64_t version() const override { return version_; }
    Hash256 root() const override { return {}; }

private:
    const state::MemoryState& state_;
    std::uint64_t version_;
};

contracts::Lease lease(std::uint64_t id, const Address& client, const Address& provider) {
    contracts::Lease l;
    l.id = id;
    l.client = client;
    l.provider = provider;
    l.resources = Resources{1000, 0, 0, {}};
    l.pricePerBlock = Amount(100);
    l.startHeight = 10;
    l.endHeight = 110;
    l.paidThrough = 10;
    l.escrow = Amount(5'000);
    l.deposited = Amount(5'000);
    l.dueHeight = 60;  // 5,000 / 100 = 50 blocks after 10
    return l;
}

}  // namespace

TEST_CASE("a filtered listing examines a bounded number of records per page and resumes from next_key",
          "[rpc][query]") {
    state::MemoryState s;
    const Address client = test::sampleAddress(1);
    const Address other = test::sampleAddress(2);
    const Address provider = test::sampleAddress(3);
    const std::uint64_t total = kScanBudget + 50;
    const std::uint64_t wanted = kScanBudget + 40;  // beyond the first page's budget
    for (std::uint64_t id = 1; id <= total; ++id)
        s.put(keys::lease(id), encode(lease(id, id == wanted || id == 3 ? client : other, provider)));
    StateQueries q(std::make_shared<MemorySnapshot>(s, 100));

    auto first = q.leases(client, std::nullopt, pageSpec({}, 0));
    REQUIRE(first.hasValue());
    REQUIRE(first->items.size() == 1);  // lease 3; the budget ran out before lease `wanted`
    REQUIRE(first->items[0].lease.id == 3);
    REQUIRE(first->nextKey == keys::lease(kScanBudget + 1));
    auto second = q.leases(client, std::nullopt, pageSpec(first->nextKey, 0));
    REQUIRE(second.hasValue());
    REQUIRE(second->items.size() == 1);
    REQUIRE(second->items[0].lease.id == wanted);
    REQUIRE(second->nextKey.empty());

    // An unfiltered page stops at its limit, exactly.
    auto byProvider = q.leases(std::nullopt, provider, pageSpec({}, 7));
    REQUIRE(byProvider->items.size() == 7);
    REQUIRE(byProvider->nextKey == keys::lease(8));
    // Limits are capped.
    REQUIRE(pageSpec({}, 5'000).limit == kMaxPageLimit);
    REQUIRE(pageSpec({}, 0).limit == kDefaultPageLimit);
    auto capped = q.leases(std::nullopt, provider, pageSpec({}, 5'000));
    REQUIRE(capped->items.size() == kMaxPageLimit);

    // A cursor of another listing, or of the wrong size, is refused.
    auto bad = q.leases(client, std::nullopt, pageSpec(keys::provider(provider), 0));
    REQUIRE_FALSE(bad.hasValue());
    REQUIRE(bad.error().kind == QueryErrorKind::InvalidArgument);
    REQUIRE_FALSE(q.leases(client, std::nullopt, pageSpec(Bytes{0x40, 1}, 0)).hasValue());
    REQUIRE_FALSE(q.leases(std::nullopt, std::nullopt, pageSpec({}, 0)).hasValue());
}

TEST_CASE("the escrow view accrues with the ledger's rule at the snapshot height and writes nothing", "[rpc][query]") {
    state::MemoryState s;
    const Address client = test::sampleAddress(1);
    const Address provider = test::sampleAddress(3);
    s.put(keys::lease(1), encode(lease(1, client, provider)));
    auto insufficient = lease(2, client, provider);
    insufficient.state = contracts::LeaseState::InsufficientFunds;
    insufficient.paidThrough = 60;
    insufficient.escrow = Amount(0);
    insufficient.accrued = Amount(5'000);
    insufficient.graceHeight = 80;
    s.put(keys::lease(2), encode(insufficient));
    const auto before = s.entries();

    StateQueries at30(std::make_shared<MemorySnapshot>(s, 30));
    auto e = at30.escrow(1);
    REQUIRE(e.hasValue());
    REQUIRE(e->height == 30);
    REQUIRE(e->accrued == Amount(2'000));  // 20 blocks x 100
    REQUIRE(e->remaining == Amount(3'000));
    REQUIRE(e->paidThrough == 30);
    REQUIRE(e->dryHeight == 60);
    REQUIRE(e->lease.escrow == Amount(5'000));  // the stored record, untouched

    // Past the dry height the escrow is exhausted, never negative.
    StateQueries at90(std::make_shared<MemorySnapshot>(s, 90));
    auto late = at90.escrow(1);
    REQUIRE(late->accrued == Amount(5'000));
    REQUIRE(late->remaining == Amount(0));

    auto dry = at30.escrow(2);
    REQUIRE(dry->dryHeight == 60);
    REQUIRE(dry->accrued == Amount(5'000));
    REQUIRE(dry->remaining == Amount(0));

    REQUIRE(at30.escrow(3).error().kind == QueryErrorKind::NotFound);
    REQUIRE(s.entries() == before);
}

TEST_CASE("record JSON is stable: fixed key order, amounts as strings, bech32 addresses", "[rpc][json]") {
    contracts::Bid b;
    b.id = 4;
    b.jobId = 2;
    b.provider = test::sampleAddress(3);
    b.pricePerBlock = Amount(18'446'744'073'709'551'615ULL);
    b.deposit = Amount(1'000'000);
    b.state = contracts::BidState::Lost;
    b.createdHeight = 9;
    REQUIRE(json::dump(json::bid(b)) ==
            R"({"id":4,"job_id":2,"provider":")" + b.provider.toBech32() +
                R"(","price_per_block":"18446744073709551615","deposit":"1000000","state":"lost","created_height":9})");

    contracts::Provider p;
    p.address = test::sampleAddress(5);
    p.hostUri = "https://x";
    p.attributes = {{"region", "eu"}};
    p.capacity = Resources{4000, 100, 10, {{"a100", 2}}};
    p.reserved = Resources{1000, 0, 0, {{"a100", 1}}};
    p.stake = Amount(7);
    const auto j = json::provider(p, {json::OfferEntry{3, PriceSchedule{Amount(1), Amount(2), Amount(3), {}}}});
    REQUIRE(j["free"]["cpu_millicores"] == 3000);
    REQUIRE(j["free"]["gpus"][0]["count"] == 1);
    REQUIRE(j["stake"] == "7");
    REQUIRE(j["offers"][0]["offer_id"] == 3);
    REQUIRE(j["offers"][0]["per_storage_gib"] == "3");

    contracts::Validator v;
    v.operatorAddress = test::sampleAddress(6);
    v.tokens = Amount(5);
    const auto vj = json::validator(v);
    REQUIRE(vj["operator"].get<std::string>().rfind("agoravaloper1", 0) == 0);
    REQUIRE(vj["account"].get<std::string>().rfind("agora1", 0) == 0);
    REQUIRE(vj["power"] == "5");
}
