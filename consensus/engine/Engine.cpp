#include "consensus/engine/Engine.h"

#include <algorithm>

namespace agora::consensus {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

Engine::Engine(EngineConfig config, ChainState state, const SignatureVerifier& verifier)
    : config_(std::move(config)), chain_(std::move(state)), verifier_(&verifier) {}

PublicKey Engine::proposerOf(std::uint32_t round) const {
    auto it = proposerCache_.find(round);
    if (it != proposerCache_.end()) return it->second;
    const PublicKey key = chain_.proposerSetFor(round).proposer().key;
    proposerCache_.emplace(round, key);
    return key;
}

bool Engine::quorum(std::uint64_t power) const {
    if (config_.testOnlyHalfQuorum) return power > chain_.validators.totalPower() - power;
    return chain_.validators.isQuorum(power);
}

bool Engine::isValidator() const {
    return config_.self && chain_.validators.powerOf(*config_.self) > 0;
}

bool Engine::isValid(const Hash256& id) const {
    auto it = blocks_.find(id);
    return it != blocks_.end() && it->second.validity == Validity::Valid;
}

const Engine::RoundState* Engine::findRound(std::uint32_t round) const {
    auto it = rounds_.find(round);
    return it == rounds_.end() ? nullptr : &it->second;
}

std::vector<Action> Engine::start() {
    out_.clear();
    startRound(0);
    evaluate();
    return std::move(out_);
}

std::vector<Action> Engine::handle(const Input& input) {
    return process(input, true);
}

std::vector<Action> Engine::replay(const Input& input) {
    return process(input, false);
}

std::vector<Action> Engine::process(const Input& input, bool log) {
    out_.clear();
    if (!admissible(input)) return {};
    if (log) out_.push_back(AppendWal{input});
    now_ = input.now;
    apply(input);
    evaluate();
    return std::move(out_);
}

// Admission depends only on the engine state and the input, so a replayed
// WAL entry is admitted exactly when the original was.
bool Engine::admissible(const Input& input) {
    if (input.height() != chain_.height) return false;
    return std::visit(
        Overloaded{
            [&](const ProposalReceived& e) { return !decided_ && admitProposal(e.proposal); },
            [&](const VoteReceived& e) { return admitVote(e.vote); },
            [&](const TimeoutFired& e) { return !decided_ && e.round <= round_; },
            [&](const BlockReady& e) {
                return !decided_ && e.round == round_ && step_ == Step::Propose && isValidator() &&
                       proposerOf(round_) == *config_.self &&
                       !(findRound(round_) && findRound(round_)->proposalSignRequested);
            },
            [&](const BlockValidated& e) {
                auto it = blocks_.find(e.blockId);
                return it != blocks_.end() &&
                       (it->second.validity == Validity::Unknown || it->second.validity == Validity::Requested);
            },
            [&](const OwnProposalSigned& e) {
                return !decided_ && config_.self && e.proposal.proposer == *config_.self && admitProposal(e.proposal);
            },
            [&](const OwnVoteSigned& e) {
                return config_.self && e.vote.validator == *config_.self && admitVote(e.vote);
            },
            [&](const BlockFinalized&) { return decided_.has_value(); },
        },
        input.body);
}

bool Engine::admitProposal(const Proposal& p) {
    if (p.round > round_ && p.round - round_ > config_.maxRoundsAhead) return false;
    if (p.polRound && *p.polRound >= p.round) return false;
    if (p.proposer != proposerOf(p.round)) return false;
    if (const RoundState* rs = findRound(p.round)) {
        if (rs->proposals.size() >= config_.maxProposalsPerRound) return false;
        for (const auto& q : rs->proposals) {
            if (q.blockId == p.blockId && q.polRound == p.polRound) return false;
        }
    }
    return verifier_->verify(p.proposer, p.signDigest(config_.chainId), p.signature);
}

bool Engine::admitVote(const Vote& v) {
    if (v.round > round_ && v.round - round_ > config_.maxRoundsAhead) return false;
    if (v.type != VoteType::Prevote && v.type != VoteType::Precommit) return false;
    if (chain_.validators.powerOf(v.validator) == 0) return false;
    if (const RoundState* rs = findRound(v.round)) {
        const VoteTally& tally = v.type == VoteType::Prevote ? rs->prevotes : rs->precommits;
        if (tally.wouldIgnore(v)) return false;  // duplicate delivery or too many values
    }
    return verifier_->verify(v.validator, v.signDigest(config_.chainId), v.signature);
}

void Engine::apply(const Input& input) {
    std::visit(Overloaded{
                   [&](const ProposalReceived& e) { onProposal(e.proposal); },
                   [&](const VoteReceived& e) { onVote(e.vote); },
                   [&](const TimeoutFired& e) { onTimeout(e); },
                   [&](const BlockReady& e) { onBlockReady(e); },
                   [&](const BlockValidated& e) { onBlockValidated(e); },
                   [&](const OwnProposalSigned& e) {
                       out_.push_back(BroadcastProposal{e.proposal});
                       onProposal(e.proposal);
                   },
                   [&](const OwnVoteSigned& e) {
                       out_.push_back(BroadcastVote{e.vote});
                       onVote(e.vote);
                   },
                   [&](const BlockFinalized& e) { onFinalized(e); },
               },
               input.body);
}

void Engine::onProposal(const Proposal& p) {
    roundState(p.round).proposals.push_back(p);
    auto it = blocks_.find(p.blockId);
    if (it == blocks_.end()) {
        it = blocks_.emplace(p.blockId, KnownBlock{p.block, Validity::Unknown}).first;
    } else if (it->second.validity == Validity::Invalid && it->second.bytes != p.block) {
        // A Byzantine proposer may have sent junk under an honest block's id
        // first; give the other bytes their own chance.
        it->second = KnownBlock{p.block, Validity::Unknown};
    }
    if (it->second.validity == Validity::Unknown) {
        it->second.validity = Validity::Requested;
        out_.push_back(ValidateBlock{chain_.height, p.blockId, it->second.bytes});
    }
}

void Engine::onVote(const Vote& v) {
    const std::uint64_t power = chain_.validators.powerOf(v.validator);
    RoundState& rs = roundState(v.round);
    VoteTally& tally = v.type == VoteType::Prevote ? rs.prevotes : rs.precommits;
    switch (tally.add(v, power)) {
        case VoteTally::AddResult::Added:
            if (rs.voters.insert(v.validator).second) rs.voterPower += power;
            break;
        case VoteTally::AddResult::Duplicate:
        case VoteTally::AddResult::Full:
            break;
        case VoteTally::AddResult::Conflict: {
            if (evidenceReported_.insert({v.validator, v.round, v.type}).second) {
                auto ev = DuplicateVoteEvidence::make(*tally.voteOf(v.validator), v);
                if (ev) out_.push_back(ReportEvidence{*ev});
            }
            break;
        }
    }
}

void Engine::onTimeout(const TimeoutFired& t) {
    if (t.round != round_) return;
    switch (t.step) {
        case Step::Propose:
            // line 57, unless the round's proposal arrived and the host is still
            // validating it: then ruleProposal prevotes once the answer comes.
            if (step_ == Step::Propose && !validatingProposal()) castVote(VoteType::Prevote, std::nullopt);
            break;
        case Step::Prevote:
            if (step_ == Step::Prevote) castVote(VoteType::Precommit, std::nullopt);  // line 61
            break;
        case Step::Precommit:
            startRound(round_ + 1);
            break;  // line 65
    }
}

void Engine::onBlockReady(const BlockReady& b) {
    RoundState& rs = roundState(round_);
    rs.proposalSignRequested = true;
    // Our own application built it: valid by construction.
    blocks_[b.blockId] = KnownBlock{b.block, Validity::Valid};
    Proposal p;
    p.height = chain_.height;
    p.round = round_;
    p.blockId = b.blockId;
    p.proposer = *config_.self;
    p.block = b.block;
    out_.push_back(SignProposal{std::move(p)});
}

void Engine::onBlockValidated(const BlockValidated& b) {
    blocks_[b.blockId].validity = b.valid ? Validity::Valid : Validity::Invalid;
}

void Engine::onFinalized(const BlockFinalized& f) {
    chain_ = chain_.next(*decidedCert_, f.updates, config_.validatorUpdateDelay);
    out_.push_back(PersistChainState{chain_});
    resetHeight();
    startRound(0);
}

void Engine::resetHeight() {
    round_ = 0;
    step_ = Step::Propose;
    lockedRound_.reset();
    lockedBlock_.reset();
    validRound_.reset();
    validBlock_.reset();
    decided_.reset();
    decidedCert_.reset();
    rounds_.clear();
    blocks_.clear();
    proposerCache_.clear();
    evidenceReported_.clear();
}

void Engine::schedule(Step step, std::uint32_t round) {
    out_.push_back(ScheduleTimeout{chain_.height, round, step, config_.timeouts.duration(step, round)});
}

void Engine::castVote(VoteType type, std::optional<Hash256> blockId) {
    step_ = type == VoteType::Prevote ? Step::Prevote : Step::Precommit;
    if (!isValidator()) return;
    Vote v;
    v.type = type;
    v.height = chain_.height;
    v.round = round_;
    v.blockId = blockId;
    v.validator = *config_.self;
    out_.push_back(SignVote{v});
}

void Engine::startRound(std::uint32_t round) {
    round_ = round;
    step_ = Step::Propose;
    // Every node, the proposer included, arms the propose timeout: if our
    // own application never answers RequestBlock the round still ends.
    schedule(Step::Propose, round);
    if (!isValidator() || proposerOf(round) != *config_.self) return;
    RoundState& rs = roundState(round);
    if (validBlock_ && isValid(*validBlock_)) {
        rs.proposalSignRequested = true;
        Proposal p;
        p.height = chain_.height;
        p.round = round;
        p.polRound = validRound_;
        p.blockId = *validBlock_;
        p.proposer = *config_.self;
        p.block = blocks_[*validBlock_].bytes;
        out_.push_back(SignProposal{std::move(p)});
    } else {
        out_.push_back(RequestBlock{chain_.height, round});
    }
}

void Engine::evaluate() {
    // Apply the "upon" rules until none fires; each rule fires at most once
    // per round (flags or step changes), so this terminates.
    for (;;) {
        if (decided_) return;
        const bool fired = ruleDecide() || ruleRoundSkip() || ruleProposal() || rulePrevoteAny() ||
                           rulePrevoteBlock() || rulePrevoteNil() || rulePrecommitAny();
        if (!fired) return;
    }
}

// The timeout of the propose step measures how long the proposal takes to
// arrive, not how long the host takes to execute it: a full block that
// arrived in time but is still being validated on a loaded machine would
// otherwise lose every round to an empty one (CometBFT validates on receipt,
// in the same thread as its timeouts, so a received block is never
// interrupted either). Only a proposal ruleProposal will act on counts (the
// round's first, and a re-proposal only with its pol_round quorum), so the
// step cannot wait on one it would never prevote for.
bool Engine::validatingProposal() const {
    const RoundState* rs = findRound(round_);
    if (!rs || rs->proposals.empty()) return false;
    const Proposal& p = rs->proposals.front();
    auto known = blocks_.find(p.blockId);
    if (known == blocks_.end() || known->second.validity != Validity::Requested) return false;
    if (!p.polRound) return true;
    const RoundState* polRs = findRound(*p.polRound);
    return polRs && chain_.validators.isQuorum(polRs->prevotes.powerFor(p.blockId));
}

bool Engine::ruleProposal() {
    if (step_ != Step::Propose) return false;
    const RoundState* rs = findRound(round_);
    if (!rs || rs->proposals.empty()) return false;
    // Prevote on the first proposal of the round only (as Tendermint does).
    const Proposal& p = rs->proposals.front();
    auto known = blocks_.find(p.blockId);
    const Validity validity = known == blocks_.end() ? Validity::Unknown : known->second.validity;
    if (validity == Validity::Unknown || validity == Validity::Requested) return false;
    const bool valid = validity == Validity::Valid;
    if (!p.polRound) {
        // line 22
        const bool lockAllows = !lockedRound_ || lockedBlock_ == p.blockId || config_.testOnlyIgnoreLock;
        castVote(VoteType::Prevote, valid && lockAllows ? std::optional<Hash256>(p.blockId) : std::nullopt);
        return true;
    }
    // line 28: re-proposal backed by > 2/3 prevotes in pol_round
    const std::uint32_t vr = *p.polRound;
    const RoundState* polRs = findRound(vr);
    if (!config_.testOnlySkipPolCheck && (!polRs || !quorum(polRs->prevotes.powerFor(p.blockId)))) return false;
    const bool lockAllows =
        !lockedRound_ || *lockedRound_ <= vr || lockedBlock_ == p.blockId || config_.testOnlyIgnoreLock;
    castVote(VoteType::Prevote, valid && lockAllows ? std::optional<Hash256>(p.blockId) : std::nullopt);
    return true;
}

bool Engine::rulePrevoteAny() {
    if (step_ != Step::Prevote) return false;
    RoundState& rs = roundState(round_);
    if (rs.prevoteTimeoutScheduled || !quorum(rs.prevotes.totalPower())) return false;
    rs.prevoteTimeoutScheduled = true;
    schedule(Step::Prevote, round_);
    return true;
}

bool Engine::rulePrevoteBlock() {
    if (step_ == Step::Propose) return false;
    RoundState& rs = roundState(round_);
    if (rs.validUpdated) return false;
    for (const auto& p : rs.proposals) {
        if (!isValid(p.blockId) || !quorum(rs.prevotes.powerFor(p.blockId))) continue;
        rs.validUpdated = true;
        if (step_ == Step::Prevote) {
            lockedBlock_ = p.blockId;
            lockedRound_ = round_;
            castVote(VoteType::Precommit, p.blockId);
        }
        validBlock_ = p.blockId;
        validRound_ = round_;
        return true;
    }
    return false;
}

bool Engine::rulePrevoteNil() {
    if (step_ != Step::Prevote) return false;
    const RoundState* rs = findRound(round_);
    if (!rs || !quorum(rs->prevotes.powerFor(std::nullopt))) return false;
    castVote(VoteType::Precommit, std::nullopt);
    return true;
}

bool Engine::rulePrecommitAny() {
    RoundState& rs = roundState(round_);
    if (rs.precommitTimeoutScheduled || !quorum(rs.precommits.totalPower())) return false;
    rs.precommitTimeoutScheduled = true;
    schedule(Step::Precommit, round_);
    return true;
}

bool Engine::ruleDecide() {
    for (const auto& [r, rs] : rounds_) {
        for (const auto& [id, power] : rs.precommits.blockPowers()) {
            if (!quorum(power)) continue;
            auto it = blocks_.find(id);
            if (it == blocks_.end() || it->second.validity != Validity::Valid) continue;
            decided_ = id;
            CommitCertificate cert;
            cert.height = chain_.height;
            cert.round = r;
            cert.blockId = id;
            for (const auto& [key, vote] : rs.precommits.votesFor(id)) {
                cert.signatures.push_back(CommitSignature{key, vote.signature});
            }
            decidedCert_ = cert;
            out_.push_back(CommitBlock{chain_.height, id, it->second.bytes, std::move(cert)});
            return true;
        }
    }
    return false;
}

bool Engine::ruleRoundSkip() {
    // line 55: > 1/3 of the power is already in a later round, so at least
    // one honest validator is there: join the highest such round.
    std::optional<std::uint32_t> target;
    for (auto it = rounds_.upper_bound(round_); it != rounds_.end(); ++it) {
        if (chain_.validators.exceedsOneThird(it->second.voterPower)) target = it->first;
    }
    if (!target) return false;
    startRound(*target);
    return true;
}

}  // namespace agora::consensus
