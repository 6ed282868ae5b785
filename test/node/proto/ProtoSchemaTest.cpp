// The transport schemas compile into agora_proto and expose every service
// DESIGN.md section 6 names, with canonical bytes carried as bytes fields.
#include <google/protobuf/descriptor.h>
#include <catch2/catch.hpp>

#include "agora/events/v1/events.grpc.pb.h"
#include "agora/market/v1/market.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/staking/v1/staking.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"

namespace {
const google::protobuf::ServiceDescriptor* service(const std::string& name) {
    // Touch one message of each file so its descriptor is linked and registered.
    static const google::protobuf::FileDescriptor* files[] = {
        agora::tx::v1::BroadcastRequest::descriptor()->file(),
        agora::market::v1::SignedTxRequest::descriptor()->file(),
        agora::staking::v1::ValidatorsRequest::descriptor()->file(),
        agora::query::v1::StatusRequest::descriptor()->file(),
        agora::events::v1::SubscribeRequest::descriptor()->file(),
    };
    for (const auto* f : files)
        for (int i = 0; i < f->service_count(); ++i)
            if (f->service(i)->full_name() == name) return f->service(i);
    return nullptr;
}
}  // namespace

TEST_CASE("every RPC service of the design is defined with its methods", "[proto]") {
    const std::pair<const char*, std::vector<const char*>> expected[] = {
        {"agora.tx.v1.TxService", {"Broadcast", "BroadcastStream", "BroadcastBatchStream", "Simulate", "GetTx"}},
        {"agora.market.v1.ProviderService",
         {"Register", "Update", "SetOffer", "RemoveOffer", "PlaceBid", "WithdrawBid", "ReportUsage", "CloseLease",
          "WithdrawEarnings", "WatchJobs"}},
        {"agora.market.v1.ClientService",
         {"CreateJob", "CancelJob", "WatchBids", "AcceptBid", "LeaseOffer", "TopUp", "CloseLease", "Settle"}},
        {"agora.staking.v1.StakingService", {"Validators", "Delegate", "Unbond", "Unjail"}},
        {"agora.query.v1.QueryService",
         {"Account", "Provider", "ListProviders", "Job", "Bids", "Lease", "Leases", "Escrow", "Reputation",
          "Validators", "Block", "Status", "Params", "Proof"}},
        {"agora.events.v1.EventService", {"Subscribe"}},
    };
    for (const auto& [svcName, methods] : expected) {
        INFO(svcName);
        const auto* svc = service(svcName);
        REQUIRE(svc != nullptr);
        for (const char* m : methods) {
            INFO(m);
            REQUIRE(svc->FindMethodByName(m) != nullptr);
        }
    }
    REQUIRE(service("agora.tx.v1.TxService")->FindMethodByName("BroadcastStream")->client_streaming());
    REQUIRE(service("agora.events.v1.EventService")->FindMethodByName("Subscribe")->server_streaming());
}

TEST_CASE("a broadcast request carries canonical tx bytes unchanged through protobuf", "[proto]") {
    agora::tx::v1::BroadcastRequest req;
    const std::string raw("\x01\x00\xff\x7f", 4);
    req.set_tx(raw);
    req.set_mode(agora::tx::v1::BROADCAST_MODE_COMMIT);
    const std::string wire = req.SerializeAsString();
    agora::tx::v1::BroadcastRequest back;
    REQUIRE(back.ParseFromString(wire));
    REQUIRE(back.tx() == raw);
    REQUIRE(back.mode() == agora::tx::v1::BROADCAST_MODE_COMMIT);
}
