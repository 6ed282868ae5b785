// agorad as a real process: a provider registers, a client posts a job, the
// provider bids and the client accepts, all through the action RPCs in
// commit mode; then the lease is read back through QueryService.
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agora/market/v1/market.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "node/config/NodeConfig.h"
#include "support/RunningNode.h"
#include "support/TestKeys.h"

#ifndef AGORAD_BINARY
#error "AGORAD_BINARY must name the agorad executable (test/CMakeLists.txt)"
#endif

using namespace agora;
namespace q = agora::query::v1;
namespace mk = agora::market::v1;
namespace txpb = agora::tx::v1;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

const char* kChain = "market-proc";
constexpr std::uint8_t kProvider = 1;
constexpr std::uint8_t kClient = 2;

Address addr(std::uint8_t key) {
    return Address::fromPublicKey(test::testKey(key).publicKey);
}

struct MarketNode {
    // testKey(1) (provider) and testKey(2) (client) funded, fast blocks (RunningNode).
    test::RunningNode node{"agorad-market", kChain, [](node::NodeConfig& cfg) { cfg.moniker = "val0"; }};
    std::map<std::uint8_t, std::uint64_t> nonces;

    mk::SignedTxRequest request(std::uint8_t key, Msg msg) {
        Tx tx;
        tx.chainId = kChain;
        tx.nonce = nonces[key]++;
        tx.fee = Amount(1'000);
        tx.msgs = {std::move(msg)};
        const Bytes raw = test::signTx(test::testKey(key), tx).bytes();
        mk::SignedTxRequest req;
        req.set_tx(std::string(raw.begin(), raw.end()));
        req.set_mode(txpb::BROADCAST_MODE_COMMIT);
        return req;
    }
};

// Runs an action RPC in commit mode and requires a committed success.
template <typename Stub, typename Method>
txpb::BroadcastResponse commit(Stub& stub, Method method, const mk::SignedTxRequest& req) {
    txpb::BroadcastResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 30s);
    auto st = (stub.*method)(&ctx, req, &resp);
    INFO(st.error_message());
    REQUIRE(st.ok());
    INFO(resp.message());
    REQUIRE(resp.code() == 0);
    REQUIRE(resp.height() >= 1);
    return resp;
}

}  // namespace

TEST_CASE("agorad runs register, job, bid and accept through the action RPCs and serves the lease",
          "[agorad][process][market]") {
    MarketNode net;
    INFO(net.node.log());
    REQUIRE(net.node.waitHeight(1));
    auto provider = mk::ProviderService::NewStub(net.node.channel());
    auto client = mk::ClientService::NewStub(net.node.channel());
    auto query = q::QueryService::NewStub(net.node.channel());

    commit(*provider, &mk::ProviderService::Stub::Register,
           net.request(kProvider, MsgProviderRegister{"https://provider.example",
                                                      {{"region", "eu"}},
                                                      Resources{4000, 8192, 100, {}},
                                                      Amount(200'000'000)}));
    commit(*client, &mk::ClientService::Stub::CreateJob,
           net.request(
               kClient,
               MsgJobCreate{
                   Resources{1000, 1024, 10, {}}, {{"region", "eu"}}, Amount(500), 1000, 500, 0, Amount(500'000)}));
    commit(*provider, &mk::ProviderService::Stub::PlaceBid,
           net.request(kProvider, MsgBidPlace{1, Amount(400), Amount(1'000'000)}));

    q::BidsRequest breq;
    breq.set_job_id(1);
    q::BidsResponse bids;
    {
        grpc::ClientContext ctx;
        REQUIRE(query->Bids(&ctx, breq, &bids).ok());
    }
    REQUIRE(bids.bids_size() == 1);
    const auto bidId = bids.bids(0).id();
    const auto accepted =
        commit(*client, &mk::ClientService::Stub::AcceptBid, net.request(kClient, MsgBidAccept{bidId}));

    // A wrong message kind is refused by the running node too.
    {
        txpb::BroadcastResponse resp;
        grpc::ClientContext ctx;
        auto wrong = net.request(kClient, MsgJobCancel{1});
        --net.nonces[kClient];
        auto st = provider->PlaceBid(&ctx, wrong, &resp);
        REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    }

    q::JobRequest jreq;
    jreq.set_job_id(1);
    q::JobResponse job;
    {
        grpc::ClientContext ctx;
        REQUIRE(query->Job(&ctx, jreq, &job).ok());
    }
    const auto leaseId = job.job().lease_id();
    REQUIRE(leaseId != 0);

    q::LeaseRequest lreq;
    lreq.set_lease_id(leaseId);
    lreq.mutable_options()->set_prove(true);
    q::LeaseResponse lease;
    {
        grpc::ClientContext ctx;
        REQUIRE(query->Lease(&ctx, lreq, &lease).ok());
    }
    const auto& l = lease.lease();
    REQUIRE(l.provider() == addr(kProvider).toBech32());
    REQUIRE(l.client() == addr(kClient).toBech32());
    REQUIRE(l.price_per_second() == "400");
    REQUIRE(l.start_height() == accepted.height());
    REQUIRE(l.state() == "active");
    REQUIRE_FALSE(lease.state().proof().empty());

    q::LeasesRequest byProvider;
    byProvider.set_provider(addr(kProvider).toBech32());
    q::LeasesResponse leases;
    {
        grpc::ClientContext ctx;
        REQUIRE(query->Leases(&ctx, byProvider, &leases).ok());
    }
    REQUIRE(leases.leases_size() == 1);
    REQUIRE(leases.page().next_key().empty());

    // Block time passes: the escrow view accrues at the price per whole second of block time.
    const std::uint64_t startMs = leases.leases(0).start_time();
    REQUIRE(startMs > 0);
    q::EscrowRequest ereq;
    ereq.set_lease_id(leaseId);
    q::EscrowResponse escrow;
    REQUIRE(test::waitUntil(
        [&] {
            grpc::ClientContext ctx;
            return query->Escrow(&ctx, ereq, &escrow).ok() && escrow.time() >= startMs + 2'000;
        },
        30s));
    const std::uint64_t seconds = (escrow.time() - startMs) / 1'000;
    REQUIRE(escrow.accrued() == std::to_string(400 * seconds));
    REQUIRE(escrow.paid_through() == startMs + 1'000 * seconds);
    REQUIRE(escrow.deposited() == "500000");

    REQUIRE(net.node.stop() == 0);
}
