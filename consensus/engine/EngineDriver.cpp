#include "consensus/engine/EngineDriver.h"

namespace agora::consensus {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

EngineDriver::EngineDriver(EngineConfig config, ChainState persisted, std::vector<Input> wal,
                           const SignatureVerifier& verifier, Signer& signer, EngineHost& host)
    : engine_(std::move(config), std::move(persisted), verifier),
      wal_(std::move(wal)),
      signer_(&signer),
      host_(&host) {}

void EngineDriver::start(std::uint64_t now) {
    now_ = now;
    execute(engine_.start());
    std::vector<Input> wal = std::move(wal_);
    wal_.clear();
    for (const auto& in : wal) execute(engine_.replay(in));
    drain();
}

void EngineDriver::onInput(Input input) {
    now_ = input.now;
    pending_.push_back(std::move(input));
    drain();
}

void EngineDriver::resume(std::uint64_t now) {
    if (!finalized_) return;
    now_ = now;
    Input in = std::move(*finalized_);
    in.now = now;
    finalized_.reset();
    pending_.push_front(std::move(in));
    drain();
}

void EngineDriver::drain() {
    while (!pending_.empty()) {
        Input in = std::move(pending_.front());
        pending_.pop_front();
        execute(engine_.handle(in));
    }
}

void EngineDriver::execute(std::vector<Action> actions) {
    for (auto& action : actions) {
        std::visit(
            Overloaded{
                [&](AppendWal& a) { host_->appendWal(a.input); },
                [&](BroadcastProposal& a) { host_->broadcast(a.proposal); },
                [&](BroadcastVote& a) { host_->broadcast(a.vote); },
                [&](ScheduleTimeout& a) { host_->scheduleTimeout(a); },
                [&](RequestBlock& a) {
                    BuiltBlock b = host_->buildBlock(a.height, a.round, engine_.chainState().lastCommit);
                    pending_.push_back(Input{now_, BlockReady{a.height, a.round, b.blockId, std::move(b.block)}});
                },
                [&](ValidateBlock& a) {
                    const bool valid = host_->validateBlock(a.height, a.blockId, a.block);
                    pending_.push_back(Input{now_, BlockValidated{a.height, a.blockId, valid}});
                },
                [&](SignProposal& a) {
                    auto p = signer_->signProposal(std::move(a.proposal));
                    if (p) {
                        pending_.push_back(Input{now_, OwnProposalSigned{std::move(*p)}});
                    } else {
                        ++refused_;
                    }
                },
                [&](SignVote& a) {
                    auto v = signer_->signVote(a.vote);
                    if (v) {
                        pending_.push_back(Input{now_, OwnVoteSigned{*v}});
                    } else {
                        ++refused_;
                    }
                },
                [&](ReportEvidence& a) { host_->reportEvidence(a.evidence); },
                [&](CommitBlock& a) {
                    auto updates = host_->commitBlock(a);
                    finalized_ = Input{now_, BlockFinalized{a.height, std::move(updates)}};
                },
                [&](PersistChainState& a) { host_->persistChainState(a.state); },
            },
            action);
    }
}

}  // namespace agora::consensus
