// The service layer's StateQueries over an in-memory snapshot: the bounded
// scan of filtered listings, the escrow view computed with the ledger's
// accrual (and agreeing with it over many seeded leases), open jobs, the
// account view, cursor validation, and the stable JSON of records.
#include <random>

#include <catch2/catch.hpp>

#include "consensus/state/Sandbox.h"
#include "contracts/ApplyContext.h"
#include "contracts/Keys.h"
#include "contracts/Ledger.h"
#include "node/query/RecordViews.h"
#include "node/query/StateQueries.h"
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
    l.pricePerSecond = Amount(100);
    l.startHeight = 10;
    l.startTime = 10'000;
    l.endTime = 110'000;
    l.paidThrough = 10'000;
    l.escrow = Amount(5'000);
    l.deposited = Amount(5'000);
    l.dueTime = 60'000;  // 5,000 / 100 = 50 seconds after 10 s
    return l;
}

}  // namespace

TEST_CASE("a party's lease listing walks the ledger's party index: exact pages whatever else is stored",
          "[rpc][query]") {
    state::MemoryState s;
    const Address client = test::sampleAddress(1);
    const Address other = test::sampleAddress(2);
    const Address provider = test::sampleAddress(3);
    const std::uint64_t total = kScanBudget + 50;
    const std::uint64_t wanted = kScanBudget + 40;  // beyond what a budgeted scan of all leases would reach
    for (std::uint64_t id = 1; id <= total; ++id) {
        const Address& owner = id == wanted || id == 3 ? client : other;
        s.put(keys::lease(id), encode(lease(id, owner, provider)));
        s.put(keys::leaseOfClient(owner, id), {});  // as Leases::open writes them
        s.put(keys::leaseOfProvider(provider, id), {});
    }
    StateQueries q(std::make_shared<MemorySnapshot>(s, 100));

    auto first = q.leases(client, std::nullopt, pageSpec({}, 1));
    REQUIRE(first.hasValue());
    REQUIRE(first->items.size() == 1);
    REQUIRE(first->items[0].id == 3);
    REQUIRE(first->nextKey == keys::leaseOfClient(client, wanted));
    auto second = q.leases(client, std::nullopt, pageSpec(first->nextKey, 1));
    REQUIRE(second.hasValue());
    REQUIRE(second->items.size() == 1);
    REQUIRE(second->items[0].id == wanted);
    REQUIRE(second->nextKey.empty());
    // One page holds both: the listing visits the client's two entries only.
    auto all = q.leases(client, std::nullopt, pageSpec({}, 0));
    REQUIRE(all->items.size() == 2);
    REQUIRE(all->nextKey.empty());

    // A provider's page stops at its limit, exactly.
    auto byProvider = q.leases(std::nullopt, provider, pageSpec({}, 7));
    REQUIRE(byProvider->items.size() == 7);
    REQUIRE(byProvider->nextKey == keys::leaseOfProvider(provider, 8));
    // Limits are capped.
    REQUIRE(pageSpec({}, 5'000).limit == kMaxPageLimit);
    REQUIRE(pageSpec({}, 0).limit == kDefaultPageLimit);
    auto capped = q.leases(std::nullopt, provider, pageSpec({}, 5'000));
    REQUIRE(capped->items.size() == kMaxPageLimit);
    // Both parties: the client's index, filtered by provider.
    REQUIRE(q.leases(client, provider, pageSpec({}, 0))->items.size() == 2);
    REQUIRE(q.leases(client, other, pageSpec({}, 0))->items.empty());

    // A cursor of another listing, or of the wrong size, is refused.
    auto bad = q.leases(client, std::nullopt, pageSpec(keys::provider(provider), 0));
    REQUIRE_FALSE(bad.hasValue());
    REQUIRE(bad.error().kind == QueryErrorKind::InvalidArgument);
    REQUIRE_FALSE(q.leases(client, std::nullopt, pageSpec(keys::leaseOfProvider(provider, 1), 0)).hasValue());
    REQUIRE_FALSE(q.leases(client, std::nullopt, pageSpec(Bytes{0x45, 1}, 0)).hasValue());
    REQUIRE_FALSE(q.leases(std::nullopt, std::nullopt, pageSpec({}, 0)).hasValue());
}

TEST_CASE("the escrow view accrues with the ledger's rule at the snapshot's block time and writes nothing",
          "[rpc][query]") {
    state::MemoryState s;
    const Address client = test::sampleAddress(1);
    const Address provider = test::sampleAddress(3);
    s.put(keys::lease(1), encode(lease(1, client, provider)));
    auto insufficient = lease(2, client, provider);
    insufficient.state = contracts::LeaseState::InsufficientFunds;
    insufficient.paidThrough = 60'000;
    insufficient.escrow = Amount(0);
    insufficient.accrued = Amount(5'000);
    insufficient.graceTime = 80'000;
    s.put(keys::lease(2), encode(insufficient));
    const auto before = s.entries();

    // Height 7 at block time 30.5 s (the caller's, from the block store):
    // the view accrues by time, not by height.
    StateQueries at7(std::make_shared<MemorySnapshot>(s, 7));
    auto e = at7.escrow(1, 30'500);
    REQUIRE(e.hasValue());
    REQUIRE(e->height == 7);
    REQUIRE(e->time == 30'500);
    REQUIRE(e->accrued == Amount(2'000));  // 20 whole seconds x 100
    REQUIRE(e->remaining == Amount(3'000));
    REQUIRE(e->paidThrough == 30'000);
    REQUIRE(e->dryTime == 60'000);
    REQUIRE(e->lease.escrow == Amount(5'000));  // the stored record, untouched

    // Past the dry time the escrow is exhausted, never negative.
    StateQueries at8(std::make_shared<MemorySnapshot>(s, 8));
    auto late = at8.escrow(1, 90'000);
    REQUIRE(late->accrued == Amount(5'000));
    REQUIRE(late->remaining == Amount(0));

    auto dry = at7.escrow(2, 30'500);
    REQUIRE(dry->dryTime == 60'000);
    REQUIRE(dry->accrued == Amount(5'000));
    REQUIRE(dry->remaining == Amount(0));

    REQUIRE(at7.escrow(3, 30'500).error().kind == QueryErrorKind::NotFound);
    REQUIRE(s.entries() == before);
}

TEST_CASE(
    "the escrow view's accrual equals what a provider withdrawal at that block time accrues, over many seeded "
    "leases",
    "[rpc][query]") {
    // The view calls contracts::accrueTo; the ledger accrues when a lease is
    // touched. Touch each lease the ledger's way (a withdrawal, in a dropped
    // overlay) and compare: remaining escrow, paid-through height, and what
    // the provider is owed (accrued, plus whatever the withdrawal paid out).
    std::mt19937_64 rng(19);
    const Address client = test::sampleAddress(1);
    const Address provider = test::sampleAddress(3);
    std::size_t accruedSomething = 0;
    std::size_t saturated = 0;
    for (int i = 0; i < 2'000; ++i) {
        contracts::Lease l = lease(1, client, provider);
        const std::uint64_t price = rng() % 8 == 0 ? UINT64_MAX / (1 + rng() % 3) : 1 + rng() % 5'000;
        l.pricePerSecond = Amount(price);
        l.startTime = 1'000 * (rng() % 100) + rng() % 1'000;
        l.endTime = l.startTime + 1'000 * (1 + rng() % 300);
        l.paidThrough = l.startTime + 1'000 * (rng() % ((l.endTime - l.startTime) / 1'000 + 1));
        const std::uint64_t deposited = rng() % 1'000'000;
        const std::uint64_t escrow = rng() % (deposited + 1);
        const std::uint64_t accrued = rng() % (deposited - escrow + 1);
        l.deposited = Amount(deposited);
        l.escrow = Amount(escrow);
        l.accrued = Amount(accrued);
        l.paidOut = Amount(deposited - escrow - accrued);
        const auto pick = rng() % 10;
        l.state = pick < 8 ? contracts::LeaseState::Active
                           : (pick == 8 ? contracts::LeaseState::InsufficientFunds : contracts::LeaseState::Closed);
        const std::uint64_t height = 1 + rng() % 450;
        const std::uint64_t time = 1 + rng() % 450'000;

        state::MemoryState s;
        s.put(keys::lease(1), encode(l));
        const auto snap = std::make_shared<MemorySnapshot>(s, height);
        auto view = StateQueries(snap).escrow(1, time);
        REQUIRE(view.hasValue());

        state::Sandbox overlay(*snap);
        std::vector<state::Event> events;
        state::BlockContext block;
        block.height = height;
        block.time = time;
        const contracts::Params params = contracts::loadParams(*snap);
        contracts::ApplyContext ctx(overlay, block, params, events);
        contracts::Leases book(ctx);
        (void)book.withdraw(provider, MsgProviderWithdraw{1});
        const auto touched = book.get(1);
        REQUIRE(touched.has_value());

        INFO("lease " << i << " price " << price << " time " << time);
        REQUIRE(view->remaining == touched->escrow);
        REQUIRE(view->paidThrough == touched->paidThrough);
        REQUIRE(*view->accrued.checkedAdd(l.paidOut) == *touched->accrued.checkedAdd(touched->paidOut));
        if (view->accrued != l.accrued) ++accruedSomething;
        // Ran dry: the escrow could not pay the next whole second before the block time.
        if (l.state == contracts::LeaseState::Active && view->paidThrough + 1'000 <= std::min(time, l.endTime))
            ++saturated;
    }
    // The seeds cover both leases that accrue and leases whose escrow runs dry.
    REQUIRE(accruedSomething > 500);
    REQUIRE(saturated > 100);
}

TEST_CASE("open jobs come from the open-jobs index in bidding-end order, in exact pages", "[rpc][query]") {
    state::MemoryState s;
    const Address client = test::sampleAddress(1);
    // Jobs 1..5, bidding ending at heights 50, 40, 30, 20, 10; job 3 is no longer open.
    for (std::uint64_t id = 1; id <= 5; ++id) {
        contracts::Job j;
        j.id = id;
        j.client = client;
        j.biddingEndHeight = 60 - id * 10;
        if (id == 3) j.state = contracts::JobState::Cancelled;
        s.put(keys::job(id), encode(j));
        if (id != 3) s.put(keys::jobExpiry(j.biddingEndHeight, id), Bytes{});
    }
    StateQueries q(std::make_shared<MemorySnapshot>(s, 5));
    auto first = q.openJobs(pageSpec({}, 3));
    REQUIRE(first.hasValue());
    REQUIRE(first->items.size() == 3);
    REQUIRE(first->items[0].id == 5);
    REQUIRE(first->items[1].id == 4);
    REQUIRE(first->items[2].id == 2);
    REQUIRE_FALSE(first->nextKey.empty());
    auto second = q.openJobs(pageSpec(first->nextKey, 3));
    REQUIRE(second->items.size() == 1);
    REQUIRE(second->items[0].id == 1);
    REQUIRE(second->nextKey.empty());
    // A cursor of another listing is refused.
    auto bad = q.openJobs(pageSpec(keys::lease(1), 3));
    REQUIRE(bad.error().kind == QueryErrorKind::InvalidArgument);
}

TEST_CASE("the account view is zeros for an unknown address and its pending nonce never falls below the committed one",
          "[rpc][query]") {
    state::MemoryState s;
    const Address known = test::sampleAddress(1);
    const Address unknown = test::sampleAddress(2);
    contracts::Account acc;
    acc.balance = Amount(42);
    acc.nonce = 7;
    s.put(keys::account(known), encode(acc));
    s.put(keys::account(test::sampleAddress(4)), Bytes{0xff});
    StateQueries q(std::make_shared<MemorySnapshot>(s, 3));

    auto none = q.account(unknown);
    REQUIRE(none.hasValue());
    REQUIRE_FALSE(none->exists);
    REQUIRE(none->balance.isZero());
    REQUIRE(none->pendingNonce == 0);

    // A mempool behind the committed state (it is updated after the commit).
    auto behind = q.account(known, [](const Address&) { return std::optional<std::uint64_t>(5); });
    REQUIRE(behind->exists);
    REQUIRE(behind->balance == Amount(42));
    REQUIRE(behind->pendingNonce == 7);
    auto ahead = q.account(known, [](const Address&) { return std::optional<std::uint64_t>(9); });
    REQUIRE(ahead->pendingNonce == 9);

    auto broken = q.account(test::sampleAddress(4));
    REQUIRE(broken.error().kind == QueryErrorKind::DataLoss);
}

TEST_CASE("record JSON is stable: fixed key order, amounts as strings, bech32 addresses", "[rpc][json]") {
    contracts::Bid b;
    b.id = 4;
    b.jobId = 2;
    b.provider = test::sampleAddress(3);
    b.pricePerSecond = Amount(18'446'744'073'709'551'615ULL);
    b.deposit = Amount(1'000'000);
    b.state = contracts::BidState::Lost;
    b.createdHeight = 9;
    REQUIRE(
        jsonText(bidJson(bidView(b))) ==
        R"({"id":4,"job_id":2,"provider":")" + b.provider.toBech32() +
            R"(","price_per_second":"18446744073709551615","deposit":"1000000","state":"lost","created_height":9})");

    contracts::Provider p;
    p.address = test::sampleAddress(5);
    p.hostUri = "https://x";
    p.attributes = {{"region", "eu"}};
    p.capacity = Resources{4000, 100, 10, {{"a100", 2}}};
    p.reserved = Resources{1000, 0, 0, {{"a100", 1}}};
    p.stake = Amount(7);
    const auto j = providerJson(providerView(p, {OfferView{3, PriceSchedule{Amount(1), Amount(2), Amount(3), {}}}}));
    REQUIRE(j["free"]["cpu_millicores"] == 3000);
    REQUIRE(j["free"]["gpus"][0]["count"] == 1);
    REQUIRE(j["stake"] == "7");
    REQUIRE(j["offers"][0]["offer_id"] == 3);
    REQUIRE(j["offers"][0]["per_storage_gib"] == "3");

    contracts::Validator v;
    v.operatorAddress = test::sampleAddress(6);
    v.tokens = Amount(5);
    const auto vj = validatorJson(validatorView(v));
    REQUIRE(vj["operator"].get<std::string>().rfind("agoravaloper1", 0) == 0);
    REQUIRE(vj["account"].get<std::string>().rfind("agora1", 0) == 0);
    REQUIRE(vj["power"] == "5");
}
