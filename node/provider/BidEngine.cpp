#include "node/provider/BidEngine.h"

#include "consensus/core/Codec.h"
#include "contracts/Providers.h"
#include "contracts/ResourceMath.h"
#include "node/base/Logging.h"
#include "node/rpc/StateJson.h"

namespace agora::provider {

namespace {
auto log() {
    return node::moduleLog("provider");
}
constexpr std::size_t kQueueMax = 100'000;
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

void BidEngine::processQueue(std::uint64_t height, const ProviderView& view) {
    std::deque<agora::market::v1::JobNotice> batch;
    {
        std::lock_guard lock(queueMutex_);
        batch.swap(queue_);
    }
    for (const auto& n : batch) {
        const std::string& raw = n.job();
        auto job = decode<contracts::Job>(ByteSpan(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
        if (!job) continue;
        handle(*job, height, view);
    }
}

void BidEngine::handle(const contracts::Job& job, std::uint64_t height, const ProviderView& view) {
    {
        std::lock_guard lock(queueMutex_);
        ++stats_.seen;
    }
    const std::string key = AgentStore::bidKey(job.id);
    auto skip = [&](const std::string& why) {
        std::lock_guard lock(queueMutex_);
        ++stats_.skipped;
        log()->debug("job {}: no bid ({})", job.id, why);
    };
    if (store_.getBytes(key)) return;  // bid before (maybe before a restart): never twice
    if (!config_.bidding) return skip("bidding disabled");
    if (auto why = screenJob(job, tx_.address(), view, heldByBids(), height, open_.size(), config_.maxOpenBids))
        return skip(*why);
    if (config_.minClientBalance > 0) {
        auto acc = chain_.account(job.client);
        auto bal = acc ? Amount::parse(acc->balance()) : std::nullopt;
        if (!bal || bal->micro() < config_.minClientBalance) return skip("client balance below min_client_balance");
    }
    const nlohmann::json jobJson = node::json::job(job);
    const PriceQuote q = prices_.quote(jobJson, job.resources);
    if (!q.price) return skip(q.reason);
    if (*q.price > job.maxPricePerBlock) return skip("price " + q.price->toString() + " above the job's max");

    // Recorded first: if the agent dies between here and the broadcast, it
    // loses one bid, never places two.
    nlohmann::json rec{{"job_id", job.id},
                       {"price", q.price->micro()},
                       {"height", height},
                       {"bidding_end_height", job.biddingEndHeight},
                       {"cpu_millicores", job.resources.cpuMillicores},
                       {"memory_mib", job.resources.memoryMib},
                       {"storage_gib", job.resources.storageGib},
                       {"state", "open"}};
    store_.putJson(key, rec);
    const SendResult r = tx_.send({MsgBidPlace{job.id, *q.price, config_.bidDeposit}});
    if (!r.admitted) {
        rec["state"] = "refused";
        rec["message"] = r.message;
        store_.putJson(key, rec);
        log()->warn("job {}: bid refused ({}: {})", job.id, r.code, r.message);
        return;
    }
    open_.push_back(OpenBid{job.id, job.resources, job.biddingEndHeight});
    std::lock_guard lock(queueMutex_);
    ++stats_.bids;
    log()->info("job {}: bid {} uagr/block (tx {})", job.id, q.price->toString(), r.txHash.substr(0, 16));
}

void BidEngine::reconcile(std::uint64_t height, const ProviderView& view) {
    std::vector<OpenBid> keep;
    for (const auto& b : open_) {
        auto job = chain_.job(b.jobId);
        if (!job) {  // node unreachable: try next time
            keep.push_back(b);
            continue;
        }
        const bool open = *job && (**job).value("state", "") == "open";
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
                if (bj.value("provider", "") == tx_.address().toBech32()) mine = bj.value("id", 0ull);
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
}

BidStats BidEngine::stats() const {
    std::lock_guard lock(queueMutex_);
    return stats_;
}

std::size_t BidEngine::openBidCount() const {
    return open_.size();
}

}  // namespace agora::provider
