#include "node/provider/BidEngine.h"

#include "consensus/core/Codec.h"
#include "contracts/Providers.h"
#include "contracts/ResourceMath.h"
#include "node/base/Logging.h"
#include "node/query/RecordViews.h"

namespace agora::provider {

namespace {
auto log() {
    return node::moduleLog("provider");
}
constexpr std::size_t kQueueMax = 100'000;
// Bids per tx: one tx per agent tick instead of one per job keeps the agent
// far below the node's per-account pending limit (mempool.max_txs_per_account)
// at 1,000 jobs/s, and pays one fee instead of 32. A failed tx places none of
// its bids (a tx applies all its messages or none); they are retried alone.
constexpr std::size_t kBidsPerTx = 32;
// A bid tx not in a block after this many blocks is given up.
constexpr std::uint64_t kBidTxTimeoutBlocks = 20;
}  // namespace

std::optional<std::string> screenJob(const contracts::Job& job, const Address& self, const ProviderView& view,
                                     const Resources& heldByBids, std::uint64_t height, std::size_t openBids,
                                     std::uint32_t maxOpenBids) {
    if (job.state != contracts::JobState::Open) return "job not open";
    if (height > job.biddingEndHeight) return "bidding window over";
    if (job.client == self) return "own job";
    if (!contracts::attributesMatch(view.attributes, job.constraints)) return "constraints not met";
    if (openBids >= maxOpenBids) return "max_open_bids reached";
    auto free = contracts::subResources(view.capacity, view.reserved);
    if (free) free = contracts::subResources(*free, heldByBids);
    if (!free || !contracts::covers(*free, job.resources)) return "no free capacity";
    const auto needed = view.stakePerLease.checkedMul(view.openLeases + 1);
    const auto total = needed ? needed->checkedAdd(view.minProviderStake) : std::nullopt;
    if (!total || view.stake < *total) return "stake does not cover one more lease";
    return std::nullopt;
}

BidEngine::BidEngine(const ProviderConfig& config, ChainClient& chain, TxSender& tx, AgentStore& store,
                     const PricePolicy& prices)
    : config_(config), chain_(chain), tx_(tx), store_(store), prices_(prices) {
    // Bids recorded before a restart still hold capacity until their job closes.
    for (const auto& [key, value] : store_.scan("bid/")) {
        auto j = nlohmann::json::parse(value, nullptr, false);
        if (j.is_discarded() || j.value("state", "") != "open") continue;
        OpenBid b;
        b.jobId = j.value("job_id", 0ull);
        b.resources.cpuMillicores = j.value("cpu_millicores", 0ull);
        b.resources.memoryMib = j.value("memory_mib", 0ull);
        b.resources.storageGib = j.value("storage_gib", 0ull);
        b.biddingEndHeight = j.value("bidding_end_height", 0ull);
        open_.push_back(b);
    }
    held_ = heldByBids();
}

void BidEngine::enqueue(const agora::market::v1::JobNotice& notice) {
    std::lock_guard lock(queueMutex_);
    if (queue_.size() >= kQueueMax) return;  // the next reconnect lists the open jobs again
    queue_.push_back(notice);
}

Resources BidEngine::heldByBids() const {
    Resources held;
    for (const auto& b : open_) held = contracts::addResources(held, b.resources).value_or(held);
    return held;
}

void BidEngine::releaseEnded(std::uint64_t height) {
    std::vector<OpenBid> keep;
    bool released = false;
    for (const auto& b : open_) {
        // A job expires in the block after its window; one more block of margin.
        if (height > b.biddingEndHeight + 1) {
            auto rec = store_.getJson(AgentStore::bidKey(b.jobId)).value_or(nlohmann::json::object());
            rec["state"] = "closed";
            store_.putJson(AgentStore::bidKey(b.jobId), rec, /*durable=*/false);  // reconcile can redo it
            released = true;
            continue;
        }
        keep.push_back(b);
    }
    if (!released) return;
    open_ = std::move(keep);
    held_ = heldByBids();
}

void BidEngine::processQueue(std::uint64_t height, const ProviderView& view) {
    releaseEnded(height);
    if (height > lastChecked_) {
        lastChecked_ = height;
        checkSent(height);
    }
    std::deque<agora::market::v1::JobNotice> batch;
    {
        std::lock_guard lock(queueMutex_);
        batch.swap(queue_);
    }
    // Each failed batch's jobs, alone: one tx per bid.
    std::vector<contracts::Job> retry;
    retry.swap(retry_);
    for (const auto& job : retry) {
        if (auto p = plan(job, height, view, /*retry=*/true)) sendBids({std::move(*p)}, height, 1);
    }
    std::vector<PlannedBid> planned;
    for (const auto& n : batch) {
        const std::string& raw = n.job();
        auto job = decode<contracts::Job>(ByteSpan(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
        if (!job) continue;
        if (auto p = plan(*job, height, view, /*retry=*/false)) planned.push_back(std::move(*p));
    }
    sendBids(std::move(planned), height, kBidsPerTx);
}

std::optional<BidEngine::PlannedBid> BidEngine::plan(const contracts::Job& job, std::uint64_t height,
                                                     const ProviderView& view, bool retry) {
    {
        std::lock_guard lock(queueMutex_);
        ++stats_.seen;
    }
    const std::string key = AgentStore::bidKey(job.id);
    auto skip = [&](const std::string& why) -> std::optional<PlannedBid> {
        std::lock_guard lock(queueMutex_);
        ++stats_.skipped;
        log()->debug("job {}: no bid ({})", job.id, why);
        return std::nullopt;
    };
    if (!retry && store_.getBytes(key)) return std::nullopt;  // bid before (maybe before a restart): never twice
    if (!config_.bidding) return skip("bidding disabled");
    if (auto why = screenJob(job, tx_.address(), view, held_, height, open_.size(), config_.maxOpenBids))
        return skip(*why);
    if (config_.minClientBalance > 0) {
        auto acc = chain_.account(job.client);
        auto bal = acc ? Amount::parse(acc->balance()) : std::nullopt;
        if (!bal || bal->micro() < config_.minClientBalance) return skip("client balance below min_client_balance");
    }
    const nlohmann::json jobJson = node::jobJson(node::jobView(job));
    const PriceQuote q = prices_.quote(jobJson, job.resources);
    if (!q.price) return skip(q.reason);
    if (*q.price > job.maxPricePerSecond) return skip("price " + q.price->toString() + " above the job's max");

    // Held from now on, so the next job of the same batch is screened against it.
    open_.push_back(OpenBid{job.id, job.resources, job.biddingEndHeight});
    held_ = contracts::addResources(held_, job.resources).value_or(held_);
    nlohmann::json rec{{"job_id", job.id},
                       {"price", q.price->micro()},
                       {"height", height},
                       {"bidding_end_height", job.biddingEndHeight},
                       {"cpu_millicores", job.resources.cpuMillicores},
                       {"memory_mib", job.resources.memoryMib},
                       {"storage_gib", job.resources.storageGib},
                       {"state", "open"}};
    return PlannedBid{job, *q.price, std::move(rec)};
}

void BidEngine::sendBids(std::vector<PlannedBid> planned, std::uint64_t height, std::size_t bidsPerTx) {
    for (std::size_t first = 0; first < planned.size(); first += bidsPerTx) {
        const std::size_t last = std::min(planned.size(), first + bidsPerTx);
        // Recorded first: if the agent dies between here and the broadcast, it
        // loses these bids, never places them twice.
        std::vector<std::pair<std::string, nlohmann::json>> records;
        std::vector<Msg> msgs;
        SentBids sent;
        for (std::size_t i = first; i < last; ++i) {
            records.emplace_back(AgentStore::bidKey(planned[i].job.id), planned[i].record);
            msgs.push_back(MsgBidPlace{planned[i].job.id, planned[i].price, config_.bidDeposit});
            sent.jobs.push_back(planned[i].job);
        }
        store_.putJsonBatch(records);
        const SendResult r = tx_.send(std::move(msgs));
        auto hash = Hash256::fromHex(r.txHash);
        if (!r.admitted || !hash) {
            for (const auto& j : sent.jobs) dropBid(j.id, "refused", std::to_string(r.code) + ": " + r.message);
            log()->warn("bids on {} job(s) from {} refused ({}: {})", sent.jobs.size(), sent.jobs.front().id, r.code,
                        r.message);
            // A refused batch (the nonce re-read, the account's pending txs
            // full) is tried again next tick, each bid alone; a refused single is not.
            if (sent.jobs.size() > 1)
                for (auto& j : sent.jobs) retry_.push_back(std::move(j));
            continue;
        }
        sent.txHash = *hash;
        sent.sentHeight = height;
        std::lock_guard lock(queueMutex_);
        stats_.bids += sent.jobs.size();
        ++stats_.bidTxs;
        for (std::size_t i = first; i < last; ++i)
            log()->info("job {}: bid {} uagr/s (tx {})", planned[i].job.id, planned[i].price.toString(),
                        r.txHash.substr(0, 16));
        sent_.push_back(std::move(sent));
    }
}

void BidEngine::checkSent(std::uint64_t height) {
    std::vector<SentBids> pending;
    for (auto& s : sent_) {
        if (s.sentHeight >= height) {  // not in a block yet
            pending.push_back(std::move(s));
            continue;
        }
        auto c = chain_.committedTx(s.txHash);
        if (!c) {  // node unreachable: ask again next block
            pending.push_back(std::move(s));
            continue;
        }
        if (!*c) {
            // Not committed: still in the mempool, or dropped (the sender
            // then re-reads its nonce). Given up after kBidTxTimeoutBlocks.
            if (height <= s.sentHeight + kBidTxTimeoutBlocks) {
                pending.push_back(std::move(s));
                continue;
            }
            for (const auto& j : s.jobs) dropBid(j.id, "failed", "bid tx never committed");
            continue;
        }
        if ((**c).code == 0) continue;  // every bid placed
        const std::string why = "bid tx failed with code " + std::to_string((**c).code) + ": " + (**c).message;
        for (const auto& j : s.jobs) dropBid(j.id, "failed", why);
        if (s.jobs.size() > 1) {
            log()->info("{} ({} bids); bidding again on each alone", why, s.jobs.size());
            for (auto& j : s.jobs) retry_.push_back(std::move(j));
        } else {
            log()->warn("job {}: {}", s.jobs.front().id, why);
        }
    }
    sent_ = std::move(pending);
}

void BidEngine::dropBid(std::uint64_t jobId, const std::string& state, const std::string& why) {
    auto rec = store_.getJson(AgentStore::bidKey(jobId)).value_or(nlohmann::json::object());
    rec["state"] = state;
    rec["message"] = why;
    store_.putJson(AgentStore::bidKey(jobId), rec, /*durable=*/false);
    std::erase_if(open_, [&](const OpenBid& b) { return b.jobId == jobId; });
    held_ = heldByBids();
    std::lock_guard lock(queueMutex_);
    ++stats_.failedBids;
}

void BidEngine::reconcile(std::uint64_t height, const ProviderView& view) {
    std::vector<OpenBid> keep;
    for (const auto& b : open_) {
        auto job = chain_.job(b.jobId);
        if (!job) {  // node unreachable: try next time
            keep.push_back(b);
            continue;
        }
        const bool open = *job && (**job).state == "open";
        if (!open) {
            // Accepted (a lease follows), lost or expired: the chain closed the bid and refunded its deposit.
            auto rec = store_.getJson(AgentStore::bidKey(b.jobId)).value_or(nlohmann::json::object());
            rec["state"] = "closed";
            store_.putJson(AgentStore::bidKey(b.jobId), rec);
            continue;
        }
        // Still open, but can we still serve it? Capacity may have gone to another lease.
        auto free = contracts::subResources(view.capacity, view.reserved);
        if (free && contracts::covers(*free, b.resources)) {
            keep.push_back(b);
            continue;
        }
        auto bids = chain_.openBids(b.jobId);
        std::optional<std::uint64_t> mine;
        if (bids)
            for (const auto& bj : *bids)
                if (bj.provider == tx_.address()) mine = bj.id;
        if (!mine) {
            keep.push_back(b);
            continue;
        }
        const SendResult r = tx_.send({MsgBidWithdraw{*mine}});
        if (!r.admitted) {
            keep.push_back(b);
            continue;
        }
        auto rec = store_.getJson(AgentStore::bidKey(b.jobId)).value_or(nlohmann::json::object());
        rec["state"] = "withdrawn";
        store_.putJson(AgentStore::bidKey(b.jobId), rec);
        std::lock_guard lock(queueMutex_);
        ++stats_.withdrawn;
        log()->info("job {}: bid {} withdrawn, capacity no longer free", b.jobId, *mine);
    }
    (void)height;
    open_ = std::move(keep);
    held_ = heldByBids();
}

BidStats BidEngine::stats() const {
    std::lock_guard lock(queueMutex_);
    return stats_;
}

std::size_t BidEngine::openBidCount() const {
    return open_.size();
}

}  // namespace agora::provider
