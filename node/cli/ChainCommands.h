#pragma once
// `agora query ...` (node/cli/QueryCommand.cpp) and `agora tx ...`
// (node/cli/TxCommand.cpp): talk to a node over gRPC (--node). This file
// holds what both share. docs/cli.md lists every command and flag.
//
// Amounts accept uagr integers ("1500000", "1500000uagr") or tokens ("1.5agr").

#include <grpcpp/grpcpp.h>
#include <CLI/CLI.hpp>
#include <memory>
#include <set>
#include <string>

#include "agora/query/v1/query.grpc.pb.h"
#include "node/cli/CliContext.h"

namespace agora::node::cli {

void registerQueryCommand(CLI::App& root, CliContext& ctx);  // node/cli/QueryCommand.cpp
void registerTxCommand(CLI::App& root, CliContext& ctx);     // node/cli/TxCommand.cpp

// Shared by the command groups that talk to a node.
std::string hex(const std::string& raw);
std::shared_ptr<grpc::Channel> channel(const CliContext& ctx);
void deadline(grpc::ClientContext& c, int seconds);
[[noreturn]] void rpcFailed(const CliContext& ctx, const grpc::Status& s);
agora::query::v1::StatusResponse fetchStatus(const CliContext& ctx);
agora::query::v1::AccountResponse fetchAccount(const CliContext& ctx, const std::string& address);
// The names of the ledger parameters the node knows (QueryService.Params): the
// CLI keeps no list of its own, so it never disagrees with the node it talks to.
std::set<std::string> fetchParamNames(const CliContext& ctx);

}  // namespace agora::node::cli
