#include "node/rpc/StateJson.h"

#include "contracts/ResourceMath.h"

namespace agora::node::json {

namespace {
std::string amount(Amount a) {
    return a.toString();
}
std::string u64String(std::uint64_t v) {
    return std::to_string(v);
}
}  // namespace

Json attributes(const std::vector<Attribute>& attrs) {
    Json out = Json::array();
    for (const auto& a : attrs) out.push_back(Json{{"key", a.key}, {"value", a.value}});
    return out;
}

Json resources(const Resources& r) {
    Json gpus = Json::array();
    for (const auto& g : r.gpus) gpus.push_back(Json{{"model", g.model}, {"count", g.count}});
    return Json{{"cpu_millicores", r.cpuMillicores},
                {"memory_mib", r.memoryMib},
                {"storage_gib", r.storageGib},
                {"gpus", std::move(gpus)}};
}

Json prices(const PriceSchedule& p) {
    Json gpus = Json::array();
    for (const auto& g : p.gpus) gpus.push_back(Json{{"model", g.model}, {"per_gpu", amount(g.perGpu)}});
    return Json{{"per_cpu_millicore", amount(p.perCpuMillicore)},
                {"per_memory_mib", amount(p.perMemoryMib)},
                {"per_storage_gib", amount(p.perStorageGib)},
                {"gpus", std::move(gpus)}};
}

Json account(const Address& address, const contracts::Account& acc) {
    return Json{{"address", address.toBech32()}, {"balance", amount(acc.balance)}, {"next_nonce", acc.nonce}};
}

Json provider(const contracts::Provider& p, const std::vector<OfferEntry>& offers) {
    // reserved <= capacity is a ledger invariant; an empty "free" would only
    // show a broken state, never hide one.
    const Resources free = contracts::subResources(p.capacity, p.reserved).value_or(Resources{});
    Json offerList = Json::array();
    for (const auto& o : offers) {
        Json entry = Json{{"offer_id", o.offerId}};
        const Json schedule = prices(o.prices);
        for (const auto& [k, v] : schedule.items()) entry[k] = v;
        offerList.push_back(std::move(entry));
    }
    return Json{{"address", p.address.toBech32()},
                {"host_uri", p.hostUri},
                {"attributes", attributes(p.attributes)},
                {"capacity", resources(p.capacity)},
                {"reserved", resources(p.reserved)},
                {"free", resources(free)},
                {"stake", amount(p.stake)},
                {"offer_count", p.offerCount},
                {"open_leases", p.openLeases},
                {"registered_height", p.registeredHeight},
                {"offers", std::move(offerList)}};
}

Json job(const contracts::Job& j) {
    return Json{{"id", j.id},
                {"client", j.client.toBech32()},
                {"resources", resources(j.resources)},
                {"constraints", attributes(j.constraints)},
                {"max_price_per_second", amount(j.maxPricePerSecond)},
                {"duration_seconds", j.durationSeconds},
                {"bidding_end_height", j.biddingEndHeight},
                {"min_reputation", j.minReputation},
                {"deposit", amount(j.deposit)},
                {"state", std::string(contracts::jobStateName(j.state))},
                {"open_bids", j.openBids},
                {"lease_id", j.leaseId},
                {"manifest_hash", j.manifestHash.toHex()}};
}

Json bid(const contracts::Bid& b) {
    return Json{{"id", b.id},
                {"job_id", b.jobId},
                {"provider", b.provider.toBech32()},
                {"price_per_second", amount(b.pricePerSecond)},
                {"deposit", amount(b.deposit)},
                {"state", std::string(contracts::bidStateName(b.state))},
                {"created_height", b.createdHeight}};
}

Json lease(const contracts::Lease& l, const std::optional<contracts::UsageRecord>& usage) {
    Json out{{"id", l.id},
             {"client", l.client.toBech32()},
             {"provider", l.provider.toBech32()},
             {"job_id", l.jobId},
             {"resources", resources(l.resources)},
             {"price_per_second", amount(l.pricePerSecond)},
             {"start_height", l.startHeight},
             {"start_time", l.startTime},
             {"end_time", l.endTime},
             {"paid_through", l.paidThrough},
             {"escrow", amount(l.escrow)},
             {"accrued", amount(l.accrued)},
             {"paid_out", amount(l.paidOut)},
             {"refunded", amount(l.refunded)},
             {"deposited", amount(l.deposited)},
             {"state", std::string(contracts::leaseStateName(l.state))},
             {"due_time", l.dueTime},
             {"grace_time", l.graceTime},
             {"close_height", l.closeHeight},
             {"close_time", l.closeTime},
             // Meaningful only once closed; printed always so the shape is fixed.
             {"close_reason", l.state == contracts::LeaseState::Closed
                                  ? std::string(contracts::closeReasonName(l.closeReason))
                                  : std::string()},
             {"settled", l.settled},
             {"rating", l.rating},
             {"manifest_hash", l.manifestHash.toHex()}};
    if (usage) {
        out["usage"] = Json{{"up_to_height", usage->upToHeight},
                            {"availability_bps", usage->availabilityBps},
                            {"metrics_hash", usage->metricsHash.toHex()},
                            {"reported_at", usage->reportedAt}};
    } else {
        out["usage"] = nullptr;
    }
    return out;
}

Json reputation(const Address& provider, const contracts::ProviderReputation& rep) {
    return Json{{"provider", provider.toBech32()},
                {"score", rep.score()},
                {"completed", rep.completed},
                {"early_closes", rep.earlyCloses},
                {"slashes", rep.slashes},
                {"total_paid", amount(rep.totalPaid)},
                {"rated_value", u64String(rep.ratedValue)},
                {"rating_sum", u64String(rep.ratingSum)},
                {"last_decay_height", rep.lastDecayHeight}};
}

Json clientRecord(const Address& client, const contracts::ClientRecord& rec) {
    return Json{{"client", client.toBech32()},
                {"leases_settled", rec.leasesSettled},
                {"total_paid", amount(rec.totalPaid)},
                {"early_closes", rec.earlyCloses}};
}

Json validator(const contracts::Validator& v) {
    return Json{{"operator", v.operatorAddress.toBech32(kValidatorPrefix)},
                {"account", v.operatorAddress.toBech32()},
                {"consensus_key", v.consensusKey.toHex()},
                {"moniker", v.moniker},
                {"commission_bps", v.commissionBps},
                {"tokens", amount(v.tokens)},
                {"power", u64String(v.power())},
                {"total_shares", u64String(v.totalShares)},
                {"jailed", v.jailed},
                {"jailed_until", v.jailedUntil},
                {"tombstoned", v.tombstoned},
                {"pending_rewards", amount(v.pendingRewards)},
                {"max_commission_bps", v.maxCommissionBps},
                {"max_commission_change_bps", v.maxCommissionChangeBps},
                {"commission_changed_height", v.commissionChangedHeight}};
}

Json params(const contracts::Params& p) {
    Json out = Json::object();
    for (const auto& info : contracts::paramInfos()) {
        const std::string v = contracts::paramValue(p, info.name).value_or("");
        if (info.kind == contracts::ParamKind::Amount)
            out[std::string(info.name)] = v;
        else
            out[std::string(info.name)] = std::stoull(v);
    }
    return out;
}

Json tally(const contracts::Tally& t) {
    return Json{{"yes", amount(t.yes)},
                {"abstain", amount(t.abstain)},
                {"no", amount(t.no)},
                {"no_with_veto", amount(t.veto)},
                {"bonded", amount(t.bonded)}};
}

Json proposal(const contracts::Proposal& p, const contracts::Tally& t) {
    Json changes = Json::array();
    for (const auto& c : p.changes) changes.push_back(Json{{"key", c.key}, {"value", c.value}});
    return Json{{"id", p.id},
                {"proposer", p.proposer.toBech32()},
                {"title", p.title},
                {"changes", std::move(changes)},
                {"status", std::string(contracts::proposalStatusName(p.status))},
                {"submit_height", p.submitHeight},
                {"deposit_end_height", p.depositEndHeight},
                {"voting_start_height", p.votingStartHeight},
                {"voting_end_height", p.votingEndHeight},
                {"total_deposit", amount(p.totalDeposit)},
                {"deposits_held", amount(p.depositsHeld)},
                {"tally", tally(t)},
                {"failure", p.failure}};
}

Json event(const state::Event& e) {
    Json attrs = Json::array();
    for (const auto& a : e.attributes) attrs.push_back(Json{{"key", a.key}, {"value", a.value}});
    return Json{{"type", e.type}, {"attributes", std::move(attrs)}};
}

std::string dump(const Json& j) {
    // Replace invalid UTF-8 (host URIs, monikers are arbitrary bytes) rather than throw.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace agora::node::json
