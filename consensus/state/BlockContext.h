#pragma once
// What the ledger learns about the block it executes. Everything here comes
// from the block header or the engine's commit information, never from a
// local clock: every node sees the same values.

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/PublicKey.h"

namespace agora::state {

// Misbehaviour proven by the consensus engine (e.g. two signed votes for the
// same height and round), to be punished by staking.
enum class MisbehaviourKind : std::uint8_t {
    DoubleSign = 1,
    Downtime = 2,  // reserved: downtime is normally derived from absentValidators
};

struct Misbehaviour {
    MisbehaviourKind kind = MisbehaviourKind::DoubleSign;
    PublicKey consensusKey;
    std::uint64_t height = 0;  // height of the infraction
};

struct BlockContext {
    std::uint64_t height = 0;
    std::uint64_t time = 0;  // header time as an integer (ms since epoch); never a local clock
    PublicKey proposer;      // consensus key of the block proposer
    std::string chainId;
    // Validators (consensus keys) whose signature is missing from the last
    // commit carried by this block; drives downtime accounting.
    std::vector<PublicKey> absentValidators;
    std::vector<Misbehaviour> evidence;
};

}  // namespace agora::state
