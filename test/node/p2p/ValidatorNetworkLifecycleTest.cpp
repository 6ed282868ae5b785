// The marketplace lifecycle submitted through ONE validator of four with the
// `agora` CLI, then read back with `agora query ... -o json` on EACH node:
// every node must show the same provider, job, bids, lease, escrow, balances
// and reputation, with the values the lifecycle implies.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "NetworkCli.h"
#include "ValidatorNetwork.h"
#include "contracts/Reputation.h"

using namespace agora;
using namespace std::chrono_literals;
using agora::test::Cli;
using nlohmann::json;

TEST_CASE("the marketplace lifecycle submitted through one validator is visible identically on all four",
          "[p2p][process][cli]") {
    test::ValidatorNetwork net({"100agr", "100agr", "100agr", "100agr"});
    net.startAll();
    const std::vector<std::size_t> all{0, 1, 2, 3};
    REQUIRE(net.waitHeight(all, 2, 60s));
    Cli c{net};
    const std::string provider = c.address("provider"), client = c.address("client");
    constexpr std::uint64_t kFunded = 1'000'000'000'000ULL;  // init-files demo balance
    constexpr std::uint64_t kStake = 200'000'000;

    c.tx({"provider", "register", "--host", "https://p.example", "--attr", "region=eu", "--capacity",
          "cpu=8000,mem=16384,storage=500", "--stake", "200agr"},
         "provider");
    const json job =
        c.tx({"job", "create", "--resources", "cpu=2000,mem=4096,storage=50", "--constraint", "region=eu",
              "--max-price", "100", "--duration", "2000", "--bidding-window", "1000", "--deposit", "200000"},
             "client");
    const std::string jobId = Cli::attr(job, "job_created", "job_id");
    const json bid = c.tx({"bid", "place", jobId, "--price", "80"}, "provider");
    const std::string bidId = Cli::attr(bid, "bid_placed", "bid_id");
    const json accepted = c.tx({"bid", "accept", bidId}, "client");
    const std::string leaseId = Cli::attr(accepted, "lease_created", "lease_id");
    // The lease runs long enough to count for reputation before the client closes it:
    // reputation_min_paid_seconds of block time, whatever the block rate.
    const std::uint64_t startMs = c.query(0, {"lease", leaseId})["start_time"].get<std::uint64_t>();
    REQUIRE(test::waitUntil(
        [&] {
            return c.query(0, {"escrow", leaseId})["paid_through"].get<std::uint64_t>() >=
                   startMs + 1'000 * contracts::kReputationMinPaidSeconds;
        },
        60s));
    c.tx({"lease", "close", leaseId, "--reason", "completed"}, "client");
    const json settled = c.tx({"lease", "settle", leaseId, "--rating", "5"}, "client");
    const std::uint64_t settledAt = settled["height"].get<std::uint64_t>();
    REQUIRE(net.waitHeight(all, settledAt, 60s));

    // Expected values, read on node 0 (the node the txs went through).
    const json escrow0 = c.query(0, {"escrow", leaseId});
    const std::uint64_t toProvider = Cli::u64(escrow0["withdrawn"]);
    CHECK(escrow0["lease_state"] == "closed");
    CHECK(Cli::u64(escrow0["deposited"]) == 200000);
    CHECK(Cli::u64(escrow0["remaining"]) == 0);
    CHECK(toProvider + Cli::u64(escrow0["refunded"]) == 200000);
    CHECK(toProvider >= contracts::kReputationMinPaidSeconds * 80);  // at least the seconds waited, at the price
    CHECK(toProvider % 80 == 0);

    // The same records on every node; height-stamped fields left out.
    auto records = [&](std::size_t i) {
        json r;
        r["provider"] = c.query(i, {"provider", provider});
        r["job"] = c.query(i, {"job", jobId});
        r["bids"] = c.query(i, {"bids", jobId, "--include-closed"});
        r["lease"] = c.query(i, {"lease", leaseId});
        r["escrow"] = c.query(i, {"escrow", leaseId});
        r["reputation"] = c.query(i, {"reputation", provider});
        r["provider_account"] = c.query(i, {"account", provider});
        r["client_account"] = c.query(i, {"account", client});
        for (const char* k : {"escrow", "provider_account", "client_account"}) r[k].erase("height");
        r["escrow"].erase("time");
        return r;
    };
    const json first = records(0);
    CHECK(first["provider"]["address"] == provider);
    CHECK(Cli::u64(first["provider"]["stake"]) == kStake);
    CHECK(first["provider"]["free"]["cpu_millicores"] == 8000);
    CHECK(first["job"]["state"] == "leased");
    REQUIRE(first["bids"]["bids"].size() == 1);
    CHECK(first["bids"]["bids"][0]["state"] == "accepted");
    CHECK(first["lease"]["provider"] == provider);
    CHECK(first["lease"]["settled"] == true);
    CHECK(first["lease"]["rating"] == 5);
    CHECK(first["reputation"]["completed"] == 1);
    CHECK(Cli::u64(first["reputation"]["total_paid"]) == toProvider);
    CHECK(Cli::u64(first["client_account"]["balance"]) == kFunded - c.fees["client"] - toProvider);
    // The protocol's take on the payment is burned (lease_take_rate_ppm), as the lease records.
    const std::uint64_t burned = Cli::u64(first["lease"]["burned"]);
    CHECK(burned > 0);
    CHECK(Cli::u64(first["provider_account"]["balance"]) ==
          kFunded - c.fees["provider"] - kStake + toProvider - burned);
    for (std::size_t i = 1; i < 4; ++i) {
        INFO("node" << i);
        const json other = records(i);
        for (const auto& [what, value] : first.items()) {
            INFO(what);
            CHECK(other[what] == value);
        }
    }
    CHECK(net.stopAll());
    CHECK(net.checkNoForkNoDoubleSign() == "");
}
