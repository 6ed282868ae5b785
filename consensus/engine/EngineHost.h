#pragma once
// The node's side of the engine for hosts that want the actions executed for
// them (EngineDriver): one method per action, the application's answers
// returned synchronously. Every method is called from the driver's single
// thread of control.

#include <optional>
#include <vector>

#include "consensus/core/Evidence.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/ValidatorUpdate.h"
#include "consensus/core/Vote.h"
#include "consensus/engine/Action.h"
#include "consensus/engine/ChainState.h"
#include "consensus/engine/Input.h"

namespace agora::consensus {

// A block built by the application for our proposal.
struct BuiltBlock {
    Hash256 blockId;
    Bytes block;
};

class EngineHost {
public:
    virtual ~EngineHost() = default;

    // Must be durable (written and fsynced) when it returns.
    virtual void appendWal(const Input& input) = 0;
    virtual void broadcast(const Proposal& proposal) = 0;
    virtual void broadcast(const Vote& vote) = 0;
    // Deliver TimeoutFired to EngineDriver::onInput after `t.ticks`.
    virtual void scheduleTimeout(const ScheduleTimeout& t) = 0;
    // The application builds a block for (height, round), carrying lastCommit.
    virtual BuiltBlock buildBlock(std::uint64_t height, std::uint32_t round,
                                  const std::optional<CommitCertificate>& lastCommit) = 0;
    // Deterministic: the same answer for the same block on every honest node.
    virtual bool validateBlock(std::uint64_t height, const Hash256& blockId, const Bytes& block) = 0;
    // Apply the block and store it with its certificate atomically; return the
    // validator updates. Called again for a height already stored (after a
    // crash), it must return the stored updates without applying twice.
    virtual std::vector<ValidatorUpdate> commitBlock(const CommitBlock& commit) = 0;
    // Store the state the next height starts from; WAL entries below
    // state.height may then be dropped.
    virtual void persistChainState(const ChainState& state) = 0;
    virtual void reportEvidence(const DuplicateVoteEvidence& evidence) = 0;
};

}  // namespace agora::consensus
