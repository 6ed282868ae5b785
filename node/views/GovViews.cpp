#include "node/views/GovViews.h"

#include "node/views/ViewParse.h"

namespace agora::node {

namespace q = agora::query::v1;
namespace parse = viewparse;
using Json = nlohmann::ordered_json;

void toProto(const ParamsView& v, google::protobuf::RepeatedPtrField<q::ParamRecord>* out) {
    for (const auto& p : v) {
        auto* e = out->Add();
        e->set_name(p.name);
        e->set_value(p.value);
        e->set_is_amount(p.isAmount);
    }
}

std::optional<ParamsView> fromProto(const google::protobuf::RepeatedPtrField<q::ParamRecord>& records) {
    ParamsView out;
    for (const auto& r : records) {
        if (r.name().empty() || !parse::u64(r.value())) return std::nullopt;
        out.push_back(ParamView{r.name(), r.value(), r.is_amount()});
    }
    return out;
}

Json paramsJson(const ParamsView& v) {
    Json out = Json::object();
    for (const auto& p : v) {
        if (p.isAmount)
            out[p.name] = p.value;
        else
            out[p.name] = parse::u64(p.value).value_or(0);
    }
    return out;
}

void toProto(const TallyView& v, q::TallyRecord* out) {
    out->set_yes(v.yes.toString());
    out->set_abstain(v.abstain.toString());
    out->set_no(v.no.toString());
    out->set_no_with_veto(v.noWithVeto.toString());
    out->set_bonded(v.bonded.toString());
}

std::optional<TallyView> fromProto(const q::TallyRecord& record) {
    auto yes = parse::amount(record.yes());
    auto abstain = parse::amount(record.abstain());
    auto no = parse::amount(record.no());
    auto veto = parse::amount(record.no_with_veto());
    auto bonded = parse::amount(record.bonded());
    if (!yes || !abstain || !no || !veto || !bonded) return std::nullopt;
    return TallyView{*yes, *abstain, *no, *veto, *bonded};
}

Json tallyJson(const TallyView& v) {
    return Json{{"yes", v.yes.toString()},
                {"abstain", v.abstain.toString()},
                {"no", v.no.toString()},
                {"no_with_veto", v.noWithVeto.toString()},
                {"bonded", v.bonded.toString()}};
}

void toProto(const ProposalView& v, q::ProposalRecord* out) {
    out->set_id(v.id);
    out->set_proposer(v.proposer.toBech32());
    out->set_title(v.title);
    for (const auto& c : v.changes) {
        auto* e = out->add_changes();
        e->set_key(c.key);
        e->set_value(c.value);
    }
    out->set_status(v.status);
    out->set_submit_height(v.submitHeight);
    out->set_deposit_end_height(v.depositEndHeight);
    out->set_voting_start_height(v.votingStartHeight);
    out->set_voting_end_height(v.votingEndHeight);
    out->set_total_deposit(v.totalDeposit.toString());
    out->set_deposits_held(v.depositsHeld.toString());
    toProto(v.tally, out->mutable_tally());
    out->set_failure(v.failure);
}

std::optional<ProposalView> fromProto(const q::ProposalRecord& record) {
    auto proposer = parse::address(record.proposer());
    auto total = parse::amount(record.total_deposit());
    auto held = parse::amount(record.deposits_held());
    auto tally = fromProto(record.tally());
    if (!proposer || !total || !held || !tally || record.status().empty()) return std::nullopt;
    ProposalView v;
    v.id = record.id();
    v.proposer = *proposer;
    v.title = record.title();
    for (const auto& c : record.changes()) v.changes.push_back(ParamChangeView{c.key(), c.value()});
    v.status = record.status();
    v.submitHeight = record.submit_height();
    v.depositEndHeight = record.deposit_end_height();
    v.votingStartHeight = record.voting_start_height();
    v.votingEndHeight = record.voting_end_height();
    v.totalDeposit = *total;
    v.depositsHeld = *held;
    v.tally = *tally;
    v.failure = record.failure();
    return v;
}

Json proposalJson(const ProposalView& v) {
    Json changes = Json::array();
    for (const auto& c : v.changes) changes.push_back(Json{{"key", c.key}, {"value", c.value}});
    return Json{{"id", v.id},
                {"proposer", v.proposer.toBech32()},
                {"title", v.title},
                {"changes", std::move(changes)},
                {"status", v.status},
                {"submit_height", v.submitHeight},
                {"deposit_end_height", v.depositEndHeight},
                {"voting_start_height", v.votingStartHeight},
                {"voting_end_height", v.votingEndHeight},
                {"total_deposit", v.totalDeposit.toString()},
                {"deposits_held", v.depositsHeld.toString()},
                {"tally", tallyJson(v.tally)},
                {"failure", v.failure}};
}

}  // namespace agora::node
