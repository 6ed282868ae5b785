#include "consensus/engine/Signer.h"

#include <tuple>

namespace agora::consensus {

std::string_view errorName(SignError e) {
    switch (e) {
        case SignError::Regression:
            return "sign request before the last signed step";
        case SignError::Conflict:
            return "conflicting sign request at the last signed step";
        case SignError::PersistFailed:
            return "signer state not persisted";
        case SignError::WrongKey:
            return "sign request for another key";
    }
    return "unknown sign error";
}

Signer::Signer(std::string chainId, SignerState last, SignerStateStore& store, KeyHandle& key)
    : chainId_(std::move(chainId)), state_(std::move(last)), store_(&store), key_(&key) {}

Expected<Signature, SignError> Signer::signAt(std::uint64_t height, std::uint32_t round, Step step,
                                              const Hash256& digest) {
    const auto want = std::make_tuple(height, round, static_cast<std::uint8_t>(step));
    const auto last = std::make_tuple(state_.height, state_.round, state_.step);
    if (want < last) return Unexpected(SignError::Regression);
    if (want == last) {
        if (state_.digest != digest) return Unexpected(SignError::Conflict);
        return key_->sign(digest);  // same bytes again: not a double sign
    }
    SignerState next{height, round, static_cast<std::uint8_t>(step), digest};
    if (!store_->persist(next)) return Unexpected(SignError::PersistFailed);
    state_ = next;
    return key_->sign(digest);
}

Expected<Vote, SignError> Signer::signVote(Vote vote) {
    if (vote.validator != key_->publicKey()) return Unexpected(SignError::WrongKey);
    const Step step = vote.type == VoteType::Prevote ? Step::Prevote : Step::Precommit;
    auto sig = signAt(vote.height, vote.round, step, vote.signDigest(chainId_));
    if (!sig) return Unexpected(sig.error());
    vote.signature = *sig;
    return vote;
}

Expected<Proposal, SignError> Signer::signProposal(Proposal proposal) {
    if (proposal.proposer != key_->publicKey()) return Unexpected(SignError::WrongKey);
    auto sig = signAt(proposal.height, proposal.round, Step::Propose, proposal.signDigest(chainId_));
    if (!sig) return Unexpected(sig.error());
    proposal.signature = *sig;
    return proposal;
}

}  // namespace agora::consensus
