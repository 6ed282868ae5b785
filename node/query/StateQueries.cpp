#include "node/query/StateQueries.h"

#include <algorithm>
#include <stdexcept>

#include "consensus/state/Sandbox.h"
#include "contracts/ApplyContext.h"
#include "contracts/Keys.h"
#include "contracts/LeaseAccrual.h"
#include "contracts/Ledger.h"
#include "contracts/ResourceMath.h"
#include "node/query/RecordViews.h"

namespace agora::node {

namespace keys = contracts::keys;

namespace {

Unexpected<QueryError> invalid(std::string message) {
    return Unexpected(QueryError{QueryErrorKind::InvalidArgument, std::move(message)});
}
Unexpected<QueryError> notFound(std::string message) {
    return Unexpected(QueryError{QueryErrorKind::NotFound, std::move(message)});
}

// The contracts' accessors need an ApplyContext over a writer: a throwaway
// overlay on the snapshot (nothing written through it is kept).
struct ReadContext {
    state::Sandbox overlay;
    std::vector<state::Event> events;
    contracts::ApplyContext ctx;
    ReadContext(const state::StateReader& base, const state::BlockContext& block, const contracts::Params& params)
        : overlay(base), ctx(overlay, block, params, events) {}
};

// A stored record that does not decode: the node's own state is broken.
template <typename T>
T decodeRecord(ByteSpan key, ByteSpan value) {
    auto v = decode<T>(value);
    if (!v) throw std::runtime_error("corrupt state record at key " + toHex(key));
    return std::move(v).value();
}

// A cursor must be a key of the listing: under its prefix, of its key size.
Expected<void, QueryError> checkCursor(const PageSpec& page, const Bytes& prefix, std::size_t keySize) {
    if (page.start.empty()) return {};
    if (page.start.size() != keySize || !std::equal(prefix.begin(), prefix.end(), page.start.begin()))
        return invalid("page key is not a cursor of this listing (pass back next_key unchanged)");
    return {};
}

// Examines keys under prefix from page.start; `take(key, value)` adds the
// record to the page when it matches. Stops at page.limit items or `budget`
// examined records; returns the first key not examined (empty at the end).
template <typename Take>
Bytes scanPage(const state::StateReader& state, const Bytes& prefix, const PageSpec& page, std::size_t budget,
               Take&& take) {
    Bytes next;
    std::size_t examined = 0;
    std::size_t taken = 0;
    state.scan(prefix, page.start, [&](ByteSpan key, ByteSpan value) {
        if (taken == page.limit || examined == budget) {
            next.assign(key.begin(), key.end());
            return false;
        }
        ++examined;
        if (take(key, value)) ++taken;
        return true;
    });
    return next;
}

std::vector<OfferView> offersOf(const state::StateReader& state, const Address& provider) {
    std::vector<OfferView> out;
    const Bytes prefix = keys::offersOf(provider);
    state.scan(prefix, {}, [&](ByteSpan key, ByteSpan value) {
        OfferView e;
        // key = 0x21 || provider(20) || offer_id(u32 big-endian)
        for (std::size_t i = 21; i < 25 && i < key.size(); ++i) e.offerId = (e.offerId << 8) | key[i];
        auto offer = decodeRecord<contracts::Offer>(key, value);
        e.prices = std::move(offer.prices);
        e.version = offer.version;
        out.push_back(std::move(e));
        return true;
    });
    return out;
}

std::optional<UsageView> usageOf(const state::StateReader& state, std::uint64_t leaseId) {
    const Bytes key = keys::usageReport(leaseId);
    auto raw = state.get(key);
    if (!raw) return std::nullopt;
    return usageView(decodeRecord<contracts::UsageRecord>(key, *raw));
}

bool providerMatches(const contracts::Provider& p, const ProviderFilter& f) {
    if (!contracts::attributesMatch(p.attributes, f.attributes)) return false;
    const auto free = contracts::subResources(p.capacity, p.reserved);
    if (!free) return false;
    if (free->cpuMillicores < f.minFreeCpuMillicores || free->memoryMib < f.minFreeMemoryMib ||
        free->storageGib < f.minFreeStorageGib)
        return false;
    if (!f.gpuModel.empty()) {
        const std::uint32_t want = std::max<std::uint32_t>(f.minFreeGpus, 1);
        auto it = std::find_if(free->gpus.begin(), free->gpus.end(),
                               [&](const GpuCount& g) { return g.model == f.gpuModel; });
        if (it == free->gpus.end() || it->count < want) return false;
    }
    return true;
}

}  // namespace

PageSpec pageSpec(ByteSpan cursor, std::uint32_t limit) {
    PageSpec p;
    p.start.assign(cursor.begin(), cursor.end());
    p.limit = limit == 0 ? kDefaultPageLimit : std::min(limit, kMaxPageLimit);
    return p;
}

QueryResult<Address> parseAddress(std::string_view text, std::string_view field) {
    if (text.empty()) return invalid(std::string(field) + " is required");
    auto a = Address::fromBech32(text);
    if (!a)
        return invalid(std::string(field) + " is not a bech32 agora1... address: " + std::string(errorName(a.error())));
    return *a;
}

StateQueries::StateQueries(std::shared_ptr<const state::StateSnapshot> snapshot)
    : snapshot_(std::move(snapshot)), params_(contracts::loadParams(*snapshot_)) {
    block_.height = snapshot_->version();
}

QueryResult<AccountView> StateQueries::account(const Address& a, const PendingNonce& pending) const {
    AccountView v;
    v.address = a;
    if (auto raw = snapshot_->get(keys::account(a))) {
        auto decoded = decode<contracts::Account>(*raw);
        if (!decoded) return Unexpected(QueryError{QueryErrorKind::DataLoss, "stored account does not decode"});
        v.balance = decoded->balance;
        v.nextNonce = decoded->nonce;
        v.exists = true;
    }
    v.pendingNonce = v.nextNonce;
    // The mempool can briefly hold txs the snapshot already committed (it is
    // updated after the commit): never below the committed nonce.
    if (pending) {
        if (auto p = pending(a)) v.pendingNonce = std::max(v.pendingNonce, *p);
    }
    return v;
}

QueryResult<ProviderView> StateQueries::provider(const Address& a) const {
    ReadContext rc(*snapshot_, block_, params_);
    auto p = contracts::Providers(rc.ctx).get(a);
    if (!p) return notFound("no provider " + a.toBech32());
    return providerView(*p, offersOf(*snapshot_, a));
}

QueryResult<Page<ProviderView>> StateQueries::providers(const ProviderFilter& filterIn, const PageSpec& page) const {
    const Bytes prefix = keys::one(keys::prefix::kProvider);
    if (auto ok = checkCursor(page, prefix, 1 + Address::kSize); !ok) return Unexpected(ok.error());
    if (filterIn.minFreeGpus != 0 && filterIn.gpuModel.empty()) return invalid("min_free_gpus needs gpu_model");
    ProviderFilter filter = filterIn;
    // attributesMatch merges two key-sorted lists.
    std::stable_sort(filter.attributes.begin(), filter.attributes.end(),
                     [](const Attribute& x, const Attribute& y) { return x.key < y.key; });
    Page<ProviderView> out;
    out.nextKey = scanPage(*snapshot_, prefix, page, kScanBudget, [&](ByteSpan key, ByteSpan value) {
        auto p = decodeRecord<contracts::Provider>(key, value);
        if (!providerMatches(p, filter)) return false;
        auto offers = offersOf(*snapshot_, p.address);
        out.items.push_back(providerView(p, std::move(offers)));
        return true;
    });
    return out;
}

QueryResult<JobView> StateQueries::job(std::uint64_t id) const {
    ReadContext rc(*snapshot_, block_, params_);
    auto j = contracts::Market(rc.ctx).job(id);
    if (!j) return notFound("no job " + std::to_string(id));
    return jobView(*j);
}

QueryResult<Page<JobView>> StateQueries::openJobs(const PageSpec& page) const {
    // Index 0x31 || bidding_end_height(8) || job_id(8): exactly the open jobs.
    const Bytes prefix = keys::one(keys::prefix::kJobExpiry);
    if (auto ok = checkCursor(page, prefix, 1 + 8 + 8); !ok) return Unexpected(ok.error());
    ReadContext rc(*snapshot_, block_, params_);
    contracts::Market market(rc.ctx);
    Page<JobView> out;
    out.nextKey = scanPage(*snapshot_, prefix, page, SIZE_MAX, [&](ByteSpan key, ByteSpan) {
        auto j = market.job(keys::u64At(key, 1 + 8));
        if (!j) throw std::runtime_error("open-jobs index names a missing job at key " + toHex(key));
        out.items.push_back(jobView(*j));
        return true;
    });
    return out;
}

QueryResult<Page<BidView>> StateQueries::bids(std::uint64_t jobId, bool includeClosed, const PageSpec& page) const {
    ReadContext rc(*snapshot_, block_, params_);
    contracts::Market market(rc.ctx);
    if (!market.job(jobId)) return notFound("no job " + std::to_string(jobId));
    Page<BidView> out;
    if (!includeClosed) {
        // Index 0x33 job_id bid_id: exactly the open bids, in bid id order.
        const Bytes prefix = keys::jobBidsPrefix(jobId);
        if (auto ok = checkCursor(page, prefix, prefix.size() + 8); !ok) return Unexpected(ok.error());
        out.nextKey = scanPage(*snapshot_, prefix, page, SIZE_MAX, [&](ByteSpan key, ByteSpan) {
            auto b = market.bid(keys::u64At(key, prefix.size()));
            if (!b) throw std::runtime_error("open-bid index names a missing bid at key " + toHex(key));
            out.items.push_back(bidView(*b));
            return true;
        });
        return out;
    }
    // Closed bids leave the job's indexes; only the bid table (0x32) has them.
    const Bytes prefix = keys::one(keys::prefix::kBid);
    if (auto ok = checkCursor(page, prefix, 1 + 8); !ok) return Unexpected(ok.error());
    out.nextKey = scanPage(*snapshot_, prefix, page, kScanBudget, [&](ByteSpan key, ByteSpan value) {
        auto b = decodeRecord<contracts::Bid>(key, value);
        if (b.jobId != jobId) return false;
        out.items.push_back(bidView(b));
        return true;
    });
    return out;
}

QueryResult<LeaseView> StateQueries::lease(std::uint64_t id) const {
    ReadContext rc(*snapshot_, block_, params_);
    auto l = contracts::Leases(rc.ctx).get(id);
    if (!l) return notFound("no lease " + std::to_string(id));
    return leaseView(*l, usageOf(*snapshot_, id));
}

QueryResult<Page<LeaseView>> StateQueries::leases(const std::optional<Address>& client,
                                                  const std::optional<Address>& provider, const PageSpec& page) const {
    if (!client && !provider) return invalid("name the lease owner (client) or the provider");
    // The ledger's party index (0x45 client lease / 0x46 provider lease):
    // O(the party's leases), whatever else is stored. With both parties the
    // client's index is walked and filtered by provider (budgeted).
    const Bytes prefix = client ? keys::leasesOfClient(*client) : keys::leasesOfProvider(*provider);
    if (auto ok = checkCursor(page, prefix, 1 + 20 + 8); !ok) return Unexpected(ok.error());
    Page<LeaseView> out;
    out.nextKey = scanPage(*snapshot_, prefix, page, kScanBudget, [&](ByteSpan key, ByteSpan) {
        const Bytes leaseKey = keys::lease(keys::u64At(key, 1 + 20));
        const auto raw = snapshot_->get(leaseKey);
        if (!raw) throw std::runtime_error("lease index names a missing lease at key " + toHex(key));
        auto l = decodeRecord<contracts::Lease>(leaseKey, *raw);
        if (provider && l.provider != *provider) return false;
        auto usage = usageOf(*snapshot_, l.id);
        out.items.push_back(leaseView(l, std::move(usage)));
        return true;
    });
    return out;
}

QueryResult<EscrowView> StateQueries::escrow(std::uint64_t leaseId, std::uint64_t blockTimeMs) const {
    state::BlockContext block = block_;
    block.time = blockTimeMs;
    ReadContext rc(*snapshot_, block, params_);
    auto stored = contracts::Leases(rc.ctx).get(leaseId);
    if (!stored) return notFound("no lease " + std::to_string(leaseId));
    // The ledger accrues lazily, when a lease is touched; contracts::accrueTo
    // is that accrual (Leases::accrue calls it), here applied to a copy.
    contracts::Lease touched = *stored;
    contracts::accrueTo(touched, blockTimeMs);
    EscrowView v;
    v.lease = *stored;
    v.height = block_.height;
    v.time = blockTimeMs;
    v.accrued = touched.accrued;
    v.remaining = touched.escrow;
    v.paidThrough = touched.paidThrough;
    switch (stored->state) {
        case contracts::LeaseState::Active:
            // The due index holds min(end, block time up to which the escrow pays).
            v.dryTime = stored->dueTime < stored->endTime ? stored->dueTime : 0;
            break;
        case contracts::LeaseState::InsufficientFunds:
            // Accrual stopped at the block time the escrow ran dry.
            v.dryTime = stored->paidThrough;
            break;
        case contracts::LeaseState::Closed:
            v.dryTime = 0;
            break;
    }
    return v;
}

QueryResult<ReputationView> StateQueries::reputation(const Address& provider) const {
    ReadContext rc(*snapshot_, block_, params_);
    const bool registered = contracts::Providers(rc.ctx).get(provider).has_value();
    const bool recorded = snapshot_->contains(keys::providerReputation(provider));
    if (!registered && !recorded) return notFound("no provider " + provider.toBech32());
    return reputationView(provider, contracts::Reputation(rc.ctx).provider(provider));
}

QueryResult<Page<ValidatorView>> StateQueries::validators(bool includeJailed, const PageSpec& page) const {
    const Bytes prefix = keys::one(keys::prefix::kValidator);
    if (auto ok = checkCursor(page, prefix, 1 + Address::kSize); !ok) return Unexpected(ok.error());
    Page<ValidatorView> out;
    out.nextKey = scanPage(*snapshot_, prefix, page, kScanBudget, [&](ByteSpan key, ByteSpan value) {
        auto v = decodeRecord<contracts::Validator>(key, value);
        if (!includeJailed && (v.jailed || v.tombstoned)) return false;
        out.items.push_back(validatorView(v));
        return true;
    });
    return out;
}

QueryResult<std::optional<contracts::ProposalStatus>> proposalStatusFilter(std::string_view name) {
    if (name.empty()) return std::optional<contracts::ProposalStatus>{};
    for (std::uint8_t i = 1; i <= contracts::kProposalStatusMax; ++i) {
        const auto s = static_cast<contracts::ProposalStatus>(i);
        if (contracts::proposalStatusName(s) == name) return std::optional<contracts::ProposalStatus>(s);
    }
    return invalid(
        "status must be one of deposit_period, voting_period, passed, rejected, rejected_veto, failed, "
        "expired");
}

ClientRecordView StateQueries::clientRecord(const Address& client) const {
    ReadContext rc(*snapshot_, block_, params_);
    return clientRecordView(client, contracts::Reputation(rc.ctx).client(client));
}

ParamsView StateQueries::paramsView() const {
    return node::paramsView(params_);
}

QueryResult<ProposalView> StateQueries::proposal(std::uint64_t id) const {
    ReadContext rc(*snapshot_, block_, params_);
    contracts::Gov gov(rc.ctx);
    auto p = gov.proposal(id);
    if (!p) return notFound("no proposal " + std::to_string(id));
    contracts::Tally t = gov.tally(*p);
    return proposalView(*p, t);
}

QueryResult<Page<ProposalView>> StateQueries::proposals(const std::optional<contracts::ProposalStatus>& status,
                                                        const PageSpec& page) const {
    const Bytes prefix = keys::one(keys::prefix::kProposal);
    if (auto ok = checkCursor(page, prefix, 1 + 8); !ok) return Unexpected(ok.error());
    ReadContext rc(*snapshot_, block_, params_);
    contracts::Gov gov(rc.ctx);
    Page<ProposalView> out;
    out.nextKey = scanPage(*snapshot_, prefix, page, kScanBudget, [&](ByteSpan key, ByteSpan value) {
        auto p = decodeRecord<contracts::Proposal>(key, value);
        if (status && p.status != *status) return false;
        contracts::Tally t = gov.tally(p);
        out.items.push_back(proposalView(p, t));
        return true;
    });
    return out;
}

}  // namespace agora::node
