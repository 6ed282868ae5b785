#pragma once
// `agora query ...` and `agora tx ...`: talk to a node over gRPC (--node).
//
//   agora query status
//   agora query account ADDRESS
//   agora query block [HEIGHT]          (latest when omitted)
//   agora tx send FROM_KEY TO_ADDRESS AMOUNT [--fees AMOUNT] [--memo TEXT] [--mode sync|commit]
//
// Amounts accept uagr integers ("1500000", "1500000uagr") or tokens ("1.5agr").

#include <CLI/CLI.hpp>

#include "node/cli/CliContext.h"

namespace agora::node::cli {

void registerQueryCommand(CLI::App& root, CliContext& ctx);
void registerTxCommand(CLI::App& root, CliContext& ctx);

}  // namespace agora::node::cli
