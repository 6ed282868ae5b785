#include "node/query/RecordViews.h"

#include "contracts/ResourceMath.h"

namespace agora::node {

ProviderView providerView(const contracts::Provider& p, std::vector<OfferView> offers) {
    ProviderView v;
    v.address = p.address;
    v.hostUri = p.hostUri;
    v.attributes = p.attributes;
    v.capacity = p.capacity;
    v.reserved = p.reserved;
    // reserved <= capacity is a ledger invariant; an empty "free" would only
    // show a broken state, never hide one.
    v.free = contracts::subResources(p.capacity, p.reserved).value_or(Resources{});
    v.stake = p.stake;
    v.offerCount = p.offerCount;
    v.openLeases = p.openLeases;
    v.registeredHeight = p.registeredHeight;
    v.offers = std::move(offers);
    return v;
}

JobView jobView(const contracts::Job& j) {
    JobView v;
    v.id = j.id;
    v.client = j.client;
    v.resources = j.resources;
    v.constraints = j.constraints;
    v.maxPricePerSecond = j.maxPricePerSecond;
    v.durationSeconds = j.durationSeconds;
    v.biddingEndHeight = j.biddingEndHeight;
    v.minReputation = j.minReputation;
    v.deposit = j.deposit;
    v.state = std::string(contracts::jobStateName(j.state));
    v.openBids = j.openBids;
    v.leaseId = j.leaseId;
    v.manifestHash = j.manifestHash;
    return v;
}

BidView bidView(const contracts::Bid& b) {
    return BidView{
        b.id,           b.jobId, b.provider, b.pricePerSecond, b.deposit, std::string(contracts::bidStateName(b.state)),
        b.createdHeight};
}

LeaseView leaseView(const contracts::Lease& l, std::optional<UsageView> usage) {
    LeaseView v;
    v.id = l.id;
    v.client = l.client;
    v.provider = l.provider;
    v.jobId = l.jobId;
    v.resources = l.resources;
    v.pricePerSecond = l.pricePerSecond;
    v.startHeight = l.startHeight;
    v.startTime = l.startTime;
    v.endTime = l.endTime;
    v.paidThrough = l.paidThrough;
    v.escrow = l.escrow;
    v.accrued = l.accrued;
    v.paidOut = l.paidOut;
    v.burned = l.burned;
    v.refunded = l.refunded;
    v.deposited = l.deposited;
    v.state = std::string(contracts::leaseStateName(l.state));
    v.dueTime = l.dueTime;
    v.graceTime = l.graceTime;
    v.closeHeight = l.closeHeight;
    v.closeTime = l.closeTime;
    // Meaningful only once closed; carried always so the shape is fixed.
    v.closeReason = l.state == contracts::LeaseState::Closed ? std::string(contracts::closeReasonName(l.closeReason))
                                                             : std::string();
    v.settled = l.settled;
    v.rating = l.rating;
    v.manifestHash = l.manifestHash;
    v.usage = std::move(usage);
    return v;
}

ReputationView reputationView(const Address& provider, const contracts::ProviderReputation& rep) {
    ReputationView v;
    v.provider = provider;
    v.score = rep.score();
    v.completed = rep.completed;
    v.earlyCloses = rep.earlyCloses;
    v.slashes = rep.slashes;
    v.totalPaid = rep.totalPaid;
    v.ratedValue = rep.ratedValue;
    v.ratingSum = rep.ratingSum;
    v.lastDecayTime = rep.lastDecayTime;
    v.successWeight = rep.successWeight;
    v.failureWeight = rep.failureWeight;
    return v;
}

ValidatorView validatorView(const contracts::Validator& x) {
    ValidatorView v;
    v.operatorAddress = x.operatorAddress;
    v.consensusKey = x.consensusKey;
    v.moniker = x.moniker;
    v.commissionBps = x.commissionBps;
    v.tokens = x.tokens;
    v.power = x.power();
    v.totalShares = x.totalShares;
    v.jailed = x.jailed;
    v.jailedUntil = x.jailedUntil;
    v.tombstoned = x.tombstoned;
    v.pendingRewards = x.pendingRewards;
    v.maxCommissionBps = x.maxCommissionBps;
    v.maxCommissionChangeBps = x.maxCommissionChangeBps;
    v.commissionChangedHeight = x.commissionChangedHeight;
    return v;
}

ProposalView proposalView(const contracts::Proposal& p, const contracts::Tally& t) {
    ProposalView v;
    v.id = p.id;
    v.proposer = p.proposer;
    v.title = p.title;
    for (const auto& c : p.changes) v.changes.push_back(ParamChangeView{c.key, c.value});
    v.status = std::string(contracts::proposalStatusName(p.status));
    v.submitHeight = p.submitHeight;
    v.depositEndHeight = p.depositEndHeight;
    v.votingStartHeight = p.votingStartHeight;
    v.votingEndHeight = p.votingEndHeight;
    v.totalDeposit = p.totalDeposit;
    v.depositsHeld = p.depositsHeld;
    v.tally = TallyView{t.yes, t.abstain, t.no, t.veto, t.bonded};
    v.failure = p.failure;
    return v;
}

UsageView usageView(const contracts::UsageRecord& u) {
    return UsageView{u.upToHeight, u.availabilityBps, u.metricsHash, u.reportedAt};
}

ClientRecordView clientRecordView(const Address& client, const contracts::ClientRecord& rec) {
    return ClientRecordView{client, rec.leasesSettled, rec.totalPaid, rec.earlyCloses};
}

ParamsView paramsView(const contracts::Params& p) {
    ParamsView out;
    for (const auto& info : contracts::paramInfos())
        out.push_back(ParamView{std::string(info.name), contracts::paramValue(p, info.name).value_or(""),
                                info.kind == contracts::ParamKind::Amount});
    return out;
}

}  // namespace agora::node
