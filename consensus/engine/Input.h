#pragma once
// The events the engine consumes. Each comes with the current time as a
// value (`now`, in ticks). The engine appends every input it acts on to the
// WAL (action AppendWal) before any other action it takes for that input, so
// replaying the WAL entries of the current height restores its state.
//
// WAL entry wire form: u64 now || u8 kind || body (see Input.cpp and
// docs/consensus.md).

#include <cstdint>
#include <variant>
#include <vector>

#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/ValidatorUpdate.h"
#include "consensus/core/Vote.h"
#include "consensus/engine/Step.h"

namespace agora::consensus {

// A proposal from the network (or from our own signer: OwnProposalSigned).
struct ProposalReceived {
    Proposal proposal;
    bool operator==(const ProposalReceived&) const = default;
};

// A vote from the network.
struct VoteReceived {
    Vote vote;
    bool operator==(const VoteReceived&) const = default;
};

// A timeout the engine scheduled has expired.
struct TimeoutFired {
    std::uint64_t height = 0;
    std::uint32_t round = 0;
    Step step = Step::Propose;
    bool operator==(const TimeoutFired&) const = default;
};

// The application's answer to RequestBlock.
struct BlockReady {
    std::uint64_t height = 0;
    std::uint32_t round = 0;
    Hash256 blockId;
    Bytes block;
    bool operator==(const BlockReady&) const = default;
};

// The application's answer to ValidateBlock.
struct BlockValidated {
    std::uint64_t height = 0;
    Hash256 blockId;
    bool valid = false;
    bool operator==(const BlockValidated&) const = default;
};

// The signer released a signature for our proposal / vote.
struct OwnProposalSigned {
    Proposal proposal;
    bool operator==(const OwnProposalSigned&) const = default;
};
struct OwnVoteSigned {
    Vote vote;
    bool operator==(const OwnVoteSigned&) const = default;
};

// The application applied the committed block of `height`; `updates` take
// effect at height + EngineConfig::validatorUpdateDelay.
struct BlockFinalized {
    std::uint64_t height = 0;
    std::vector<ValidatorUpdate> updates;
    bool operator==(const BlockFinalized&) const = default;
};

using InputBody = std::variant<ProposalReceived, VoteReceived, TimeoutFired, BlockReady, BlockValidated,
                               OwnProposalSigned, OwnVoteSigned, BlockFinalized>;

struct Input {
    std::uint64_t now = 0;
    InputBody body;

    // The height the input belongs to.
    std::uint64_t height() const;

    void encodeTo(Writer& w) const;
    static Input decodeFrom(Reader& r);
    bool operator==(const Input&) const = default;
};

}  // namespace agora::consensus
