#include "node/cli/ChainCommands.h"

#include <grpcpp/grpcpp.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "agora/query/v1/query.grpc.pb.h"
#include "consensus/core/Hash256.h"
#include "node/cli/CliError.h"

namespace agora::node::cli {

namespace q = agora::query::v1;
using nlohmann::json;

std::string hex(const std::string& raw) { return toHex(asBytes(raw)); }

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

namespace {

void runStatus(CliContext& ctx) {
    const auto s = fetchStatus(ctx);
    json j{{"chain_id", s.chain_id()},
           {"node_id", s.node_id()},
           {"latest_height", s.latest_height()},
           {"latest_block_hash", hex(s.latest_block_id())},
           {"app_hash", hex(s.latest_app_hash())},
           {"latest_time_ms", s.latest_time_ms()},
           {"catching_up", s.catching_up()},
           {"earliest_height", s.earliest_height()},
           {"version", s.version()}};
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << j.dump() << "\n";
        return;
    }
    for (const auto& [k, v] : j.items()) ctx.out << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
}

void runAccount(CliContext& ctx, const std::string& address) {
    const auto a = fetchAccount(ctx, address);
    json j{{"address", a.address()}, {"balance", a.balance()}, {"next_nonce", a.next_nonce()},
           {"height", a.state().height()}};
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << j.dump() << "\n";
        return;
    }
    ctx.out << "address: " << a.address() << "\nbalance: " << a.balance() << " uagr\nnext_nonce: " << a.next_nonce()
            << "\nheight: " << a.state().height() << "\n";
}

void runBlock(CliContext& ctx, std::uint64_t height) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 10);
    q::BlockRequest req;
    req.set_height(height);
    q::BlockResponse resp;
    auto s = stub->Block(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    const auto& v = resp.block().header_view();
    json txs = json::array();
    for (const auto& t : resp.block().txs()) txs.push_back(sha256(asBytes(t)).toHex());
    json j{{"height", v.height()},         {"hash", hex(v.block_id())}, {"app_hash", hex(v.app_hash())},
           {"last_block_id", hex(v.last_block_id())}, {"time_ms", v.time_ms()},  {"proposer", v.proposer()},
           {"chain_id", v.chain_id()},     {"num_txs", v.num_txs()},         {"txs", txs}};
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << j.dump() << "\n";
        return;
    }
    for (const auto& [k, val] : j.items())
        ctx.out << k << ": " << (val.is_string() ? val.get<std::string>() : val.dump()) << "\n";
}

}  // namespace

void registerQueryCommand(CLI::App& root, CliContext& ctx) {
    CLI::App* query = root.add_subcommand("query", "Read chain state from a node");
    query->fallthrough();
    query->callback([query] {
        if (query->get_subcommands().empty()) throw CliError("missing subcommand: agora query status|account|block");
    });
    query->add_subcommand("status", "Chain id, latest height, block id and app hash")->callback([&ctx] {
        runStatus(ctx);
    });
    auto address = std::make_shared<std::string>();
    auto* acc = query->add_subcommand("account", "Balance and next nonce of an address");
    acc->add_option("address", *address, "bech32 agora1... address")->required();
    acc->callback([&ctx, address] { runAccount(ctx, *address); });
    auto height = std::make_shared<std::uint64_t>(0);
    auto* blk = query->add_subcommand("block", "A block by height (latest when omitted)");
    blk->add_option("height", *height, "block height");
    blk->callback([&ctx, height] { runBlock(ctx, *height); });
}

}  // namespace agora::node::cli
