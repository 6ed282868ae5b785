#include "node/provider/LeaseManager.h"

#include <chrono>

#include "consensus/core/Codec.h"
#include "node/base/Logging.h"

namespace agora::provider {

using nlohmann::json;

namespace {
auto log() {
    return node::moduleLog("provider");
}

// A close tx not committed after this many blocks is sent again.
constexpr std::uint64_t kCloseRetryBlocks = 10;
// Logs and work dirs of closed leases are kept this long for `agora lease logs`.
constexpr std::uint64_t kRetainClosedBlocks = 2'000;
constexpr std::size_t kMaxEventsPerLease = 256;
constexpr std::uint32_t kMaxRedeploys = 3;

Resources resourcesFromJson(const json& r) {
    Resources out;
    out.cpuMillicores = r.value("cpu_millicores", 0ull);
    out.memoryMib = r.value("memory_mib", 0ull);
    out.storageGib = r.value("storage_gib", 0ull);
    for (const auto& g : r.value("gpus", json::array()))
        out.gpus.push_back(GpuCount{g.value("model", ""), g.value("count", 0u)});
    return out;
}

json resourcesToJson(const Resources& r) {
    json gpus = json::array();
    for (const auto& g : r.gpus) gpus.push_back({{"model", g.model}, {"count", g.count}});
    return {{"cpu_millicores", r.cpuMillicores},
            {"memory_mib", r.memoryMib},
            {"storage_gib", r.storageGib},
            {"gpus", gpus}};
}

std::string hexOf(const Hash256& h) {
    return h.toHex();
}
}  // namespace

std::string_view agentLeaseStateName(AgentLeaseState s) {
    switch (s) {
        case AgentLeaseState::AwaitingManifest:
            return "awaiting_manifest";
        case AgentLeaseState::Running:
            return "running";
        case AgentLeaseState::Succeeded:
            return "succeeded";
        case AgentLeaseState::Failed:
            return "failed";
        case AgentLeaseState::Closed:
            return "closed";
    }
    return "unknown";
}

std::string_view leaseCallErrorName(LeaseCallError e) {
    switch (e) {
        case LeaseCallError::NotFound:
            return "lease_not_found";
        case LeaseCallError::NotClient:
            return "not_lease_client";
        case LeaseCallError::LeaseClosed:
            return "lease_closed";
        case LeaseCallError::ManifestInvalid:
            return "manifest_invalid";
        case LeaseCallError::ManifestHashMismatch:
            return "manifest_hash_mismatch";
        case LeaseCallError::ManifestExceedsLease:
            return "manifest_exceeds_lease";
        case LeaseCallError::ManifestConflict:
            return "manifest_conflict";
        case LeaseCallError::ChainUnavailable:
            return "chain_unavailable";
        case LeaseCallError::DeployFailed:
            return "deploy_failed";
    }
    return "unknown";
}

LeaseManager::LeaseManager(const ProviderConfig& config, ChainClient& chain, TxSender& tx, AgentStore& store,
                           Runtime& runtime)
    : config_(config), chain_(chain), tx_(tx), store_(store), runtime_(runtime) {}

std::optional<LeaseManager::Entry> LeaseManager::entryFromChain(const node::LeaseView& lease) const {
    if (lease.provider != tx_.address()) return std::nullopt;
    Entry e;
    e.id = lease.id;
    e.client = lease.client;
    e.resources = lease.resources;
    e.manifestHash = lease.manifestHash;
    e.startHeight = lease.startHeight;
    e.endTime = lease.endTime;
    e.lastReportHeight = e.startHeight;
    e.lastWithdrawHeight = e.startHeight;
    return e;
}

void LeaseManager::persist(const Entry& e) {
    json j{{"id", e.id},
           {"client", e.client.toBech32()},
           {"resources", resourcesToJson(e.resources)},
           {"manifest_hash", hexOf(e.manifestHash)},
           {"start_height", e.startHeight},
           {"end_time", e.endTime},
           {"state", std::string(agentLeaseStateName(e.state))},
           {"kind", e.kind == manifest::WorkloadKind::Batch ? "batch" : "service"},
           {"message", e.message},
           {"close_reason", e.closeReason},
           {"last_report_height", e.lastReportHeight},
           {"last_withdraw_height", e.lastWithdrawHeight},
           {"close_sent_height", e.closeSentHeight},
           {"close_sent_reason", static_cast<unsigned>(e.closeSentReason)},
           {"closed_height", e.closedHeight},
           {"redeploys", e.redeploys}};
    store_.putJson(AgentStore::leaseKey(e.id), j);
}

void LeaseManager::event(Entry& e, std::uint64_t height, const std::string& kind, const std::string& message) {
    e.events.push_back(LeaseEventRecord{e.nextSeq++, height, kind, message});
    if (e.events.size() > kMaxEventsPerLease) e.events.erase(e.events.begin());
    log()->info("lease {}: {}{}{}", e.id, kind, message.empty() ? "" : ": ", message);
}

void LeaseManager::recover(std::uint64_t height) {
    std::lock_guard lock(mutex_);
    height_ = height;
    for (const auto& [key, value] : store_.scan("lease/")) {
        auto j = json::parse(value, nullptr, false);
        if (j.is_discarded()) continue;
        Entry e;
        e.id = j.value("id", 0ull);
        auto client = Address::fromBech32(j.value("client", ""));
        auto hash = Hash256::fromHex(j.value("manifest_hash", std::string(64, '0')));
        if (!client || !hash || e.id == 0) continue;
        e.client = *client;
        e.manifestHash = *hash;
        e.resources = resourcesFromJson(j.value("resources", json::object()));
        e.startHeight = j.value("start_height", 0ull);
        e.endTime = j.value("end_time", 0ull);
        const std::string st = j.value("state", "");
        for (auto s : {AgentLeaseState::AwaitingManifest, AgentLeaseState::Running, AgentLeaseState::Succeeded,
                       AgentLeaseState::Failed, AgentLeaseState::Closed})
            if (agentLeaseStateName(s) == st) e.state = s;
        e.kind =
            j.value("kind", "batch") == "service" ? manifest::WorkloadKind::Service : manifest::WorkloadKind::Batch;
        e.message = j.value("message", "");
        e.closeReason = j.value("close_reason", "");
        e.lastReportHeight = j.value("last_report_height", e.startHeight);
        e.lastWithdrawHeight = j.value("last_withdraw_height", e.startHeight);
        e.closeSentHeight = j.value("close_sent_height", 0ull);
        // Stores written before the reason was kept: the reason the state implies.
        e.closeSentReason = j.contains("close_sent_reason") ? static_cast<CloseReason>(j.value("close_sent_reason", 0u))
                            : e.state == AgentLeaseState::Succeeded        ? CloseReason::Completed
                            : e.state == AgentLeaseState::AwaitingManifest ? CloseReason::ManifestTimeout
                                                                           : CloseReason::WorkloadFailed;
        e.closedHeight = j.value("closed_height", 0ull);
        e.redeploys = j.value("redeploys", 0u);
        event(e, height, "agent_restarted", "state " + st);
        entries_[e.id] = std::move(e);
    }
    // Workloads the runtime still holds: adopt them, whatever the store says.
    for (const std::uint64_t id : runtime_.list()) {
        auto it = entries_.find(id);
        if (it == entries_.end()) {
            auto l = chain_.lease(id);
            if (!l || !*l) continue;  // unknown to the chain: onBlock never touches it; operator's to clean
            auto e = entryFromChain(**l);
            if (!e) continue;
            it = entries_.emplace(id, std::move(*e)).first;
            it->second.state = AgentLeaseState::Running;
        }
        auto st = runtime_.status(id);
        if (st && !st->finished() && it->second.state != AgentLeaseState::Closed) {
            it->second.state = AgentLeaseState::Running;
            ++stats_.adopted;
            event(it->second, height, "adopted", "workload still running after the agent restarted");
            persist(it->second);
        }
    }
}

void LeaseManager::noteLease(std::uint64_t leaseId) {
    std::lock_guard lock(mutex_);
    noted_.insert(leaseId);
}

void LeaseManager::reconcile(std::uint64_t height) {
    auto leases = chain_.leasesOfProvider(tx_.address());
    if (!leases) {
        log()->warn("reconcile: {}", leases.error());
        return;
    }
    std::lock_guard lock(mutex_);
    for (const auto& l : *leases) {
        const std::uint64_t id = l.id;
        if (l.state == "closed" || entries_.count(id)) continue;
        auto e = entryFromChain(l);
        if (!e) continue;
        event(*e, height, "lease_won", "price " + l.pricePerSecond.toString() + " uagr/s");
        persist(*e);
        entries_.emplace(id, std::move(*e));
    }
}

Expected<void, RuntimeError> LeaseManager::deploy(Entry& e, const std::string& bytes) {
    auto m = manifest::parseManifest(bytes);
    if (!m) return Unexpected(RuntimeError{RuntimeErrorCode::Unsupported, m.error().message});
    WorkloadSpec spec;
    spec.leaseId = e.id;
    spec.manifest = *m;
    spec.limits = e.resources;
    spec.extraEnv = {{"AGORA_LEASE_ID", std::to_string(e.id)},
                     {"AGORA_CHAIN_ID", tx_.chainId()},
                     {"AGORA_PROVIDER", tx_.address().toBech32()},
                     {"AGORA_CLIENT", e.client.toBech32()}};
    // A scheduler's time limit (slurm --time): the lease ends at a block time
    // (ms since epoch), and validators accept no header time beyond their own
    // clocks, so the wall time left is a close bound.
    const auto nowMs = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    if (e.endTime > nowMs) spec.maxDurationSeconds = (e.endTime - nowMs + 999) / 1000;
    e.kind = m->kind;
    auto r = runtime_.deploy(spec);
    if (!r && r.error().code == RuntimeErrorCode::AlreadyExists) return {};
    return r;
}

Expected<LeaseManager::Entry*, LeaseCallFailure> LeaseManager::findOrLoad(std::uint64_t leaseId,
                                                                          const Address& signer) {
    auto it = entries_.find(leaseId);
    if (it == entries_.end()) {
        // Not seen yet (the client is quicker than our block follower): ask the chain.
        auto l = chain_.lease(leaseId);
        if (!l) return Unexpected(LeaseCallFailure{LeaseCallError::ChainUnavailable, l.error()});
        if (!*l)
            return Unexpected(
                LeaseCallFailure{LeaseCallError::NotFound, "lease " + std::to_string(leaseId) + " does not exist"});
        if ((**l).state == "closed")
            return Unexpected(LeaseCallFailure{LeaseCallError::LeaseClosed, "lease is closed"});
        auto e = entryFromChain(**l);
        if (!e)
            return Unexpected(LeaseCallFailure{LeaseCallError::NotFound,
                                               "lease " + std::to_string(leaseId) + " is not this provider's"});
        event(*e, height_, "lease_won", "");
        persist(*e);
        it = entries_.emplace(leaseId, std::move(*e)).first;
    }
    if (it->second.client != signer)
        return Unexpected(
            LeaseCallFailure{LeaseCallError::NotClient, "the request is not signed by the lease's client"});
    return &it->second;
}

Expected<LeaseStatusView, LeaseCallFailure> LeaseManager::acceptManifest(std::uint64_t leaseId, const Address& signer,
                                                                         const std::string& bytes) {
    std::lock_guard lock(mutex_);
    auto found = findOrLoad(leaseId, signer);
    if (!found) return Unexpected(found.error());
    Entry& e = **found;
    if (e.state == AgentLeaseState::Closed)
        return Unexpected(LeaseCallFailure{LeaseCallError::LeaseClosed, "lease is closed"});
    auto m = manifest::parseManifest(bytes);
    if (!m)
        return Unexpected(
            LeaseCallFailure{LeaseCallError::ManifestInvalid,
                             std::string(manifest::manifestErrorCodeName(m.error().code)) + ": " + m.error().message});
    const Hash256 h = manifest::manifestHash(*m);
    if (h != e.manifestHash)
        return Unexpected(
            LeaseCallFailure{LeaseCallError::ManifestHashMismatch,
                             "manifest hash " + h.toHex() + " differs from the lease's " + e.manifestHash.toHex()});
    if (auto fits = manifest::checkAgainstJob(*m, e.resources); !fits)
        return Unexpected(LeaseCallFailure{LeaseCallError::ManifestExceedsLease, fits.error().message});
    if (e.state != AgentLeaseState::AwaitingManifest) return viewOf(e);  // the same manifest again: idempotent
    store_.putBytes(AgentStore::manifestKey(e.id), bytes);
    event(e, height_, "manifest_received", h.toHex().substr(0, 16));
    auto d = deploy(e, bytes);
    if (!d) {
        e.message = d.error().message;
        const CloseReason reason = d.error().code == RuntimeErrorCode::SystemError ? CloseReason::ProviderTerminated
                                                                                   : CloseReason::WorkloadFailed;
        e.state = AgentLeaseState::Failed;
        sendClose(e, height_, reason, "deploy failed: " + d.error().message);
        persist(e);
        return Unexpected(LeaseCallFailure{LeaseCallError::DeployFailed, d.error().message});
    }
    e.state = AgentLeaseState::Running;
    ++stats_.deployed;
    event(e, height_, "deployed", std::to_string(m->services.size()) + " service(s)");
    persist(e);
    return viewOf(e);
}

LeaseStatusView LeaseManager::viewOf(Entry& e) {
    LeaseStatusView v;
    v.leaseId = e.id;
    v.state = e.state;
    v.manifestHash = e.manifestHash.toHex();
    v.workload = runtime_.status(e.id);
    v.message = e.message;
    v.closeReason = e.closeReason;
    return v;
}

Expected<LeaseStatusView, LeaseCallFailure> LeaseManager::status(std::uint64_t leaseId, const Address& signer) {
    std::lock_guard lock(mutex_);
    auto found = findOrLoad(leaseId, signer);
    if (!found) return Unexpected(found.error());
    return viewOf(**found);
}

Expected<std::vector<LeaseEventRecord>, LeaseCallFailure> LeaseManager::events(std::uint64_t leaseId,
                                                                               const Address& signer,
                                                                               std::uint64_t afterSeq) {
    std::lock_guard lock(mutex_);
    auto found = findOrLoad(leaseId, signer);
    if (!found) return Unexpected(found.error());
    std::vector<LeaseEventRecord> out;
    for (const auto& ev : (**found).events)
        if (ev.seq > afterSeq) out.push_back(ev);
    return out;
}

Expected<void, LeaseCallFailure> LeaseManager::authorize(std::uint64_t leaseId, const Address& signer) {
    std::lock_guard lock(mutex_);
    auto found = findOrLoad(leaseId, signer);
    if (!found) return Unexpected(found.error());
    return {};
}

bool LeaseManager::workloadActive(std::uint64_t leaseId) {
    auto st = runtime_.status(leaseId);
    return st && !st->finished();
}

void LeaseManager::sendClose(Entry& e, std::uint64_t height, CloseReason reason, const std::string& why) {
    const SendResult r = tx_.send({MsgLeaseClose{e.id, reason}});
    e.closeSentHeight = height == 0 ? 1 : height;
    e.closeSentReason = reason;
    e.message = why;
    ++stats_.closes;
    event(e, height, "closing",
          why + (r.admitted ? "" : " (close tx refused: " + std::to_string(r.code) + " " + r.message + ")"));
}

void LeaseManager::markClosed(Entry& e, std::uint64_t height, const std::string& reason) {
    runtime_.stop(e.id);
    e.state = AgentLeaseState::Closed;
    e.closeReason = reason;
    e.closedHeight = height;
    event(e, height, "closed", reason);
    persist(e);
}

void LeaseManager::stepEntry(Entry& e, std::uint64_t height, const ChainLease* fetched) {
    if (e.state == AgentLeaseState::Closed) {
        if (height > e.closedHeight + kRetainClosedBlocks) {
            runtime_.remove(e.id);
            store_.erase(AgentStore::manifestKey(e.id));
            store_.erase(AgentStore::leaseKey(e.id));
            e.id = 0;  // dropped by onBlock
        }
        return;
    }
    // Not fetched: the entry appeared (gateway call) while onBlock queried the chain.
    if (fetched == nullptr) return;
    const ChainLease& chainLease = *fetched;
    if (!chainLease) return;  // node unreachable: change nothing, try next block
    if (!*chainLease) {
        markClosed(e, height, "lease_not_on_chain");
        return;
    }
    const node::LeaseView& l = **chainLease;
    if (l.state == "closed") {
        markClosed(e, height, l.closeReason);
        return;
    }
    if (e.closeSentHeight != 0) {
        if (height >= e.closeSentHeight + kCloseRetryBlocks) {
            // The reason first sent, again: a retried provider_terminated must not become workload_failed.
            sendClose(e, height, e.closeSentReason, e.message + " (retry)");
            persist(e);
        }
        return;
    }
    switch (e.state) {
        case AgentLeaseState::AwaitingManifest:
            if (height >= e.startHeight + config_.manifestTimeoutBlocks) {
                sendClose(e, height, CloseReason::ManifestTimeout,
                          "no manifest within " + std::to_string(config_.manifestTimeoutBlocks) + " blocks");
                persist(e);
            }
            return;
        case AgentLeaseState::Running: {
            auto st = runtime_.status(e.id);
            if (!st) {
                // The runtime lost it (host reboot, wiped state): redeploy from the stored manifest.
                auto bytes = store_.getBytes(AgentStore::manifestKey(e.id));
                if (bytes && e.redeploys < kMaxRedeploys) {
                    ++e.redeploys;
                    auto d = deploy(e, *bytes);
                    event(e, height, "redeployed", d ? "" : d.error().message);
                    persist(e);
                    return;
                }
                e.state = AgentLeaseState::Failed;
                sendClose(e, height, CloseReason::ProviderTerminated, "workload lost and cannot be redeployed");
                persist(e);
                return;
            }
            if (st->finished()) {
                const bool lost = std::any_of(st->services.begin(), st->services.end(),
                                              [](const ServiceStatus& s) { return s.state == ServiceState::Lost; });
                if (st->succeeded()) {
                    e.state = AgentLeaseState::Succeeded;
                    sendClose(e, height, CloseReason::Completed, "workload exited 0");
                } else if (lost && !st->failed()) {
                    e.state = AgentLeaseState::Failed;
                    sendClose(e, height, CloseReason::ProviderTerminated, "workload lost");
                } else {
                    e.state = AgentLeaseState::Failed;
                    std::string why = "workload failed";
                    for (const auto& s : st->services) {
                        if (s.state == ServiceState::OomKilled) why = "service " + s.name + " killed: out of memory";
                        if (s.state == ServiceState::Exited && s.exitCode && *s.exitCode != 0)
                            why = "service " + s.name + " exited " + std::to_string(*s.exitCode);
                    }
                    sendClose(e, height, CloseReason::WorkloadFailed, why);
                }
                persist(e);
                return;
            }
            if (height >= e.lastReportHeight + config_.reportIntervalBlocks) {
                std::uint64_t cpu = 0;
                std::uint64_t mem = 0;
                for (const auto& s : st->services) {
                    cpu += s.cpuUsageNanos;
                    mem = std::max(mem, s.memoryBytes);
                }
                const json usage{
                    {"lease_id", e.id}, {"up_to_height", height}, {"cpu_usage_nanos", cpu}, {"memory_bytes", mem}};
                const std::string text = usage.dump();
                const Hash256 metrics =
                    sha256(ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
                const SendResult r = tx_.send({MsgUsageReport{e.id, height, 10'000, metrics}});
                if (r.admitted) {
                    e.lastReportHeight = height;
                    ++stats_.reports;
                    persist(e);
                }
            }
            if (height >= e.lastWithdrawHeight + config_.withdrawIntervalBlocks) {
                auto esc = chain_.escrow(e.id);
                if (esc && esc->accrued() != "0" && !esc->accrued().empty()) {
                    const SendResult r = tx_.send({MsgProviderWithdraw{e.id}});
                    if (r.admitted) ++stats_.withdrawals;
                }
                e.lastWithdrawHeight = height;
                persist(e);
            }
            return;
        }
        case AgentLeaseState::Succeeded:
        case AgentLeaseState::Failed:
        case AgentLeaseState::Closed:
            return;
    }
}

void LeaseManager::onBlock(std::uint64_t height) {
    std::set<std::uint64_t> noted;
    {
        std::lock_guard lock(mutex_);
        noted.swap(noted_);
    }
    for (const std::uint64_t id : noted) {
        auto l = chain_.lease(id);
        if (!l || !*l || (**l).state == "closed") continue;
        std::lock_guard lock(mutex_);
        if (entries_.count(id)) continue;
        auto e = entryFromChain(**l);
        if (!e) continue;
        event(*e, height, "lease_won", "price " + (**l).pricePerSecond.toString() + " uagr/s");
        persist(*e);
        entries_.emplace(id, std::move(*e));
    }
    // The chain's view of every open entry, read without the mutex: gateway
    // calls (SendManifest, LeaseStatus, logs) never wait behind these queries.
    std::vector<std::uint64_t> open;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, e] : entries_)
            if (e.state != AgentLeaseState::Closed) open.push_back(id);
    }
    std::map<std::uint64_t, ChainLease> fetched;
    for (const std::uint64_t id : open) fetched.emplace(id, chain_.lease(id));

    std::lock_guard lock(mutex_);
    height_ = height;
    for (auto& [id, e] : entries_) {
        auto f = fetched.find(id);
        stepEntry(e, height, f == fetched.end() ? nullptr : &f->second);
    }
    std::erase_if(entries_, [](const auto& kv) { return kv.second.id == 0; });
}

LeaseManagerStats LeaseManager::stats() {
    std::lock_guard lock(mutex_);
    LeaseManagerStats s = stats_;
    s.tracked = entries_.size();
    s.running = static_cast<std::size_t>(std::count_if(
        entries_.begin(), entries_.end(), [](const auto& kv) { return kv.second.state == AgentLeaseState::Running; }));
    return s;
}

Resources LeaseManager::reservedLocally() {
    std::lock_guard lock(mutex_);
    Resources r;
    for (const auto& [id, e] : entries_) {
        if (e.state == AgentLeaseState::Closed) continue;
        r.cpuMillicores += e.resources.cpuMillicores;
        r.memoryMib += e.resources.memoryMib;
        r.storageGib += e.resources.storageGib;
    }
    return r;
}

}  // namespace agora::provider
