#pragma once
// The ledger's records as the views of node/views (design decision 40): the
// one place a contracts record becomes what the node serves. Enums become
// their snake_case names and derived values are computed here by the
// contracts' own functions (free capacity, reputation score, validator
// power, a closed lease's close reason). StateQueries fills every reply
// through these; the provider agent uses jobView for its price script.

#include <optional>
#include <vector>

#include "contracts/Gov.h"
#include "contracts/Leases.h"
#include "contracts/Market.h"
#include "contracts/Params.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/Staking.h"
#include "node/views/GovViews.h"
#include "node/views/MarketViews.h"
#include "node/views/StakingViews.h"

namespace agora::node {

// `offers` in offer id order.
ProviderView providerView(const contracts::Provider& p, std::vector<OfferView> offers);
JobView jobView(const contracts::Job& j);
BidView bidView(const contracts::Bid& b);
UsageView usageView(const contracts::UsageRecord& u);
LeaseView leaseView(const contracts::Lease& l, std::optional<UsageView> usage);
ReputationView reputationView(const Address& provider, const contracts::ProviderReputation& rep);
ClientRecordView clientRecordView(const Address& client, const contracts::ClientRecord& rec);
ValidatorView validatorView(const contracts::Validator& v);
ProposalView proposalView(const contracts::Proposal& p, const contracts::Tally& t);
// Every parameter by name, in contracts::paramInfos order.
ParamsView paramsView(const contracts::Params& p);

}  // namespace agora::node
