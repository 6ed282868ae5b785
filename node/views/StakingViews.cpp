#include "node/views/StakingViews.h"

#include "node/views/ViewParse.h"

namespace agora::node {

namespace parse = viewparse;

void toProto(const ValidatorView& v, agora::query::v1::ValidatorRecord* out) {
    out->set_operator_(v.operatorAddress.toBech32(kValidatorPrefix));
    out->set_account(v.operatorAddress.toBech32());
    out->set_consensus_key(v.consensusKey.toHex());
    out->set_moniker(v.moniker);
    out->set_commission_bps(v.commissionBps);
    out->set_tokens(v.tokens.toString());
    out->set_power(std::to_string(v.power));
    out->set_total_shares(std::to_string(v.totalShares));
    out->set_jailed(v.jailed);
    out->set_jailed_until(v.jailedUntil);
    out->set_tombstoned(v.tombstoned);
    out->set_pending_rewards(v.pendingRewards.toString());
    out->set_max_commission_bps(v.maxCommissionBps);
    out->set_max_commission_change_bps(v.maxCommissionChangeBps);
    out->set_commission_changed_height(v.commissionChangedHeight);
}

std::optional<ValidatorView> fromProto(const agora::query::v1::ValidatorRecord& record) {
    auto op = parse::address(record.operator_(), kValidatorPrefix);
    auto account = parse::address(record.account());
    auto key = PublicKey::fromHex(record.consensus_key());
    auto tokens = parse::amount(record.tokens());
    auto power = parse::u64(record.power());
    auto shares = parse::u64(record.total_shares());
    auto rewards = parse::amount(record.pending_rewards());
    // "operator" and "account" are two forms of one address.
    if (!op || !account || *op != *account || !key || !tokens || !power || !shares || !rewards) return std::nullopt;
    ValidatorView v;
    v.operatorAddress = *op;
    v.consensusKey = *key;
    v.moniker = record.moniker();
    v.commissionBps = record.commission_bps();
    v.tokens = *tokens;
    v.power = *power;
    v.totalShares = *shares;
    v.jailed = record.jailed();
    v.jailedUntil = record.jailed_until();
    v.tombstoned = record.tombstoned();
    v.pendingRewards = *rewards;
    v.maxCommissionBps = record.max_commission_bps();
    v.maxCommissionChangeBps = record.max_commission_change_bps();
    v.commissionChangedHeight = record.commission_changed_height();
    return v;
}

nlohmann::ordered_json validatorJson(const ValidatorView& v) {
    return nlohmann::ordered_json{{"operator", v.operatorAddress.toBech32(kValidatorPrefix)},
                                  {"account", v.operatorAddress.toBech32()},
                                  {"consensus_key", v.consensusKey.toHex()},
                                  {"moniker", v.moniker},
                                  {"commission_bps", v.commissionBps},
                                  {"tokens", v.tokens.toString()},
                                  {"power", std::to_string(v.power)},
                                  {"total_shares", std::to_string(v.totalShares)},
                                  {"jailed", v.jailed},
                                  {"jailed_until", v.jailedUntil},
                                  {"tombstoned", v.tombstoned},
                                  {"pending_rewards", v.pendingRewards.toString()},
                                  {"max_commission_bps", v.maxCommissionBps},
                                  {"max_commission_change_bps", v.maxCommissionChangeBps},
                                  {"commission_changed_height", v.commissionChangedHeight}};
}

}  // namespace agora::node
