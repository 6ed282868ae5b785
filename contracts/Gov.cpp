#include "contracts/Gov.h"

#include <cstdlib>
#include <map>

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"
#include "contracts/Bank.h"
#include "contracts/Staking.h"

namespace agora::contracts {

namespace {
__extension__ using U128 = unsigned __int128;

void putTally(Writer& w, const Tally& t) {
    t.encodeTo(w);
}

// Heights never come near 2^64; saturate rather than wrap.
std::uint64_t addHeight(std::uint64_t h, std::uint64_t blocks) {
    return blocks > UINT64_MAX - h ? UINT64_MAX : h + blocks;
}

bool isOpen(ProposalStatus s) {
    return s == ProposalStatus::DepositPeriod || s == ProposalStatus::VotingPeriod;
}
}  // namespace

std::string_view proposalStatusName(ProposalStatus s) {
    switch (s) {
        case ProposalStatus::DepositPeriod:
            return "deposit_period";
        case ProposalStatus::VotingPeriod:
            return "voting_period";
        case ProposalStatus::Passed:
            return "passed";
        case ProposalStatus::Rejected:
            return "rejected";
        case ProposalStatus::RejectedVeto:
            return "rejected_veto";
        case ProposalStatus::Failed:
            return "failed";
        case ProposalStatus::Expired:
            return "expired";
    }
    return "unknown";
}

void Tally::encodeTo(Writer& w) const {
    codec::put(w, yes);
    codec::put(w, abstain);
    codec::put(w, no);
    codec::put(w, veto);
    codec::put(w, bonded);
}

Tally Tally::decodeFrom(Reader& r) {
    Tally t;
    t.yes = codec::getAmount(r);
    t.abstain = codec::getAmount(r);
    t.no = codec::getAmount(r);
    t.veto = codec::getAmount(r);
    t.bonded = codec::getAmount(r);
    return t;
}

void Proposal::encodeTo(Writer& w) const {
    w.u64(id);
    codec::put(w, proposer);
    w.string(title);
    codec::putList(w, changes, [](Writer& ww, const ParamChange& c) { c.encodeTo(ww); });
    w.u8(static_cast<std::uint8_t>(status));
    w.u64(submitHeight);
    w.u64(depositEndHeight);
    w.u64(votingStartHeight);
    w.u64(votingEndHeight);
    codec::put(w, totalDeposit);
    codec::put(w, depositsHeld);
    putTally(w, finalTally);
    w.string(failure);
}

Proposal Proposal::decodeFrom(Reader& r) {
    Proposal p;
    p.id = r.u64();
    p.proposer = codec::getAddress(r);
    p.title = r.string(limits::kProposalTitleMax);
    p.changes = codec::getList<ParamChange>(r, limits::kParamChangesMax, ParamChange::decodeFrom);
    const std::uint8_t st = r.u8();
    if (st < 1 || st > kProposalStatusMax) r.fail(CodecError::InvalidEnum);
    p.status = static_cast<ProposalStatus>(st);
    p.submitHeight = r.u64();
    p.depositEndHeight = r.u64();
    p.votingStartHeight = r.u64();
    p.votingEndHeight = r.u64();
    p.totalDeposit = codec::getAmount(r);
    p.depositsHeld = codec::getAmount(r);
    p.finalTally = Tally::decodeFrom(r);
    p.failure = r.string(1024);
    return p;
}

ResultCode applyChanges(Params& base, const std::vector<ParamChange>& changes, std::string* why) {
    for (const ParamChange& c : changes) AGORA_TRY(setParam(base, c.key, c.value));
    if (auto err = base.validate()) {
        if (why) *why = *err;
        return ResultCode::InvalidParams;
    }
    return ResultCode::Ok;
}

std::optional<Proposal> Gov::proposal(std::uint64_t id) const {
    return ctx_.store.load<Proposal>(keys::proposal(id));
}

void Gov::save(const Proposal& p) {
    ctx_.store.save(keys::proposal(p.id), p);
}

ResultCode Gov::submit(const Address& proposer, const MsgGovSubmit& msg) {
    // Refused now rather than failed at the end of the vote: the changes must
    // make consistent parameters today (they are checked again when applied).
    Params changed = ctx_.params;
    AGORA_TRY(applyChanges(changed, msg.changes));
    Proposal p;
    p.id = ctx_.store.nextId(keys::Counter::Proposal);
    p.proposer = proposer;
    p.title = msg.title;
    p.changes = msg.changes;
    p.submitHeight = ctx_.height();
    p.depositEndHeight = addHeight(ctx_.height(), ctx_.params.govDepositPeriodBlocks);
    ctx_.store.mark(keys::proposalQueue(p.depositEndHeight, p.id));
    ctx_.emit("proposal_submitted")
        .add("proposal_id", p.id)
        .add("proposer", proposer.toBech32())
        .add("changes", static_cast<std::uint64_t>(p.changes.size()));
    return addDeposit(p, proposer, msg.deposit);
}

ResultCode Gov::deposit(const Address& depositor, const MsgGovDeposit& msg) {
    auto p = proposal(msg.proposalId);
    if (!p) return ResultCode::ProposalNotFound;
    if (p->status != ProposalStatus::DepositPeriod) return ResultCode::ProposalNotInDepositPeriod;
    return addDeposit(*p, depositor, msg.amount);
}

ResultCode Gov::addDeposit(Proposal& p, const Address& depositor, Amount amount) {
    AGORA_TRY(Bank(ctx_).debit(depositor, amount));
    const Amount mine(ctx_.store.loadU64(keys::govDeposit(p.id, depositor)));
    auto newMine = mine.checkedAdd(amount);
    auto total = p.totalDeposit.checkedAdd(amount);
    auto held = p.depositsHeld.checkedAdd(amount);
    if (!newMine || !total || !held) return ResultCode::Overflow;
    ctx_.store.saveU64(keys::govDeposit(p.id, depositor), newMine->micro());
    p.totalDeposit = *total;
    p.depositsHeld = *held;
    ctx_.emit("proposal_deposit")
        .add("proposal_id", p.id)
        .add("depositor", depositor.toBech32())
        .add("amount", amount.micro())
        .add("total_deposit", p.totalDeposit.micro());
    if (p.totalDeposit >= ctx_.params.govMinDeposit) openVote(p);
    save(p);
    return ResultCode::Ok;
}

void Gov::openVote(Proposal& p) {
    ctx_.store.erase(keys::proposalQueue(p.depositEndHeight, p.id));
    p.status = ProposalStatus::VotingPeriod;
    p.votingStartHeight = ctx_.height();
    p.votingEndHeight = addHeight(ctx_.height(), ctx_.params.govVotingPeriodBlocks);
    ctx_.store.mark(keys::proposalQueue(p.votingEndHeight, p.id));
    ctx_.emit("proposal_voting_started").add("proposal_id", p.id).add("voting_end_height", p.votingEndHeight);
}

ResultCode Gov::vote(const Address& voter, const MsgGovVote& msg) {
    auto p = proposal(msg.proposalId);
    if (!p) return ResultCode::ProposalNotFound;
    if (p->status != ProposalStatus::VotingPeriod) return ResultCode::ProposalNotInVotingPeriod;
    Writer w;
    w.u8(static_cast<std::uint8_t>(msg.option));
    ctx_.store.raw().put(keys::govVote(p->id, voter), w.take());
    ctx_.emit("proposal_vote")
        .add("proposal_id", p->id)
        .add("voter", voter.toBech32())
        .add("option", std::string(voteOptionName(msg.option)));
    return ResultCode::Ok;
}

Tally Gov::tally(const Proposal& p) const {
    if (!isOpen(p.status)) return p.finalTally;
    // Every vote of this proposal, by voter (the key order: deterministic).
    std::map<Address, VoteOption> votes;
    const Bytes prefix = keys::govVotesOf(p.id);
    for (const Bytes& key : ctx_.store.keysWithPrefix(prefix)) {
        auto voter = Address::fromSpan(ByteSpan(key).subspan(prefix.size()));
        auto raw = ctx_.store.raw().get(key);
        if (!voter || !raw || raw->size() != 1) std::abort();  // written by vote(): corrupt state
        votes.emplace(*voter, static_cast<VoteOption>((*raw)[0]));
    }
    U128 sums[kVoteOptionMax + 1] = {};
    U128 bonded = 0;
    Staking staking(ctx_);
    const Bytes activePrefix = keys::one(keys::prefix::kActiveValidator);
    for (const Bytes& key : ctx_.store.keysWithPrefix(activePrefix)) {
        auto op = Address::fromSpan(ByteSpan(key).subspan(activePrefix.size()));
        if (!op) std::abort();
        auto v = staking.validator(*op);
        if (!v) std::abort();
        if (v->power() == 0) continue;  // jailed since it was handed to consensus
        bonded += v->tokens.micro();
        U128 own = v->tokens.micro();
        // Delegators who voted take their share of the validator's tokens with them.
        const Bytes dPrefix = keys::delegationsOf(*op);
        for (const Bytes& dkey : ctx_.store.keysWithPrefix(dPrefix)) {
            auto delegator = Address::fromSpan(ByteSpan(dkey).subspan(dPrefix.size()));
            if (!delegator) std::abort();
            if (*delegator == *op) continue;  // the operator's own stake votes with the validator
            auto it = votes.find(*delegator);
            if (it == votes.end()) continue;
            const std::uint64_t value = staking.delegationValue(*op, *delegator).micro();
            sums[static_cast<std::uint8_t>(it->second)] += value;
            own = own >= value ? own - value : 0;
        }
        auto it = votes.find(*op);
        if (it != votes.end()) sums[static_cast<std::uint8_t>(it->second)] += own;
    }
    auto clamp = [](U128 v) { return Amount(v > UINT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(v)); };
    Tally t;
    t.yes = clamp(sums[static_cast<std::uint8_t>(VoteOption::Yes)]);
    t.abstain = clamp(sums[static_cast<std::uint8_t>(VoteOption::Abstain)]);
    t.no = clamp(sums[static_cast<std::uint8_t>(VoteOption::No)]);
    t.veto = clamp(sums[static_cast<std::uint8_t>(VoteOption::NoWithVeto)]);
    t.bonded = clamp(bonded);
    return t;
}

ResultCode Gov::settleDeposits(Proposal& p, bool burn) {
    Bank bank(ctx_);
    const Bytes prefix = keys::govDepositsOf(p.id);
    for (const Bytes& key : ctx_.store.keysWithPrefix(prefix)) {
        auto depositor = Address::fromSpan(ByteSpan(key).subspan(prefix.size()));
        const Amount amount(ctx_.store.loadU64(key));
        if (!depositor) std::abort();
        if (!burn) AGORA_TRY(bank.credit(*depositor, amount));
        ctx_.store.erase(key);
    }
    if (burn) AGORA_TRY(bank.burn(p.depositsHeld));
    ctx_.emit(burn ? "proposal_deposits_burned" : "proposal_deposits_refunded")
        .add("proposal_id", p.id)
        .add("amount", p.depositsHeld.micro());
    p.depositsHeld = Amount{};
    return ResultCode::Ok;
}

ResultCode Gov::closeVote(Proposal& p) {
    const Tally t = tally(p);
    p.finalTally = t;
    // The votes are history now (events keep them): state stays bounded.
    for (const Bytes& key : ctx_.store.keysWithPrefix(keys::govVotesOf(p.id))) ctx_.store.erase(key);
    const U128 yes = t.yes.micro(), abstain = t.abstain.micro(), no = t.no.micro(), veto = t.veto.micro();
    const U128 voted = yes + abstain + no + veto;
    const Params& prm = ctx_.params;
    bool burn = false;
    if (voted * 10'000 < static_cast<U128>(prm.govQuorumBps) * t.bonded.micro() || voted == 0) {
        p.status = ProposalStatus::Rejected;
        p.failure = "quorum not reached";
    } else if (veto * 10'000 > static_cast<U128>(prm.govVetoBps) * voted) {
        p.status = ProposalStatus::RejectedVeto;
        burn = true;
    } else if (voted > abstain && yes * 10'000 > static_cast<U128>(prm.govThresholdBps) * (voted - abstain)) {
        // The parameters as they stand now: another proposal may have changed
        // them earlier in this block (ctx_.params is the block's start).
        const Params current = ctx_.store.load<Params>(keys::params()).value_or(prm);
        Params changed = current;
        std::string why;
        const ResultCode rc = applyChanges(changed, p.changes, &why);
        if (rc == ResultCode::Ok) {
            p.status = ProposalStatus::Passed;
            ctx_.store.save(keys::params(), changed);
            for (const ParamChange& c : p.changes)
                ctx_.emit("param_changed")
                    .add("proposal_id", p.id)
                    .add("key", c.key)
                    .add("old", paramValue(current, c.key).value_or(""))
                    .add("new", c.value);
        } else {
            // Another proposal changed a parameter since: this one no longer fits.
            p.status = ProposalStatus::Failed;
            p.failure = why.empty() ? std::string(state::resultName(rc)) : why;
        }
    } else {
        p.status = ProposalStatus::Rejected;
        p.failure = "threshold not reached";
    }
    AGORA_TRY(settleDeposits(p, burn));
    ctx_.emit("proposal_ended")
        .add("proposal_id", p.id)
        .add("status", std::string(proposalStatusName(p.status)))
        .add("yes", t.yes.micro())
        .add("abstain", t.abstain.micro())
        .add("no", t.no.micro())
        .add("no_with_veto", t.veto.micro())
        .add("bonded", t.bonded.micro());
    return ResultCode::Ok;
}

ResultCode Gov::processDue() {
    const Bytes prefix = keys::atHeight(keys::prefix::kProposalQueue, ctx_.height());
    for (const Bytes& key : ctx_.store.keysWithPrefix(prefix)) {
        auto p = proposal(keys::u64At(key, prefix.size()));
        if (!p || !isOpen(p->status)) std::abort();  // index out of sync
        ctx_.store.erase(key);
        if (p->status == ProposalStatus::DepositPeriod) {
            p->status = ProposalStatus::Expired;
            AGORA_TRY(settleDeposits(*p, true));
            ctx_.emit("proposal_ended")
                .add("proposal_id", p->id)
                .add("status", std::string(proposalStatusName(p->status)));
        } else {
            AGORA_TRY(closeVote(*p));
        }
        save(*p);
    }
    return ResultCode::Ok;
}

}  // namespace agora::contracts
