#pragma once
// The client's workload commands (docs/deploy.md, docs/cli.md):
//   agora deploy FILE ...            manifest -> job -> bids -> lease -> running workload
//   agora lease status|logs|send-manifest LEASE ...   the lease's gateway, signed by the client
//   agora manifest hash|check FILE   local, no node needed (check --job reads the job)
// They talk to the node (--node) and to the provider's gateway at its
// on-chain host_uri (node/cli/GatewayClient.h).

#include <CLI/CLI.hpp>

#include "node/cli/CliContext.h"

namespace agora::node::cli {

void registerDeployCommand(CLI::App& root, CliContext& ctx);    // node/cli/DeployCommand.cpp
void registerLeaseCommand(CLI::App& root, CliContext& ctx);     // node/cli/LeaseCommand.cpp
void registerManifestCommand(CLI::App& root, CliContext& ctx);  // node/cli/ManifestCommand.cpp

}  // namespace agora::node::cli
