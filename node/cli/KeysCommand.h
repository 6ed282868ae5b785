#pragma once
// `agora keys ...`: add, list, show, delete, export, import over a Keyring.
// Registered on the root CLI11 app; reads the shared flags from CliContext.

#include <CLI/CLI.hpp>

#include "node/cli/CliContext.h"

namespace agora::node::cli {

void registerKeysCommand(CLI::App& root, CliContext& ctx);

}  // namespace agora::node::cli
