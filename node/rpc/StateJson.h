#pragma once
// The JSON form of ledger records (the views of node/query/) served by the
// query RPCs and the HTTP gateway. One mapping, in one place, so every interface prints the
// same thing. Rules (docs/rpc.md, "JSON records"):
//   - amounts (uagr) and other token-valued quantities are decimal strings;
//   - account addresses are bech32 "agora1..."; validator operators
//     "agoravaloper1..."; keys and hashes lower-case hex;
//   - ids, heights, counts and resource quantities are JSON numbers;
//   - enums are their snake_case names (e.g. "insufficient_funds");
//   - object keys appear in a fixed order (the order of the record's fields),
//     so the text is stable and diffable.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "consensus/core/MarketTypes.h"
#include "consensus/state/Event.h"
#include "contracts/Bank.h"
#include "contracts/Gov.h"
#include "contracts/Leases.h"
#include "contracts/Market.h"
#include "contracts/Params.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/Staking.h"
#include "node/query/StateQueries.h"

namespace agora::node::json {

using Json = nlohmann::ordered_json;

using OfferEntry = node::OfferEntry;

Json attributes(const std::vector<Attribute>& attrs);
Json resources(const Resources& r);
Json prices(const PriceSchedule& p);

Json account(const Address& address, const contracts::Account& acc);
// `offers` in offer id order; free capacity is capacity - reserved.
Json provider(const contracts::Provider& p, const std::vector<OfferEntry>& offers);
Json job(const contracts::Job& j);
Json bid(const contracts::Bid& b);
Json lease(const contracts::Lease& l, const std::optional<contracts::UsageRecord>& usage);
Json reputation(const Address& provider, const contracts::ProviderReputation& rep);
Json clientRecord(const Address& client, const contracts::ClientRecord& rec);
Json validator(const contracts::Validator& v);
// Every parameter by its name (contracts::paramInfos order); amounts as strings.
Json params(const contracts::Params& p);
// A proposal with the tally so far (final once its vote closed).
Json proposal(const contracts::Proposal& p, const contracts::Tally& tally);
Json tally(const contracts::Tally& t);
Json event(const state::Event& e);

// Compact text (no whitespace), UTF-8 as is.
std::string dump(const Json& j);

}  // namespace agora::node::json
