#include "contracts/Leases.h"

#include "contracts/LeaseAccrual.h"

#include <algorithm>

#include "consensus/core/CodecTypes.h"
#include "contracts/Bank.h"
#include "contracts/Market.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"

namespace agora::contracts {

namespace {
__extension__ using U128 = unsigned __int128;
}  // namespace

std::string_view leaseStateName(LeaseState s) {
    switch (s) {
        case LeaseState::Active:
            return "active";
        case LeaseState::InsufficientFunds:
            return "insufficient_funds";
        case LeaseState::Closed:
            return "closed";
    }
    return "unknown";
}

std::string_view closeReasonName(CloseReason r) {
    switch (r) {
        case CloseReason::Completed:
            return "completed";
        case CloseReason::ClientCancelled:
            return "client_cancelled";
        case CloseReason::ProviderTerminated:
            return "provider_terminated";
        case CloseReason::ProviderFailed:
            return "provider_failed";
        case CloseReason::InsufficientFunds:
            return "insufficient_funds";
        case CloseReason::ManifestTimeout:
            return "manifest_timeout";
        case CloseReason::WorkloadFailed:
            return "workload_failed";
    }
    return "unknown";
}

void Lease::encodeTo(Writer& w) const {
    w.u64(id);
    codec::put(w, client);
    codec::put(w, provider);
    w.u64(jobId);
    resources.encodeTo(w);
    codec::put(w, pricePerSecond);
    w.u64(startHeight);
    w.u64(startTime);
    w.u64(endTime);
    w.u64(paidThrough);
    codec::put(w, escrow);
    codec::put(w, accrued);
    codec::put(w, paidOut);
    codec::put(w, burned);
    codec::put(w, refunded);
    codec::put(w, deposited);
    w.u8(static_cast<std::uint8_t>(state));
    w.u64(dueTime);
    w.u64(graceTime);
    w.u64(closeHeight);
    w.u64(closeTime);
    w.u8(static_cast<std::uint8_t>(closeReason));
    w.boolean(settled);
    w.u8(rating);
    codec::put(w, manifestHash);
}

Lease Lease::decodeFrom(Reader& r) {
    Lease l;
    l.id = r.u64();
    l.client = codec::getAddress(r);
    l.provider = codec::getAddress(r);
    l.jobId = r.u64();
    l.resources = Resources::decodeFrom(r);
    l.pricePerSecond = codec::getAmount(r);
    l.startHeight = r.u64();
    l.startTime = r.u64();
    l.endTime = r.u64();
    l.paidThrough = r.u64();
    l.escrow = codec::getAmount(r);
    l.accrued = codec::getAmount(r);
    l.paidOut = codec::getAmount(r);
    l.burned = codec::getAmount(r);
    l.refunded = codec::getAmount(r);
    l.deposited = codec::getAmount(r);
    const std::uint8_t st = r.u8();
    if (st > 2) r.fail(CodecError::InvalidEnum);
    l.state = static_cast<LeaseState>(st);
    l.dueTime = r.u64();
    l.graceTime = r.u64();
    l.closeHeight = r.u64();
    l.closeTime = r.u64();
    const std::uint8_t reason = r.u8();
    if (reason > kCloseReasonMax) r.fail(CodecError::InvalidEnum);
    l.closeReason = static_cast<CloseReason>(reason);
    l.settled = r.boolean();
    l.rating = r.u8();
    l.manifestHash = codec::getHash(r);
    return l;
}

void UsageRecord::encodeTo(Writer& w) const {
    w.u64(upToHeight);
    w.u32(availabilityBps);
    codec::put(w, metricsHash);
    w.u64(reportedAt);
}
UsageRecord UsageRecord::decodeFrom(Reader& r) {
    UsageRecord u;
    u.upToHeight = r.u64();
    u.availabilityBps = r.u32();
    u.metricsHash = codec::getHash(r);
    u.reportedAt = r.u64();
    return u;
}

void AutoTopUp::encodeTo(Writer& w) const {
    codec::put(w, perTopUp);
    codec::put(w, remaining);
    codec::put(w, pulled);
}
AutoTopUp AutoTopUp::decodeFrom(Reader& r) {
    AutoTopUp a;
    a.perTopUp = codec::getAmount(r);
    a.remaining = codec::getAmount(r);
    a.pulled = codec::getAmount(r);
    return a;
}

std::optional<Lease> Leases::get(std::uint64_t id) const {
    return ctx_.store.load<Lease>(keys::lease(id));
}

void Leases::save(const Lease& l) {
    ctx_.store.save(keys::lease(l.id), l);
}

Expected<Amount, ResultCode> Leases::payProvider(Lease& l, Amount amount) {
    // Rounded up, so splitting a payment into many small withdrawals never
    // escapes the take; never more than the payment.
    const U128 scaled = static_cast<U128>(amount.micro()) * ctx_.params.leaseTakeRatePpm + 999'999;
    const auto take = static_cast<std::uint64_t>(std::min<U128>(scaled / 1'000'000, amount.micro()));
    const Amount net(amount.micro() - take);
    auto paid = l.paidOut.checkedAdd(amount);
    auto burned = l.burned.checkedAdd(Amount(take));
    if (!paid || !burned) return Unexpected(ResultCode::Overflow);
    Bank bank(ctx_);
    if (auto rc = bank.credit(l.provider, net); rc != ResultCode::Ok) return Unexpected(rc);
    if (auto rc = bank.burn(Amount(take)); rc != ResultCode::Ok) return Unexpected(rc);
    l.paidOut = *paid;
    l.burned = *burned;
    return net;
}

void Leases::accrue(Lease& l) const {
    accrueTo(l, ctx_.block.time);
}

std::uint64_t Leases::paidSeconds(const Lease& l) {
    return l.paidThrough > l.startTime ? (l.paidThrough - l.startTime) / kMsPerSecond : 0;
}

void Leases::unindex(const Lease& l) {
    if (l.state == LeaseState::Active) ctx_.store.erase(keys::leaseDue(l.dueTime, l.id));
    if (l.state == LeaseState::InsufficientFunds) ctx_.store.erase(keys::leaseGrace(l.graceTime, l.id));
}

void Leases::indexDue(Lease& l) {
    // A due time at or before this block's time is handled by this block's end.
    l.dueTime = paidUntil(l);
    ctx_.store.mark(keys::leaseDue(l.dueTime, l.id));
}

std::uint64_t Leases::open(const Address& client, const Address& provider, std::uint64_t jobId,
                           const Resources& resources, Amount pricePerSecond, std::uint64_t durationSeconds,
                           Amount deposit, const Hash256& manifestHash) {
    Lease l;
    l.id = ctx_.store.nextId(keys::Counter::Lease);
    l.client = client;
    l.provider = provider;
    l.jobId = jobId;
    l.resources = resources;
    l.pricePerSecond = pricePerSecond;
    l.startHeight = ctx_.height();
    l.startTime = ctx_.block.time;
    l.endTime = addSeconds(l.startTime, durationSeconds);
    l.paidThrough = l.startTime;
    l.escrow = deposit;
    l.deposited = deposit;
    l.manifestHash = manifestHash;
    indexDue(l);
    save(l);
    ctx_.store.mark(keys::leaseOfClient(client, l.id));
    ctx_.store.mark(keys::leaseOfProvider(provider, l.id));
    ctx_.emit("lease_created")
        .add("lease_id", l.id)
        .add("client", client.toBech32())
        .add("provider", provider.toBech32())
        .add("job_id", jobId)
        .add("price_per_second", pricePerSecond.micro())
        .add("deposit", deposit.micro())
        .add("start_time", l.startTime)
        .add("end_time", l.endTime)
        .add("manifest_hash", manifestHash.toHex());
    return l.id;
}

ResultCode Leases::topUp(const Address& signer, const MsgLeaseTopUp& msg) {
    auto l = get(msg.leaseId);
    if (!l) return ResultCode::LeaseNotFound;
    if (l->client != signer) return ResultCode::NotLeaseClient;
    if (l->state == LeaseState::Closed) return ResultCode::LeaseClosed;
    accrue(*l);
    auto escrow = l->escrow.checkedAdd(msg.amount);
    auto deposited = l->deposited.checkedAdd(msg.amount);
    if (!escrow || !deposited) return ResultCode::Overflow;
    AGORA_TRY(Bank(ctx_).debit(signer, msg.amount));
    unindex(*l);
    l->escrow = *escrow;
    l->deposited = *deposited;
    if (l->state == LeaseState::InsufficientFunds) {
        // The provider served the grace time: a top-up pays its whole seconds
        // first, and the lease is back in service only when it also covers the
        // next second. A sub-second rest stays unpaid and accrues as usual later.
        const std::uint64_t to = std::min(ctx_.block.time, l->endTime);
        const std::uint64_t graceServed = to > l->paidThrough ? (to - l->paidThrough) / kMsPerSecond : 0;
        const Amount owed = l->pricePerSecond.checkedMul(graceServed).value_or(Amount(UINT64_MAX));
        const auto needed = owed.checkedAdd(l->pricePerSecond);
        if (needed && l->escrow >= *needed) {
            l->escrow = *l->escrow.checkedSub(owed);
            l->accrued = *l->accrued.checkedAdd(owed);     // accrued + escrow never exceeds deposited
            l->paidThrough += graceServed * kMsPerSecond;  // <= to
            l->state = LeaseState::Active;
            indexDue(*l);  // a lease past its end is due now and closes completed at this block's end
        } else {
            ctx_.store.mark(keys::leaseGrace(l->graceTime, l->id));
        }
    } else {
        indexDue(*l);
    }
    save(*l);
    ctx_.emit("lease_topped_up")
        .add("lease_id", l->id)
        .add("amount", msg.amount.micro())
        .add("state", std::string(leaseStateName(l->state)))
        .add("due_time", l->dueTime);
    return ResultCode::Ok;
}

std::optional<AutoTopUp> Leases::autoTopUp(std::uint64_t leaseId) const {
    return ctx_.store.load<AutoTopUp>(keys::autoTopUp(leaseId));
}

ResultCode Leases::setAutoTopUp(const Address& signer, const MsgLeaseSetAutoTopUp& msg) {
    auto l = get(msg.leaseId);
    if (!l) return ResultCode::LeaseNotFound;
    if (l->client != signer) return ResultCode::NotLeaseClient;
    if (l->state == LeaseState::Closed) return ResultCode::LeaseClosed;
    // Nothing moves now: the allowance is pulled from the balance at each dry-out.
    if (msg.cap.isZero())
        ctx_.store.erase(keys::autoTopUp(l->id));
    else
        ctx_.store.save(keys::autoTopUp(l->id), AutoTopUp{msg.perTopUp, msg.cap, Amount{}});
    ctx_.emit("lease_auto_top_up_set")
        .add("lease_id", l->id)
        .add("per_top_up", msg.perTopUp.micro())
        .add("cap", msg.cap.micro());
    return ResultCode::Ok;
}

bool Leases::pullAutoTopUp(Lease& l) {
    const Bytes key = keys::autoTopUp(l.id);
    auto allowance = ctx_.store.load<AutoTopUp>(key);
    if (!allowance) return false;
    Bank bank(ctx_);
    const Amount balance = bank.balance(l.client);
    const Amount amount = std::min({allowance->perTopUp, allowance->remaining, balance});
    auto escrow = l.escrow.checkedAdd(amount);
    auto deposited = l.deposited.checkedAdd(amount);
    // Pull nothing that would not buy another second: it would sit idle in escrow.
    if (amount.isZero() || !escrow || !deposited || *escrow < l.pricePerSecond) {
        ctx_.emit("lease_auto_top_up_skipped")
            .add("lease_id", l.id)
            .add("balance", balance.micro())
            .add("remaining", allowance->remaining.micro());
        return false;
    }
    if (bank.debit(l.client, amount) != ResultCode::Ok) std::abort();  // the balance covers it
    ctx_.store.erase(keys::leaseDue(l.dueTime, l.id));
    l.escrow = *escrow;
    l.deposited = *deposited;
    allowance->remaining = *allowance->remaining.checkedSub(amount);
    allowance->pulled = allowance->pulled.checkedAdd(amount).value_or(Amount(UINT64_MAX));
    if (allowance->remaining.isZero())
        ctx_.store.erase(key);
    else
        ctx_.store.save(key, *allowance);
    indexDue(l);
    save(l);
    ctx_.emit("lease_auto_topped_up")
        .add("lease_id", l.id)
        .add("client", l.client.toBech32())
        .add("amount", amount.micro())
        .add("remaining", allowance->remaining.micro())
        .add("due_time", l.dueTime);
    return true;
}

ResultCode Leases::withdraw(const Address& signer, const MsgProviderWithdraw& msg) {
    auto l = get(msg.leaseId);
    if (!l) return ResultCode::LeaseNotFound;
    if (l->provider != signer) return ResultCode::NotLeaseProvider;
    accrue(*l);
    if (l->accrued.isZero()) return ResultCode::NothingToWithdraw;
    const Amount amount = l->accrued;
    auto net = payProvider(*l, amount);
    if (!net) return net.error();
    l->accrued = Amount{};
    save(*l);
    ctx_.emit("provider_withdraw")
        .add("lease_id", l->id)
        .add("provider", signer.toBech32())
        .add("amount", amount.micro())
        .add("burned", amount.micro() - net->micro());
    return ResultCode::Ok;
}

ResultCode Leases::closeLease(Lease& l, CloseReason reason) {
    accrue(l);
    unindex(l);
    l.state = LeaseState::Closed;
    l.closeHeight = ctx_.height();
    l.closeTime = ctx_.block.time;
    l.closeReason = reason;
    ctx_.store.erase(keys::autoTopUp(l.id));  // an allowance ends with its lease
    AGORA_TRY(Providers(ctx_).release(l.provider, l.resources));
    Reputation rep(ctx_);
    switch (reason) {
        case CloseReason::Completed:
            break;
        case CloseReason::InsufficientFunds:
        case CloseReason::ManifestTimeout:
        case CloseReason::WorkloadFailed:
            // Nobody's fault on the provider's side: the client sent no workload, or its workload failed.
            break;
        case CloseReason::ClientCancelled:
            rep.recordClientEarlyClose(l.client);
            break;
        case CloseReason::ProviderFailed:
            // A report weighs only once the client paid for reputation_min_paid_seconds:
            // opening and failing leases in one tx must not ruin a provider for a fee.
            // It weighs 1/k for the client's k-th lease with this provider (decision 46),
            // times the share of reputation_reference_paid the client paid so far (decision 55).
            if (paidSeconds(l) >= ctx_.params.reputationMinPaidSeconds)
                rep.recordFailureReport(l.provider, l.client,
                                        l.paidOut.checkedAdd(l.accrued).value_or(Amount(UINT64_MAX)));
            else
                rep.recordClientEarlyClose(l.client);
            break;
        case CloseReason::ProviderTerminated:
            rep.recordTermination(l.provider);
            Providers(ctx_).slashStake(l.provider, ctx_.params.providerEarlyCloseSlashBps, "early_termination");
            break;
    }
    save(l);
    ctx_.emit("lease_closed")
        .add("lease_id", l.id)
        .add("reason", std::string(closeReasonName(reason)))
        .add("accrued", l.accrued.micro())
        .add("escrow_left", l.escrow.micro());
    return ResultCode::Ok;
}

ResultCode Leases::close(const Address& signer, const MsgLeaseClose& msg) {
    auto l = get(msg.leaseId);
    if (!l) return ResultCode::LeaseNotFound;
    if (l->state == LeaseState::Closed) return ResultCode::LeaseClosed;
    const bool isClient = signer == l->client;
    const bool isProvider = signer == l->provider;
    if (!isClient && !isProvider) return ResultCode::NotLeaseParty;
    bool allowed = false;
    switch (msg.reason) {
        case CloseReason::Completed:
            // The client says the work is done; the provider's agent says a batch workload exited 0.
            allowed = isClient || isProvider;
            break;
        case CloseReason::ClientCancelled:
        case CloseReason::ProviderFailed:
            allowed = isClient;
            break;
        case CloseReason::ProviderTerminated:
        case CloseReason::ManifestTimeout:
        case CloseReason::WorkloadFailed:
            allowed = isProvider;
            break;
        case CloseReason::InsufficientFunds:
            // The provider need not serve a lease that stopped paying until its grace ends.
            allowed = isProvider && l->state == LeaseState::InsufficientFunds;
            break;
    }
    if (!allowed) return ResultCode::CloseReasonNotAllowed;
    return closeLease(*l, msg.reason);
}

ResultCode Leases::settle(const Address& signer, const MsgLeaseSettle& msg) {
    auto l = get(msg.leaseId);
    if (!l) return ResultCode::LeaseNotFound;
    if (l->client != signer) return ResultCode::NotLeaseClient;
    if (l->state != LeaseState::Closed) return ResultCode::LeaseNotClosed;
    if (l->settled) return ResultCode::AlreadySettled;
    const Amount toProvider = l->accrued;
    const Amount toClient = l->escrow;
    const Amount burnedBefore = l->burned;
    auto net = payProvider(*l, toProvider);
    if (!net) return net.error();
    AGORA_TRY(Bank(ctx_).credit(l->client, toClient));
    auto refunded = l->refunded.checkedAdd(toClient);
    if (!refunded) return ResultCode::Overflow;
    l->refunded = *refunded;
    l->accrued = Amount{};
    l->escrow = Amount{};
    l->settled = true;
    l->rating = msg.rating;
    save(*l);
    // Settled is final: erased record_retention_blocks later (pruneDue).
    ctx_.store.mark(keys::leasePrune(pruneHeight(ctx_), l->id));
    // Counted as completed only when it ran to completion and was paid for
    // long enough: same-block lease-close-settle loops farm nothing.
    const bool paidEnough = paidSeconds(*l) >= ctx_.params.reputationMinPaidSeconds;
    const bool countsCompleted = l->closeReason == CloseReason::Completed && paidEnough;
    const bool reportWeighed = l->closeReason == CloseReason::ProviderFailed && paidEnough;
    Reputation(ctx_).recordSettlement(l->provider, l->client, l->paidOut, msg.rating, countsCompleted, reportWeighed);
    ctx_.emit("lease_settled")
        .add("lease_id", l->id)
        .add("rating", msg.rating)
        .add("paid_to_provider", l->paidOut.micro())
        .add("burned", l->burned.micro() - burnedBefore.micro())
        .add("refunded", toClient.micro());
    return ResultCode::Ok;
}

ResultCode Leases::usageReport(const Address& signer, const MsgUsageReport& msg) {
    auto l = get(msg.leaseId);
    if (!l) return ResultCode::LeaseNotFound;
    if (l->provider != signer) return ResultCode::NotLeaseProvider;
    if (l->settled) return ResultCode::AlreadySettled;
    auto last = ctx_.store.load<UsageRecord>(keys::usageReport(l->id));
    const std::uint64_t floor = last ? last->upToHeight : l->startHeight;
    if (msg.upToHeight <= floor || msg.upToHeight > ctx_.height()) return ResultCode::StaleUsageReport;
    ctx_.store.save(keys::usageReport(l->id),
                    UsageRecord{msg.upToHeight, msg.availabilityBps, msg.metricsHash, ctx_.height()});
    ctx_.emit("usage_reported")
        .add("lease_id", l->id)
        .add("up_to_height", msg.upToHeight)
        .add("availability_bps", msg.availabilityBps)
        .add("metrics_hash", msg.metricsHash.toHex());
    return ResultCode::Ok;
}

std::uint64_t pruneHeight(const ApplyContext& ctx) {
    const std::uint64_t h = ctx.height() + ctx.params.recordRetentionBlocks;
    return h < ctx.height() ? UINT64_MAX : h;  // saturates: never pruned
}

void Leases::pruneDue() {
    for (const Bytes& key : ctx_.store.keysWithPrefix(keys::atHeight(keys::prefix::kLeasePrune, ctx_.height()))) {
        const std::uint64_t id = keys::u64At(key, 9);
        auto l = get(id);
        if (!l || !l->settled) std::abort();  // only settled leases are scheduled
        ctx_.store.erase(key);
        ctx_.store.erase(keys::lease(id));
        ctx_.store.erase(keys::usageReport(id));
        ctx_.store.erase(keys::leaseOfClient(l->client, id));
        ctx_.store.erase(keys::leaseOfProvider(l->provider, id));
        // The job a lease came from ends with it (its bids stay: decision 50).
        if (l->jobId != 0) Market(ctx_).eraseJob(l->jobId);
        ctx_.emit("lease_pruned").add("lease_id", id).add("job_id", l->jobId);
    }
}

ResultCode Leases::processDue() {
    const std::uint64_t now = ctx_.block.time;
    for (const Bytes& key : ctx_.store.keysUpTo(keys::prefix::kLeaseDue, now)) {
        const std::uint64_t due = keys::u64At(key, 1);
        auto l = get(keys::u64At(key, 9));
        if (!l || l->state != LeaseState::Active || l->dueTime != due) std::abort();  // index out of sync
        if (due >= l->endTime) {
            AGORA_TRY(closeLease(*l, CloseReason::Completed));
            continue;
        }
        accrue(*l);  // up to `due`: the escrow pays no further
        // The client's allowance first: no dry-out while it and the balance last.
        // The new due time may already have passed (an idle gap): a later block's
        // end pulls again, one top-up per lease per block.
        if (pullAutoTopUp(*l)) continue;
        if (l->graceTime != 0) {
            // One grace per lease: a lease topped up out of grace that runs dry
            // again closes at once, or a client could loop unpaid grace time.
            AGORA_TRY(closeLease(*l, CloseReason::InsufficientFunds));
            continue;
        }
        ctx_.store.erase(key);
        l->state = LeaseState::InsufficientFunds;
        // Grace runs from when the escrow ran dry, not from the block that saw
        // it: after an idle gap longer than the grace the lease closes in this
        // block's grace pass below.
        l->graceTime = addSeconds(due, ctx_.params.graceSeconds);
        ctx_.store.mark(keys::leaseGrace(l->graceTime, l->id));
        save(*l);
        ctx_.emit("lease_insufficient_funds")
            .add("lease_id", l->id)
            .add("dry_time", due)
            .add("close_time", l->graceTime);
    }
    for (const Bytes& key : ctx_.store.keysUpTo(keys::prefix::kLeaseGrace, now)) {
        auto l = get(keys::u64At(key, 9));
        if (!l || l->state != LeaseState::InsufficientFunds || l->graceTime != keys::u64At(key, 1)) std::abort();
        AGORA_TRY(closeLease(*l, CloseReason::InsufficientFunds));
    }
    return ResultCode::Ok;
}

}  // namespace agora::contracts
