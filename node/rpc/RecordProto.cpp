#include "node/rpc/RecordProto.h"

#include "contracts/ResourceMath.h"

namespace agora::node {

namespace q = agora::query::v1;

namespace {

void attributes(const std::vector<Attribute>& attrs,
                google::protobuf::RepeatedPtrField<agora::types::v1::Attribute>* out) {
    for (const auto& a : attrs) {
        auto* e = out->Add();
        e->set_key(a.key);
        e->set_value(a.value);
    }
}

void tally(const contracts::Tally& t, q::TallyRecord* out) {
    out->set_yes(t.yes.toString());
    out->set_abstain(t.abstain.toString());
    out->set_no(t.no.toString());
    out->set_no_with_veto(t.veto.toString());
    out->set_bonded(t.bonded.toString());
}

}  // namespace

void toProto(const Resources& r, q::ResourcesRecord* out) {
    out->set_cpu_millicores(r.cpuMillicores);
    out->set_memory_mib(r.memoryMib);
    out->set_storage_gib(r.storageGib);
    for (const auto& g : r.gpus) {
        auto* e = out->add_gpus();
        e->set_model(g.model);
        e->set_count(g.count);
    }
}

void toProto(const ProviderView& v, q::ProviderRecord* out) {
    const auto& p = v.provider;
    out->set_address(p.address.toBech32());
    out->set_host_uri(p.hostUri);
    attributes(p.attributes, out->mutable_attributes());
    toProto(p.capacity, out->mutable_capacity());
    toProto(p.reserved, out->mutable_reserved());
    // reserved <= capacity is a ledger invariant (as in json::provider).
    toProto(contracts::subResources(p.capacity, p.reserved).value_or(Resources{}), out->mutable_free());
    out->set_stake(p.stake.toString());
    out->set_offer_count(p.offerCount);
    out->set_open_leases(p.openLeases);
    out->set_registered_height(p.registeredHeight);
    for (const auto& o : v.offers) {
        auto* e = out->add_offers();
        e->set_offer_id(o.offerId);
        e->set_per_cpu_millicore(o.prices.perCpuMillicore.toString());
        e->set_per_memory_mib(o.prices.perMemoryMib.toString());
        e->set_per_storage_gib(o.prices.perStorageGib.toString());
        for (const auto& g : o.prices.gpus) {
            auto* gp = e->add_gpus();
            gp->set_model(g.model);
            gp->set_per_gpu(g.perGpu.toString());
        }
    }
}

void toProto(const contracts::Job& j, q::JobRecord* out) {
    out->set_id(j.id);
    out->set_client(j.client.toBech32());
    toProto(j.resources, out->mutable_resources());
    attributes(j.constraints, out->mutable_constraints());
    out->set_max_price_per_second(j.maxPricePerSecond.toString());
    out->set_duration_seconds(j.durationSeconds);
    out->set_bidding_end_height(j.biddingEndHeight);
    out->set_min_reputation(j.minReputation);
    out->set_deposit(j.deposit.toString());
    out->set_state(std::string(contracts::jobStateName(j.state)));
    out->set_open_bids(j.openBids);
    out->set_lease_id(j.leaseId);
    out->set_manifest_hash(j.manifestHash.toHex());
}

void toProto(const contracts::Bid& b, q::BidRecord* out) {
    out->set_id(b.id);
    out->set_job_id(b.jobId);
    out->set_provider(b.provider.toBech32());
    out->set_price_per_second(b.pricePerSecond.toString());
    out->set_deposit(b.deposit.toString());
    out->set_state(std::string(contracts::bidStateName(b.state)));
    out->set_created_height(b.createdHeight);
}

void toProto(const LeaseView& v, q::LeaseRecord* out) {
    const auto& l = v.lease;
    out->set_id(l.id);
    out->set_client(l.client.toBech32());
    out->set_provider(l.provider.toBech32());
    out->set_job_id(l.jobId);
    toProto(l.resources, out->mutable_resources());
    out->set_price_per_second(l.pricePerSecond.toString());
    out->set_start_height(l.startHeight);
    out->set_start_time(l.startTime);
    out->set_end_time(l.endTime);
    out->set_paid_through(l.paidThrough);
    out->set_escrow(l.escrow.toString());
    out->set_accrued(l.accrued.toString());
    out->set_paid_out(l.paidOut.toString());
    out->set_refunded(l.refunded.toString());
    out->set_deposited(l.deposited.toString());
    out->set_state(std::string(contracts::leaseStateName(l.state)));
    out->set_due_time(l.dueTime);
    out->set_grace_time(l.graceTime);
    out->set_close_height(l.closeHeight);
    out->set_close_time(l.closeTime);
    out->set_close_reason(l.state == contracts::LeaseState::Closed
                              ? std::string(contracts::closeReasonName(l.closeReason))
                              : std::string());
    out->set_settled(l.settled);
    out->set_rating(l.rating);
    out->set_manifest_hash(l.manifestHash.toHex());
    if (v.usage) {
        auto* u = out->mutable_usage();
        u->set_up_to_height(v.usage->upToHeight);
        u->set_availability_bps(v.usage->availabilityBps);
        u->set_metrics_hash(v.usage->metricsHash.toHex());
        u->set_reported_at(v.usage->reportedAt);
    }
}

void toProto(const Address& provider, const contracts::ProviderReputation& rep, q::ReputationRecord* out) {
    out->set_provider(provider.toBech32());
    out->set_score(rep.score());
    out->set_completed(rep.completed);
    out->set_early_closes(rep.earlyCloses);
    out->set_slashes(rep.slashes);
    out->set_total_paid(rep.totalPaid.toString());
    out->set_rated_value(std::to_string(rep.ratedValue));
    out->set_rating_sum(std::to_string(rep.ratingSum));
    out->set_last_decay_height(rep.lastDecayHeight);
}

void toProto(const Address& client, const contracts::ClientRecord& rec, q::ClientRecord* out) {
    out->set_client(client.toBech32());
    out->set_leases_settled(rec.leasesSettled);
    out->set_total_paid(rec.totalPaid.toString());
    out->set_early_closes(rec.earlyCloses);
}

void toProto(const contracts::Validator& v, q::ValidatorRecord* out) {
    out->set_operator_(v.operatorAddress.toBech32(kValidatorPrefix));
    out->set_account(v.operatorAddress.toBech32());
    out->set_consensus_key(v.consensusKey.toHex());
    out->set_moniker(v.moniker);
    out->set_commission_bps(v.commissionBps);
    out->set_tokens(v.tokens.toString());
    out->set_power(std::to_string(v.power()));
    out->set_total_shares(std::to_string(v.totalShares));
    out->set_jailed(v.jailed);
    out->set_jailed_until(v.jailedUntil);
    out->set_tombstoned(v.tombstoned);
    out->set_pending_rewards(v.pendingRewards.toString());
    out->set_max_commission_bps(v.maxCommissionBps);
    out->set_max_commission_change_bps(v.maxCommissionChangeBps);
    out->set_commission_changed_height(v.commissionChangedHeight);
}

void toProto(const contracts::Params& p, google::protobuf::RepeatedPtrField<q::ParamRecord>* out) {
    for (const auto& info : contracts::paramInfos()) {
        auto* e = out->Add();
        e->set_name(std::string(info.name));
        e->set_value(contracts::paramValue(p, info.name).value_or(""));
        e->set_is_amount(info.kind == contracts::ParamKind::Amount);
    }
}

void toProto(const ProposalView& v, q::ProposalRecord* out) {
    const auto& p = v.proposal;
    out->set_id(p.id);
    out->set_proposer(p.proposer.toBech32());
    out->set_title(p.title);
    for (const auto& c : p.changes) {
        auto* e = out->add_changes();
        e->set_key(c.key);
        e->set_value(c.value);
    }
    out->set_status(std::string(contracts::proposalStatusName(p.status)));
    out->set_submit_height(p.submitHeight);
    out->set_deposit_end_height(p.depositEndHeight);
    out->set_voting_start_height(p.votingStartHeight);
    out->set_voting_end_height(p.votingEndHeight);
    out->set_total_deposit(p.totalDeposit.toString());
    out->set_deposits_held(p.depositsHeld.toString());
    tally(v.tally, out->mutable_tally());
    out->set_failure(p.failure);
}

}  // namespace agora::node
