#pragma once
// Governance records as the node serves them (QueryService.Params/Proposal/
// Proposals, GET /v1/params and /v1/proposals...) and the CLI prints them
// (`agora query params|proposal|proposals`): the views, their protobuf form
// both ways and their one JSON mapping (design decision 40). node/query fills
// them (the tally is the ledger's Gov::tally).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/repeated_ptr_field.h>
#include <nlohmann/json.hpp>

#include "agora/query/v1/query.pb.h"
#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"

namespace agora::node {

// One ledger parameter: its name, its value as the canonical decimal text
// `tx gov submit --change` takes, and whether it is an amount (JSON prints
// amounts as strings, the others as numbers).
struct ParamView {
    std::string name;
    std::string value;
    bool isAmount = false;
    bool operator==(const ParamView&) const = default;
};
// Every parameter, in the ledger's order (contracts::paramInfos).
using ParamsView = std::vector<ParamView>;

struct TallyView {
    Amount yes;
    Amount abstain;
    Amount no;
    Amount noWithVeto;
    Amount bonded;
    bool operator==(const TallyView&) const = default;
};

struct ParamChangeView {
    std::string key;
    std::string value;
    bool operator==(const ParamChangeView&) const = default;
};

struct ProposalView {
    std::uint64_t id = 0;
    Address proposer;
    std::string title;
    std::vector<ParamChangeView> changes;
    std::string status;  // deposit_period | voting_period | passed | rejected | rejected_veto | failed | expired
    std::uint64_t submitHeight = 0;
    std::uint64_t depositEndHeight = 0;
    std::uint64_t votingStartHeight = 0;
    std::uint64_t votingEndHeight = 0;
    Amount totalDeposit;
    Amount depositsHeld;
    TallyView tally;  // so far while open, final after
    std::string failure;
    bool operator==(const ProposalView&) const = default;
};

void toProto(const ParamsView& v, google::protobuf::RepeatedPtrField<agora::query::v1::ParamRecord>* out);
// nullopt when a value is not decimal digits.
std::optional<ParamsView> fromProto(const google::protobuf::RepeatedPtrField<agora::query::v1::ParamRecord>& records);
// {"<name>": value, ...} in order; amounts as strings, the rest as numbers.
nlohmann::ordered_json paramsJson(const ParamsView& v);

void toProto(const TallyView& v, agora::query::v1::TallyRecord* out);
std::optional<TallyView> fromProto(const agora::query::v1::TallyRecord& record);
nlohmann::ordered_json tallyJson(const TallyView& v);

void toProto(const ProposalView& v, agora::query::v1::ProposalRecord* out);
std::optional<ProposalView> fromProto(const agora::query::v1::ProposalRecord& record);
nlohmann::ordered_json proposalJson(const ProposalView& v);

}  // namespace agora::node
