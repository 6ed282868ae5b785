#pragma once
// Genesis: the initial accounts, validators and params of a chain. Parsing
// genesis JSON is the node's job; this is the struct it fills and the pure
// function that writes it into an empty state.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
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

// Validator updates that take effect at a later height (the consensus
// engine's pending queue at the exported height).
struct GenesisPendingUpdates {
    std::uint64_t effectiveHeight = 0;
    std::vector<ValidatorUpdate> updates;
};

// A whole ledger state carried into a new chain (`agorad export`,
// docs/genesis.md): every state key and value, in strictly ascending key
// order, plus what consensus needs to continue. `appHash` is the root of the
// authenticated map over `entries`; the node's genesis parser checks it with
// genesisStateRoot().
struct GenesisState {
    std::uint64_t height = 0;  // the exported height; the chain continues at height + 1
    Hash256 appHash;
    std::vector<ValidatorUpdate> validatorSet;  // decides height + 1
    std::vector<GenesisPendingUpdates> pendingUpdates;
    std::vector<std::pair<Bytes, Bytes>> entries;
};

struct Genesis {
    std::string chainId;
    std::uint64_t initialHeight = 1;
    Params params;
    std::vector<GenesisAccount> accounts;
    std::vector<GenesisValidator> validators;
    // When set, the state is imported as is: accounts and validators must be
    // empty, params must equal the params stored in the state.
    std::optional<GenesisState> appState;
};

struct GenesisError {
    std::string message;
};

// Validates and writes genesis into `state` (expected empty). Returns the
// initial validator set (sorted by key) for the consensus engine. With an
// appState, writes its entries (O(state)); the caller checked appHash.
Expected<std::vector<ValidatorUpdate>, GenesisError> initGenesis(state::StateWriter& state, const Genesis& genesis);

// The app_hash of a state given as (key, value) pairs: the root of the
// sparse Merkle tree over them, the same root a StateStore holding exactly
// these pairs reports. O(n log n).
Expected<Hash256, GenesisError> genesisStateRoot(const std::vector<std::pair<Bytes, Bytes>>& entries);

}  // namespace agora::contracts
