#include "node/cli/ChainCommands.h"

#include <grpcpp/grpcpp.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "agora/query/v1/query.grpc.pb.h"
#include "consensus/core/Hash256.h"
#include "node/cli/CliError.h"
#include "node/views/GovViews.h"

namespace agora::node::cli {

namespace q = agora::query::v1;
using nlohmann::json;

std::string hex(const std::string& raw) {
    return toHex(asBytes(raw));
}

std::shared_ptr<grpc::Channel> channel(const CliContext& ctx) {
    return grpc::CreateChannel(ctx.node, grpc::InsecureChannelCredentials());
}

void deadline(grpc::ClientContext& c, int seconds) {
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

[[noreturn]] void rpcFailed(const CliContext& ctx, const grpc::Status& s) {
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
        throw CliError("node " + ctx.node + " unreachable: " + s.error_message());
    throw CliError(s.error_message());
}

q::StatusResponse fetchStatus(const CliContext& ctx) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 10);
    q::StatusResponse resp;
    auto s = stub->Status(&c, q::StatusRequest{}, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    return resp;
}

q::AccountResponse fetchAccount(const CliContext& ctx, const std::string& address) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 10);
    q::AccountRequest req;
    req.set_address(address);
    q::AccountResponse resp;
    auto s = stub->Account(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    return resp;
}

std::set<std::string> fetchParamNames(const CliContext& ctx) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 10);
    q::ParamsResponse resp;
    auto s = stub->Params(&c, q::ParamsRequest{}, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    const auto params = fromProto(resp.params());
    if (!params) throw CliError("node sent parameters that do not parse");
    std::set<std::string> names;
    for (const auto& p : *params) names.insert(p.name);
    return names;
}

}  // namespace agora::node::cli
