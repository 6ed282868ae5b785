#include "node/cli/ClientSession.h"

#include <grpcpp/grpcpp.h>

#include <filesystem>

#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "node/cli/ChainCommands.h"
#include "node/cli/CliError.h"
#include "wallet/Keyring.h"
#include "wallet/TxBuilder.h"
#include "wallet/TxSigner.h"

namespace agora::node::cli {

namespace q = agora::query::v1;
namespace txpb = agora::tx::v1;
using nlohmann::json;

namespace {

wallet::SecretKey unlockKey(CliContext& ctx, const std::string& keyName) {
    if (keyName.empty()) throw CliError("--from KEY is required");
    wallet::Keyring ring(ctx.keyringDir.empty() ? wallet::Keyring::defaultDir()
                                                : std::filesystem::path(ctx.keyringDir));
    auto info = ring.info(keyName);
    if (!info) throw CliError(info.error().message());
    auto passphrases = ctx.passphrases();
    auto material = ring.unlock(keyName, passphrases.get());
    if (!material) throw CliError(material.error().message());
    return std::move(material->key);
}

template <typename View, typename Record>
View record(const Record& r, const char* what) {
    auto v = fromProto(r);
    if (!v) throw CliError(std::string("node sent a ") + what + " record that does not parse");
    return std::move(*v);
}

template <typename Req, typename Resp, typename Method>
Resp unary(const CliContext& ctx, Method method, const Req& req) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 30);
    Resp resp;
    auto s = ((*stub).*method)(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    return resp;
}

}  // namespace

ClientSession::ClientSession(CliContext& ctx, const std::string& keyName, Amount fee)
    : ctx_(ctx), key_(unlockKey(ctx, keyName)), address_(key_.address()), fee_(fee) {
    chainId_ = ctx.chainId.empty() ? fetchStatus(ctx).chain_id() : ctx.chainId;
}

txpb::BroadcastResponse ClientSession::commitAllowingFailure(Msg msg) const {
    // After a commit the pending nonce is the next one: the txs of a session
    // go one after another, never two in flight.
    const std::uint64_t nonce = fetchAccount(ctx_, address_.toBech32()).pending_nonce();
    wallet::TxSigner signer(key_.copy());
    wallet::TxBuilder builder(chainId_);
    builder.nonce(nonce).fee(fee_).addMsg(std::move(msg));
    auto stx = signer.sign(builder);
    if (!stx) throw CliError(stx.error().message());
    const Bytes raw = stx->bytes();
    auto stub = txpb::TxService::NewStub(channel(ctx_));
    grpc::ClientContext c;
    deadline(c, 60);
    txpb::BroadcastRequest req;
    req.set_tx(std::string(raw.begin(), raw.end()));
    req.set_mode(txpb::BROADCAST_MODE_COMMIT);
    txpb::BroadcastResponse resp;
    auto s = stub->Broadcast(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx_, s);
    return resp;
}

txpb::BroadcastResponse ClientSession::commit(Msg msg, const std::string& what) const {
    auto resp = commitAllowingFailure(std::move(msg));
    if (resp.code() != 0)
        throw CliError(what + " failed with code " + std::to_string(resp.code()) +
                       (resp.message().empty() ? "" : ": " + resp.message()));
    return resp;
}

LeaseView ClientSession::lease(std::uint64_t id) const {
    q::LeaseRequest req;
    req.set_lease_id(id);
    return record<LeaseView>(unary<q::LeaseRequest, q::LeaseResponse>(ctx_, &q::QueryService::Stub::Lease, req).lease(),
                             "lease");
}

JobView ClientSession::job(std::uint64_t id) const {
    q::JobRequest req;
    req.set_job_id(id);
    return record<JobView>(unary<q::JobRequest, q::JobResponse>(ctx_, &q::QueryService::Stub::Job, req).job(), "job");
}

ProviderView ClientSession::provider(const std::string& address) const {
    q::ProviderRequest req;
    req.set_address(address);
    return record<ProviderView>(
        unary<q::ProviderRequest, q::ProviderResponse>(ctx_, &q::QueryService::Stub::Provider, req).provider(),
        "provider");
}

std::optional<std::uint32_t> ClientSession::reputationScore(const std::string& provider) const {
    auto stub = q::QueryService::NewStub(channel(ctx_));
    grpc::ClientContext c;
    deadline(c, 10);
    q::ReputationRequest req;
    req.set_provider(provider);
    q::ReputationResponse resp;
    if (!stub->Reputation(&c, req, &resp).ok()) return std::nullopt;
    auto rep = fromProto(resp.reputation());
    if (!rep || rep->score > UINT32_MAX) return std::nullopt;
    return static_cast<std::uint32_t>(rep->score);
}

std::uint64_t ClientSession::latestHeight() const {
    return fetchStatus(ctx_).latest_height();
}

std::optional<std::string> eventAttribute(const txpb::BroadcastResponse& resp, const std::string& type,
                                          const std::string& key) {
    for (const auto& e : resp.result().events()) {
        if (e.type() != type) continue;
        for (const auto& a : e.attributes())
            if (a.key() == key) return a.value();
    }
    return std::nullopt;
}

}  // namespace agora::node::cli
