#include "node/gateway/ChainMetrics.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

#include "contracts/Keys.h"
#include "contracts/Leases.h"

namespace agora::node {

namespace {

std::optional<std::uint64_t> number(const state::Event& e, std::string_view key) {
    auto v = e.attr(key);
    if (!v) return std::nullopt;
    std::uint64_t out = 0;
    const auto r = std::from_chars(v->data(), v->data() + v->size(), out);
    if (r.ec != std::errc() || r.ptr != v->data() + v->size()) return std::nullopt;
    return out;
}

std::int64_t clampSigned(std::uint64_t v) {
    constexpr auto kMax = static_cast<std::uint64_t>(INT64_MAX);
    return static_cast<std::int64_t>(v > kMax ? kMax : v);
}

std::vector<double> intervalBuckets() {
    return {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};
}

}  // namespace

ChainMetrics::ChainMetrics(MetricsRegistry& registry, const Mempool& mempool,
                           std::function<ConsensusStatus()> consensus)
    : registry_(registry),
      height_(registry.gauge("agora_chain_height", "Height of the latest committed block.").get()),
      blockInterval_(registry
                         .histogram("agora_block_interval_seconds", "Time between consecutive blocks (header times).",
                                    intervalBuckets())
                         .get()),
      lastInterval_(registry
                        .gauge("agora_block_interval_last_milliseconds",
                               "Header time of the latest block minus that of its parent.")
                        .get()),
      txsCommitted_(registry.counter("agora_txs_committed_total", "Txs in committed blocks since start.").get()),
      mempoolTxs_(registry.gauge("agora_mempool_txs", "Txs waiting in the mempool.").get()),
      mempoolBytes_(registry.gauge("agora_mempool_bytes", "Bytes of the txs waiting in the mempool.").get()),
      peers_(registry.gauge("agora_p2p_peers", "Connected peers.").get()),
      round_(registry.gauge("agora_consensus_round", "Current consensus round.").get()),
      step_(registry
                .gauge("agora_consensus_step", "Current consensus step (0 propose, 1 prevote, 2 precommit, 3 commit).")
                .get()),
      missed_(registry.counter("agora_validator_missed_blocks_total",
                               "Blocks whose commit certificate lacks this validator's precommit (since start).",
                               {"validator"})),
      openJobs_(registry.gauge("agora_jobs_open", "Jobs open for bidding.").get()),
      openLeases_(registry.gauge("agora_leases_open", "Leases not closed (active or in grace).").get()),
      escrowLocked_(
          registry
              .gauge("agora_escrow_locked_uagr", "uagr held in lease escrow (deposits not yet paid out or refunded).")
              .get()) {
    peers_.set(0);  // the node refreshes it from the peer manager at every commit
    registry.addCollector([this, &mempool, consensus = std::move(consensus)] {
        mempoolTxs_.set(clampSigned(mempool.size()));
        mempoolBytes_.set(clampSigned(mempool.bytes()));
        if (consensus) {
            const ConsensusStatus s = consensus();
            round_.set(s.round);
            step_.set(s.step);
        }
    });
}

void ChainMetrics::seed(const state::StateSnapshot& snapshot, std::uint64_t height, std::uint64_t timeMs,
                        ValidatorSet nextSet) {
    height_.set(clampSigned(height));
    lastTimeMs_ = timeMs;
    decidingSet_ = std::move(nextSet);
    for (const auto& v : decidingSet_.members()) missed_.labels({v.key.toHex()});
    std::int64_t jobs = 0;
    const Bytes jobPrefix = contracts::keys::one(contracts::keys::prefix::kJobExpiry);
    snapshot.scan(jobPrefix, {}, [&](ByteSpan, ByteSpan) {
        ++jobs;
        return true;
    });
    std::int64_t open = 0;
    std::uint64_t locked = 0;
    const Bytes leasePrefix = contracts::keys::one(contracts::keys::prefix::kLease);
    snapshot.scan(leasePrefix, {}, [&](ByteSpan, ByteSpan value) {
        auto l = decode<contracts::Lease>(value);
        if (!l) return true;
        if (l->state != contracts::LeaseState::Closed) ++open;
        if (!l->settled) {
            const std::uint64_t held = l->escrow.micro() + l->accrued.micro();
            leaseLocked_[l->id] = held;
            locked += held;
        }
        return true;
    });
    openJobs_.set(jobs);
    openLeases_.set(open);
    escrowLocked_.set(clampSigned(locked));
}

void ChainMetrics::onCommit(std::uint64_t height, std::uint64_t timeMs, std::size_t txs, const CommitCertificate& cert,
                            ValidatorSet nextSet) {
    height_.set(clampSigned(height));
    txsCommitted_.inc(txs);
    if (lastTimeMs_ != 0 && timeMs >= lastTimeMs_) {
        const std::uint64_t ms = timeMs - lastTimeMs_;
        lastInterval_.set(clampSigned(ms));
        blockInterval_.observe(static_cast<double>(ms) / 1000.0);
    }
    lastTimeMs_ = timeMs;
    std::set<PublicKey> signers;
    for (const auto& s : cert.signatures) signers.insert(s.validator);
    for (const auto& v : decidingSet_.members()) {
        auto& c = missed_.labels({v.key.toHex()});
        if (signers.count(v.key) == 0) c.inc();
    }
    decidingSet_ = std::move(nextSet);
}

void ChainMetrics::onBlockEvents(const BlockEvents& block) {
    std::int64_t jobs = 0;
    std::int64_t leases = 0;
    std::int64_t lockedDelta = 0;
    auto adjust = [&](std::uint64_t leaseId, std::int64_t delta) {
        auto& held = leaseLocked_[leaseId];
        const std::int64_t before = clampSigned(held);
        const std::int64_t after = std::max<std::int64_t>(0, before + delta);
        held = static_cast<std::uint64_t>(after);
        lockedDelta += after - before;
    };
    for (const auto& ie : block.events) {
        const auto& e = ie.event;
        const auto& t = e.type;
        if (t == "job_created") {
            ++jobs;
        } else if (t == "job_cancelled" || t == "job_expired" || t == "bid_accepted") {
            --jobs;
        } else if (t == "lease_created") {
            ++leases;
            if (auto id = number(e, "lease_id")) adjust(*id, clampSigned(number(e, "deposit").value_or(0)));
        } else if (t == "lease_closed") {
            --leases;
        } else if (t == "lease_topped_up") {
            if (auto id = number(e, "lease_id")) adjust(*id, clampSigned(number(e, "amount").value_or(0)));
        } else if (t == "provider_withdraw") {
            if (auto id = number(e, "lease_id")) adjust(*id, -clampSigned(number(e, "amount").value_or(0)));
        } else if (t == "lease_settled") {
            // Settlement pays out everything still held (accrued to the provider, the rest to the client).
            if (auto id = number(e, "lease_id")) {
                auto it = leaseLocked_.find(*id);
                if (it != leaseLocked_.end()) {
                    lockedDelta -= clampSigned(it->second);
                    leaseLocked_.erase(it);
                }
            }
        }
    }
    openJobs_.inc(jobs);
    openLeases_.inc(leases);
    escrowLocked_.inc(lockedDelta);
}

}  // namespace agora::node
