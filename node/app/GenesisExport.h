#pragma once
// agorad export: the genesis of a committed state (docs/genesis.md).
//
// The exported genesis carries the whole state as app_state (every key and
// value, hex, in key order, with the app_hash they hash to), the validator
// set that decides the next height, the validator updates still queued, and
// initial_height = exported height + 1. A node started from it holds the
// exact state of the exported height: same app_hash, same query answers.
//
// It lives beside the Application, not in genesis/, because an earlier height
// is rebuilt by re-executing blocks through an Application of its own.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "consensus/core/Expected.h"
#include "node/app/Application.h"
#include "node/genesis/GenesisFile.h"

namespace agora::node {

// The genesis of app's latest committed state; app's own genesis when no
// block has been committed yet (that genesis still is the whole state).
Expected<GenesisDoc, std::string> exportLatest(const Application& app);

// The genesis of the state after block `height`. The latest height is read
// directly; an earlier one is rebuilt by re-executing the stored blocks from
// the chain's first height into a scratch database under scratchDir (removed
// afterwards), checking every block's app_hash on the way: O(chain).
Expected<GenesisDoc, std::string> exportAtHeight(const Application& app, std::uint64_t height,
                                                 const std::filesystem::path& scratchDir);

}  // namespace agora::node
