#pragma once
// What the engine asks its host to do, in order. The host must execute the
// actions of one call in the order given: AppendWal always comes first, so an
// input is durable before anything it caused leaves the node.

#include <cstdint>
#include <variant>

#include "consensus/core/CommitCertificate.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/Vote.h"
#include "consensus/engine/ChainState.h"
#include "consensus/engine/Input.h"
#include "consensus/engine/Step.h"

namespace agora::consensus {

// Append `input` to the WAL (durably) before executing the next action.
struct AppendWal {
    Input input;
};

// Send to all peers.
struct BroadcastProposal {
    Proposal proposal;
};
struct BroadcastVote {
    Vote vote;
};

// Deliver TimeoutFired{height, round, step} after `ticks`.
struct ScheduleTimeout {
    std::uint64_t height = 0;
    std::uint32_t round = 0;
    Step step = Step::Propose;
    std::uint64_t ticks = 0;
};

// Ask the application for a block to propose; answer with BlockReady.
struct RequestBlock {
    std::uint64_t height = 0;
    std::uint32_t round = 0;
};

// Ask the application whether a proposed block is valid (and that blockId
// identifies it); answer with BlockValidated.
struct ValidateBlock {
    std::uint64_t height = 0;
    Hash256 blockId;
    Bytes block;
};

// Ask the Signer to sign; the signature field is empty. Answer with
// OwnProposalSigned / OwnVoteSigned, or nothing if the signer refuses.
struct SignProposal {
    Proposal proposal;
};
struct SignVote {
    Vote vote;
};

// Verified duplicate-vote evidence for the application to include in a block.
struct ReportEvidence {
    DuplicateVoteEvidence evidence;
};

// The block is decided. The host applies it (finalize), stores it with its
// certificate atomically, then feeds BlockFinalized with the validator updates.
struct CommitBlock {
    std::uint64_t height = 0;
    Hash256 blockId;
    Bytes block;
    CommitCertificate certificate;
};

// Persist the state the next height starts from (with the block store).
struct PersistChainState {
    ChainState state;
};

using Action = std::variant<AppendWal, BroadcastProposal, BroadcastVote, ScheduleTimeout, RequestBlock, ValidateBlock,
                            SignProposal, SignVote, ReportEvidence, CommitBlock, PersistChainState>;

}  // namespace agora::consensus
