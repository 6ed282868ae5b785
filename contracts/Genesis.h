#pragma once
// Genesis: the initial accounts, validators and params of a chain. Parsing
// genesis JSON is the node's job; this is the struct it fills and the pure
// function that writes it into an empty state.

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Expected.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/ValidatorUpdate.h"
#include "consensus/state/StateView.h"
#include "contracts/Params.h"

namespace agora::contracts {

struct GenesisAccount {
    Address address;
    Amount balance;
};

// A validator bonded at genesis; its self-stake is minted (it is not taken
// from the operator's genesis balance).
struct GenesisValidator {
    Address operatorAddress;
    PublicKey consensusKey;
    std::string moniker;
    std::uint32_t commissionBps = 0;
    Amount selfStake;
};

struct Genesis {
    std::string chainId;
    std::uint64_t initialHeight = 1;
    Params params;
    std::vector<GenesisAccount> accounts;
    std::vector<GenesisValidator> validators;
};

struct GenesisError {
    std::string message;
};

// Validates and writes genesis into `state` (expected empty). Returns the
// initial validator set (sorted by key) for the consensus engine.
Expected<std::vector<ValidatorUpdate>, GenesisError> initGenesis(state::StateWriter& state, const Genesis& genesis);

}  // namespace agora::contracts
