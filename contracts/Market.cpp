#include "contracts/Market.h"

#include "consensus/core/CodecTypes.h"
#include "contracts/Bank.h"
#include "contracts/Leases.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/ResourceMath.h"

namespace agora::contracts {

std::string_view jobStateName(JobState s) {
    switch (s) {
        case JobState::Open:
            return "open";
        case JobState::Leased:
            return "leased";
        case JobState::Cancelled:
            return "cancelled";
        case JobState::Expired:
            return "expired";
    }
    return "unknown";
}

std::string_view bidStateName(BidState s) {
    switch (s) {
        case BidState::Open:
            return "open";
        case BidState::Accepted:
            return "accepted";
        case BidState::Lost:
            return "lost";
        case BidState::Withdrawn:
            return "withdrawn";
    }
    return "unknown";
}

void Job::encodeTo(Writer& w) const {
    w.u64(id);
    codec::put(w, client);
    resources.encodeTo(w);
    putAttributes(w, constraints);
    codec::put(w, maxPricePerSecond);
    w.u64(durationSeconds);
    w.u64(biddingEndHeight);
    w.u32(minReputation);
    codec::put(w, deposit);
    w.u8(static_cast<std::uint8_t>(state));
    w.u32(openBids);
    w.u64(leaseId);
    codec::put(w, manifestHash);
}

Job Job::decodeFrom(Reader& r) {
    Job j;
    j.id = r.u64();
    j.client = codec::getAddress(r);
    j.resources = Resources::decodeFrom(r);
    j.constraints = getAttributes(r);
    j.maxPricePerSecond = codec::getAmount(r);
    j.durationSeconds = r.u64();
    j.biddingEndHeight = r.u64();
    j.minReputation = r.u32();
    j.deposit = codec::getAmount(r);
    const std::uint8_t st = r.u8();
    if (st > 3) r.fail(CodecError::InvalidEnum);
    j.state = static_cast<JobState>(st);
    j.openBids = r.u32();
    j.leaseId = r.u64();
    j.manifestHash = codec::getHash(r);
    return j;
}

void Bid::encodeTo(Writer& w) const {
    w.u64(id);
    w.u64(jobId);
    codec::put(w, provider);
    codec::put(w, pricePerSecond);
    codec::put(w, deposit);
    w.u8(static_cast<std::uint8_t>(state));
    w.u64(createdHeight);
}

Bid Bid::decodeFrom(Reader& r) {
    Bid b;
    b.id = r.u64();
    b.jobId = r.u64();
    b.provider = codec::getAddress(r);
    b.pricePerSecond = codec::getAmount(r);
    b.deposit = codec::getAmount(r);
    const std::uint8_t st = r.u8();
    if (st > 3) r.fail(CodecError::InvalidEnum);
    b.state = static_cast<BidState>(st);
    b.createdHeight = r.u64();
    return b;
}

Expected<Amount, ResultCode> priceAtOffer(const PriceSchedule& prices, const Resources& res) {
    auto add = [](std::optional<Amount> acc, std::optional<Amount> term) -> std::optional<Amount> {
        if (!acc || !term) return std::nullopt;
        return acc->checkedAdd(*term);
    };
    std::optional<Amount> total = Amount{};
    total = add(total, prices.perCpuMillicore.checkedMul(res.cpuMillicores));
    total = add(total, prices.perMemoryMib.checkedMul(res.memoryMib));
    total = add(total, prices.perStorageGib.checkedMul(res.storageGib));
    for (const auto& g : res.gpus) {
        const GpuPrice* found = nullptr;
        for (const auto& p : prices.gpus)
            if (p.model == g.model) found = &p;
        if (found == nullptr) return Unexpected(ResultCode::OfferLacksGpuModel);
        total = add(total, found->perGpu.checkedMul(g.count));
    }
    if (!total) return Unexpected(ResultCode::Overflow);
    if (total->isZero()) return Unexpected(ResultCode::ZeroPrice);
    return *total;
}

std::optional<Job> Market::job(std::uint64_t id) const {
    return ctx_.store.load<Job>(keys::job(id));
}
std::optional<Bid> Market::bid(std::uint64_t id) const {
    return ctx_.store.load<Bid>(keys::bid(id));
}

ResultCode Market::createJob(const Address& client, const MsgJobCreate& msg) {
    if (msg.durationSeconds > ctx_.params.maxDurationSeconds) return ResultCode::DurationTooLong;
    if (msg.biddingWindowBlocks > ctx_.params.maxBiddingWindowBlocks) return ResultCode::BiddingWindowTooLong;
    AGORA_TRY(Bank(ctx_).debit(client, msg.deposit));
    Job j;
    j.id = ctx_.store.nextId(keys::Counter::Job);
    j.client = client;
    j.resources = msg.resources;
    j.constraints = msg.constraints;
    j.maxPricePerSecond = msg.maxPricePerSecond;
    j.durationSeconds = msg.durationSeconds;
    j.biddingEndHeight = ctx_.height() + msg.biddingWindowBlocks;
    j.minReputation = msg.minReputation;
    j.deposit = msg.deposit;
    j.manifestHash = msg.manifestHash;
    ctx_.store.save(keys::job(j.id), j);
    ctx_.store.mark(keys::jobExpiry(j.biddingEndHeight, j.id));
    ctx_.store.mark(keys::jobOfClient(client, j.id));
    ctx_.emit("job_created")
        .add("job_id", j.id)
        .add("client", client.toBech32())
        .add("max_price_per_second", msg.maxPricePerSecond.micro())
        .add("duration_seconds", msg.durationSeconds)
        .add("bidding_end_height", j.biddingEndHeight)
        .add("deposit", msg.deposit.micro())
        .add("manifest_hash", msg.manifestHash.toHex());
    return ResultCode::Ok;
}

ResultCode Market::closeBid(Job& j, Bid& b, BidState to) {
    AGORA_TRY(Bank(ctx_).credit(b.provider, b.deposit));
    const Bytes committedKey = keys::providerBids(b.provider);
    const auto committed = subResources(ctx_.store.load<Resources>(committedKey).value_or(Resources{}), j.resources);
    if (!committed) std::abort();  // bid commitment bookkeeping broken: would diverge
    if (isEmpty(*committed))
        ctx_.store.erase(committedKey);
    else
        ctx_.store.save(committedKey, *committed);
    b.state = to;
    ctx_.store.save(keys::bid(b.id), b);
    ctx_.store.erase(keys::jobBid(j.id, b.id));
    ctx_.store.erase(keys::jobProviderBid(j.id, b.provider));
    --j.openBids;
    ctx_.emit("bid_closed")
        .add("bid_id", b.id)
        .add("job_id", j.id)
        .add("provider", b.provider.toBech32())
        .add("state", std::string(bidStateName(to)))
        .add("refunded", b.deposit.micro());
    return ResultCode::Ok;
}

std::optional<Bid> Market::dearestOpenBid(const Job& j) const {
    // At most max_bids_per_job entries; the newest of equally dear bids goes first.
    std::optional<Bid> worst;
    for (const Bytes& key : ctx_.store.keysWithPrefix(keys::jobBidsPrefix(j.id))) {
        auto b = bid(keys::u64At(key, 9));
        if (!b || b->state != BidState::Open) std::abort();  // index out of sync
        if (!worst || b->pricePerSecond > worst->pricePerSecond ||
            (b->pricePerSecond == worst->pricePerSecond && b->id > worst->id))
            worst = std::move(b);
    }
    return worst;
}

ResultCode Market::closeOpenBids(Job& j, std::uint64_t keep) {
    // At most max_bids_per_job entries.
    for (const Bytes& key : ctx_.store.keysWithPrefix(keys::jobBidsPrefix(j.id))) {
        const std::uint64_t bidId = keys::u64At(key, 9);
        if (bidId == keep) continue;
        auto b = bid(bidId);
        if (!b || b->state != BidState::Open) std::abort();  // index out of sync
        AGORA_TRY(closeBid(j, *b, BidState::Lost));
    }
    return ResultCode::Ok;
}

ResultCode Market::refundJob(Job& j, JobState to) {
    AGORA_TRY(closeOpenBids(j, 0));
    AGORA_TRY(Bank(ctx_).credit(j.client, j.deposit));
    ctx_.store.erase(keys::jobExpiry(j.biddingEndHeight, j.id));
    const Amount refunded = j.deposit;
    j.deposit = Amount{};
    j.state = to;
    ctx_.store.save(keys::job(j.id), j);
    // Ended without a lease: erased record_retention_blocks later (a leased
    // job is erased with its lease).
    ctx_.store.mark(keys::jobPrune(pruneHeight(ctx_), j.id));
    ctx_.emit(to == JobState::Cancelled ? "job_cancelled" : "job_expired")
        .add("job_id", j.id)
        .add("refunded", refunded.micro());
    return ResultCode::Ok;
}

ResultCode Market::cancelJob(const Address& client, const MsgJobCancel& msg) {
    auto j = job(msg.jobId);
    if (!j) return ResultCode::JobNotFound;
    if (j->client != client) return ResultCode::NotJobClient;
    if (j->state != JobState::Open) return ResultCode::JobNotOpen;
    return refundJob(*j, JobState::Cancelled);
}

ResultCode Market::placeBid(const Address& provider, const MsgBidPlace& msg) {
    auto j = job(msg.jobId);
    if (!j) return ResultCode::JobNotFound;
    if (j->state != JobState::Open) return ResultCode::JobNotOpen;
    if (ctx_.height() > j->biddingEndHeight) return ResultCode::BiddingClosed;
    Providers providers(ctx_);
    auto p = providers.get(provider);
    if (!p) return ResultCode::ProviderNotFound;
    if (provider == j->client) return ResultCode::SelfDealing;
    if (msg.pricePerSecond > j->maxPricePerSecond) return ResultCode::PriceAboveMax;
    if (msg.deposit < ctx_.params.minBidDeposit) return ResultCode::BidDepositTooLow;
    if (ctx_.store.contains(keys::jobProviderBid(j->id, provider))) return ResultCode::DuplicateBid;
    // A full job takes a bid only if it is cheaper than the dearest open one,
    // which it displaces: bid slots cannot be squatted for free, since a
    // squatter must underbid everyone and then serve (or be reported) at that price.
    std::optional<Bid> outbid;
    if (j->openBids >= ctx_.params.maxBidsPerJob) {
        outbid = dearestOpenBid(*j);
        if (!outbid || msg.pricePerSecond >= outbid->pricePerSecond) return ResultCode::TooManyBids;
    }
    if (!attributesMatch(p->attributes, j->constraints)) return ResultCode::AttributesMismatch;
    if (j->minReputation > 0 && Reputation(ctx_).score(provider) < j->minReputation)
        return ResultCode::ReputationTooLow;
    AGORA_TRY(providers.canTakeLease(*p, j->resources));
    // Open bids commit at most bid_capacity_multiple x free capacity: one
    // machine cannot hold bid slots on every job (decision 46).
    const Resources committed = ctx_.store.load<Resources>(keys::providerBids(provider)).value_or(Resources{});
    const auto afterBid = addResources(committed, j->resources);
    if (!afterBid) return ResultCode::Overflow;
    const auto freeCap = subResources(p->capacity, p->reserved);
    if (!freeCap || !covers(scaleResources(*freeCap, ctx_.params.bidCapacityMultiple), *afterBid))
        return ResultCode::BidsAboveCapacity;
    if (outbid) {
        AGORA_TRY(closeBid(*j, *outbid, BidState::Lost));
        ctx_.emit("bid_outbid")
            .add("bid_id", outbid->id)
            .add("job_id", j->id)
            .add("price_per_second", outbid->pricePerSecond.micro())
            .add("by_price_per_second", msg.pricePerSecond.micro());
    }
    AGORA_TRY(Bank(ctx_).debit(provider, msg.deposit));
    Bid b;
    b.id = ctx_.store.nextId(keys::Counter::Bid);
    b.jobId = j->id;
    b.provider = provider;
    b.pricePerSecond = msg.pricePerSecond;
    b.deposit = msg.deposit;
    b.createdHeight = ctx_.height();
    ctx_.store.save(keys::bid(b.id), b);
    ctx_.store.save(keys::providerBids(provider), *afterBid);
    ctx_.store.mark(keys::jobBid(j->id, b.id));
    Writer idw;
    idw.u64(b.id);
    ctx_.store.raw().put(keys::jobProviderBid(j->id, provider), idw.data());
    ++j->openBids;
    ctx_.store.save(keys::job(j->id), *j);
    ctx_.emit("bid_placed")
        .add("bid_id", b.id)
        .add("job_id", j->id)
        .add("provider", provider.toBech32())
        .add("price_per_second", msg.pricePerSecond.micro())
        .add("deposit", msg.deposit.micro());
    return ResultCode::Ok;
}

ResultCode Market::withdrawBid(const Address& provider, const MsgBidWithdraw& msg) {
    auto b = bid(msg.bidId);
    if (!b) return ResultCode::BidNotFound;
    if (b->provider != provider) return ResultCode::NotBidProvider;
    if (b->state != BidState::Open) return ResultCode::BidNotOpen;
    auto j = job(b->jobId);
    if (!j) std::abort();
    AGORA_TRY(closeBid(*j, *b, BidState::Withdrawn));
    ctx_.store.save(keys::job(j->id), *j);
    return ResultCode::Ok;
}

ResultCode Market::acceptBid(const Address& client, const MsgBidAccept& msg) {
    auto b = bid(msg.bidId);
    if (!b) return ResultCode::BidNotFound;
    auto j = job(b->jobId);
    if (!j) {
        // A closed bid outlives its job once the job is pruned (decision 50).
        if (b->state == BidState::Open) std::abort();  // an open bid's job is open: state broken
        return ResultCode::JobNotFound;
    }
    if (j->client != client) return ResultCode::NotJobClient;
    if (j->state != JobState::Open) return ResultCode::JobNotOpen;
    if (b->state != BidState::Open) return ResultCode::BidNotOpen;
    AGORA_TRY(Providers(ctx_).reserve(b->provider, j->resources));
    AGORA_TRY(closeOpenBids(*j, b->id));
    AGORA_TRY(closeBid(*j, *b, BidState::Accepted));
    // The job's escrow becomes the lease's escrow.
    const std::uint64_t leaseId = Leases(ctx_).open(j->client, b->provider, j->id, j->resources, b->pricePerSecond,
                                                    j->durationSeconds, j->deposit, j->manifestHash);
    ctx_.store.erase(keys::jobExpiry(j->biddingEndHeight, j->id));
    j->deposit = Amount{};
    j->state = JobState::Leased;
    j->leaseId = leaseId;
    ctx_.store.save(keys::job(j->id), *j);
    ctx_.emit("bid_accepted").add("bid_id", b->id).add("job_id", j->id).add("lease_id", leaseId);
    return ResultCode::Ok;
}

ResultCode Market::leaseFromOffer(const Address& client, const MsgLeaseFromOffer& msg) {
    if (msg.durationSeconds > ctx_.params.maxDurationSeconds) return ResultCode::DurationTooLong;
    Providers providers(ctx_);
    if (!providers.get(msg.provider)) return ResultCode::ProviderNotFound;
    if (msg.provider == client) return ResultCode::SelfDealing;
    auto offer = providers.offerRecord(msg.provider, msg.offerId);
    if (!offer) return ResultCode::OfferNotFound;
    // Any change to the offer since the client read it refuses the lease, so
    // a provider cannot re-price (even within the client's max) in front of it.
    if (offer->version != msg.offerVersion) return ResultCode::OfferVersionMismatch;
    auto price = priceAtOffer(offer->prices, msg.resources);
    if (!price) return price.error();
    if (*price > msg.maxPricePerSecond) return ResultCode::PriceAboveMax;
    if (msg.deposit < *price) return ResultCode::DepositBelowOneSecond;
    AGORA_TRY(providers.reserve(msg.provider, msg.resources));
    AGORA_TRY(Bank(ctx_).debit(client, msg.deposit));
    Leases(ctx_).open(client, msg.provider, 0, msg.resources, *price, msg.durationSeconds, msg.deposit,
                      msg.manifestHash);
    return ResultCode::Ok;
}

void Market::eraseJob(std::uint64_t jobId) {
    auto j = job(jobId);
    if (!j || j->state == JobState::Open) std::abort();  // only ended jobs are erased
    ctx_.store.erase(keys::job(jobId));
    ctx_.store.erase(keys::jobOfClient(j->client, jobId));
}

void Market::pruneDue() {
    for (const Bytes& key : ctx_.store.keysWithPrefix(keys::atHeight(keys::prefix::kJobPrune, ctx_.height()))) {
        const std::uint64_t id = keys::u64At(key, 9);
        ctx_.store.erase(key);
        eraseJob(id);
        ctx_.emit("job_pruned").add("job_id", id);
    }
}

ResultCode Market::expireJobs() {
    for (const Bytes& key : ctx_.store.keysWithPrefix(keys::atHeight(keys::prefix::kJobExpiry, ctx_.height()))) {
        auto j = job(keys::u64At(key, 9));
        if (!j || j->state != JobState::Open) std::abort();  // index out of sync
        AGORA_TRY(refundJob(*j, JobState::Expired));
    }
    return ResultCode::Ok;
}

}  // namespace agora::contracts
