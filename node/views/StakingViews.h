#pragma once
// A validator as the node serves it (QueryService.Validators, GET
// /v1/validators) and the CLI prints it (`agora query validators`): the view,
// its protobuf form both ways and its one JSON mapping (design decision 40).
// node/query fills it (power is the ledger's Validator::power()).

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agora/query/v1/query.pb.h"
#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/PublicKey.h"

namespace agora::node {

struct ValidatorView {
    Address operatorAddress;  // printed agoravaloper1... ("operator") and agora1... ("account")
    PublicKey consensusKey;
    std::string moniker;
    std::uint32_t commissionBps = 0;
    Amount tokens;
    std::uint64_t power = 0;  // 0 while jailed or tombstoned
    std::uint64_t totalShares = 0;
    bool jailed = false;
    std::uint64_t jailedUntil = 0;
    bool tombstoned = false;
    Amount pendingRewards;
    std::uint32_t maxCommissionBps = 0;
    std::uint32_t maxCommissionChangeBps = 0;
    std::uint64_t commissionChangedHeight = 0;
    bool operator==(const ValidatorView&) const = default;
};

void toProto(const ValidatorView& v, agora::query::v1::ValidatorRecord* out);
std::optional<ValidatorView> fromProto(const agora::query::v1::ValidatorRecord& record);
nlohmann::ordered_json validatorJson(const ValidatorView& v);

}  // namespace agora::node
