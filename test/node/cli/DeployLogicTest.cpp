// The pure parts of `agora deploy`: which bid it accepts, which flags it
// refuses before sending anything, and how it reads a provider's host_uri.
#include <catch2/catch.hpp>
#include <vector>

#include "node/cli/BidSelection.h"
#include "node/cli/CliError.h"
#include "node/cli/DeployOptions.h"
#include "node/cli/GatewayClient.h"

using namespace agora;
using namespace agora::node::cli;

namespace {

BidCandidate bid(std::uint64_t id, std::uint64_t price, std::uint32_t score) {
    return BidCandidate{id, "agora1provider" + std::to_string(id), Amount(price), score};
}

DeployFlags validFlags() {
    DeployFlags f;
    f.file = "hello.yaml";
    f.from = "client";
    f.durationSeconds = 400;
    f.maxPrice = "1000";
    f.deposit = "2000000";
    return f;
}

}  // namespace

TEST_CASE("cheapest selection takes the lowest price, the lower bid id on a tie", "[cli][deploy]") {
    const std::vector<BidCandidate> bids = {bid(4, 900, 900'000), bid(2, 800, 100'000), bid(3, 800, 990'000),
                                            bid(1, 950, 0)};
    REQUIRE(selectBid(bids, SelectionPolicy::Cheapest) == std::optional<std::size_t>(1));  // bid 2
    const std::vector<BidCandidate> reversed(bids.rbegin(), bids.rend());
    REQUIRE(reversed[*selectBid(reversed, SelectionPolicy::Cheapest)].bidId == 2);
}

TEST_CASE("reputation selection takes the highest score, then the cheaper, then the lower id", "[cli][deploy]") {
    std::vector<BidCandidate> bids = {bid(1, 500, 700'000), bid(2, 900, 950'000), bid(3, 800, 950'000), bid(4, 100, 0)};
    REQUIRE(bids[*selectBid(bids, SelectionPolicy::Reputation)].bidId == 3);  // 950k, cheaper of 2 and 3
    bids.push_back(bid(0, 800, 950'000));
    REQUIRE(bids[*selectBid(bids, SelectionPolicy::Reputation)].bidId == 0);  // same score and price: lower id
    REQUIRE(bids[*selectBid(bids, SelectionPolicy::Cheapest)].bidId == 4);
}

TEST_CASE("selection over no bids chooses none", "[cli][deploy]") {
    REQUIRE_FALSE(selectBid(std::vector<BidCandidate>{}, SelectionPolicy::Cheapest));
    REQUIRE_FALSE(selectBid(std::vector<BidCandidate>{}, SelectionPolicy::Reputation));
}

TEST_CASE("selection policies parse by name and print back", "[cli][deploy]") {
    REQUIRE(parseSelectionPolicy("cheapest") == SelectionPolicy::Cheapest);
    REQUIRE(parseSelectionPolicy("reputation") == SelectionPolicy::Reputation);
    REQUIRE_FALSE(parseSelectionPolicy("random"));
    REQUIRE(selectionPolicyName(SelectionPolicy::Reputation) == "reputation");
}

TEST_CASE("valid deploy flags plan with sorted constraints and the defaults", "[cli][deploy]") {
    DeployFlags f = validFlags();
    f.constraints = {"region=eu", "gpu=none", "arch=amd64"};
    auto p = planDeploy(f);
    REQUIRE(p);
    REQUIRE(p->maxPricePerSecond == Amount(1000));
    REQUIRE(p->deposit == Amount(2'000'000));
    REQUIRE(p->policy == SelectionPolicy::Cheapest);
    REQUIRE(p->bidWaitSeconds == 30);
    REQUIRE(p->firstBidWaitSeconds == 30);  // defaults to --bid-wait
    REQUIRE(p->biddingWindowBlocks == 20);
    REQUIRE(p->rating == 5);
    REQUIRE(p->settle);
    REQUIRE(p->constraints.size() == 3);
    REQUIRE(p->constraints[0].key == "arch");
    REQUIRE(p->constraints[2].key == "region");
    f.maxPrice = "0.001agr";
    f.noSettle = true;
    f.select = "reputation";
    f.firstBidWaitSeconds = 90;
    p = planDeploy(f);
    REQUIRE(p);
    REQUIRE(p->firstBidWaitSeconds == 90);
    REQUIRE(p->maxPricePerSecond == Amount(1000));
    REQUIRE_FALSE(p->settle);
    REQUIRE(p->policy == SelectionPolicy::Reputation);
}

TEST_CASE("deploy flags that the ledger or the workflow would refuse fail before anything is sent", "[cli][deploy]") {
    const auto errorOf = [](DeployFlags f) {
        auto p = planDeploy(f);
        REQUIRE_FALSE(p);
        return p.error();
    };
    auto f = validFlags();
    f.deposit = "399999";  // below 1000 x 400
    CHECK_THAT(errorOf(f), Catch::Contains("--deposit 399999 uagr is below --max-price x --duration = 400000"));
    f = validFlags();
    f.from.clear();
    CHECK_THAT(errorOf(f), Catch::Contains("--from"));
    f = validFlags();
    f.durationSeconds = 0;
    CHECK_THAT(errorOf(f), Catch::Contains("--duration"));
    f = validFlags();
    f.biddingWindowBlocks = 0;
    CHECK_THAT(errorOf(f), Catch::Contains("--bidding-window"));
    f = validFlags();
    f.bidWaitSeconds = 0;
    CHECK_THAT(errorOf(f), Catch::Contains("--bid-wait"));
    for (std::uint32_t r : {0u, 6u}) {
        f = validFlags();
        f.rating = r;
        CHECK_THAT(errorOf(f), Catch::Contains("--rating must be 1..5"));
    }
    f = validFlags();
    f.maxPrice = "12abc";
    CHECK_THAT(errorOf(f), Catch::Contains("--max-price: '12abc' is not an amount"));
    f = validFlags();
    f.maxPrice = "0";
    CHECK_THAT(errorOf(f), Catch::Contains("--max-price must be positive"));
    f = validFlags();
    f.select = "random";
    CHECK_THAT(errorOf(f), Catch::Contains("--select must be cheapest or reputation"));
    f = validFlags();
    f.constraints = {"region=eu", "region=us"};
    CHECK_THAT(errorOf(f), Catch::Contains("key 'region' given twice"));
    f = validFlags();
    f.constraints = {"=eu"};
    CHECK_THAT(errorOf(f), Catch::Contains("KEY=VALUE"));
    f = validFlags();
    f.minReputation = 1'000'001;
    CHECK_THAT(errorOf(f), Catch::Contains("--min-reputation"));
    f = validFlags();
    f.maxPrice = "18446744073709551615";
    CHECK_THAT(errorOf(f), Catch::Contains("overflows"));
}

TEST_CASE("a provider host_uri names a gRPC target, plaintext or TLS", "[cli][deploy]") {
    REQUIRE(*parseHostUri("127.0.0.1:8443") == GatewayTarget{"127.0.0.1:8443", false});
    REQUIRE(*parseHostUri("grpc://gw.example:9000") == GatewayTarget{"gw.example:9000", false});
    REQUIRE(*parseHostUri("http://gw.example:9000/") == GatewayTarget{"gw.example:9000", false});
    REQUIRE(*parseHostUri("https://gpu.example") == GatewayTarget{"gpu.example:443", true});
    REQUIRE(*parseHostUri("grpcs://gpu.example:8443/v1") == GatewayTarget{"gpu.example:8443", true});
    REQUIRE(*parseHostUri("[::1]:8443") == GatewayTarget{"[::1]:8443", false});
    CHECK_THAT(parseHostUri("ftp://x:1").error(), Catch::Contains("scheme"));
    CHECK_THAT(parseHostUri("").error(), Catch::Contains("no host"));
    CHECK_THAT(parseHostUri("gw.example").error(), Catch::Contains("no port"));
    CHECK_THAT(parseHostUri("gw.example:80x").error(), Catch::Contains("bad port"));
}

TEST_CASE("only the statuses of an agent that is catching up are retried", "[cli][deploy]") {
    for (auto c : {grpc::StatusCode::FAILED_PRECONDITION, grpc::StatusCode::NOT_FOUND, grpc::StatusCode::UNAVAILABLE,
                   grpc::StatusCode::DEADLINE_EXCEEDED})
        CHECK(gatewayRetryable(grpc::Status(c, "")));
    for (auto c : {grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::INVALID_ARGUMENT,
                   grpc::StatusCode::UNAUTHENTICATED, grpc::StatusCode::RESOURCE_EXHAUSTED})
        CHECK_FALSE(gatewayRetryable(grpc::Status(c, "")));
    CHECK(grpcCodeName(grpc::StatusCode::PERMISSION_DENIED) == "PERMISSION_DENIED");
}

TEST_CASE("a gateway failure is one line with the call, the status name and the gateway's message", "[cli][deploy]") {
    try {
        gatewayFailed("127.0.0.1:8443", "SendManifest",
                      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "not the lease's client"));
        FAIL("gatewayFailed returned");
    } catch (const CliError& e) {
        CHECK_THAT(e.what(), Catch::StartsWith("gateway 127.0.0.1:8443: SendManifest: PERMISSION_DENIED: not the "
                                               "lease's client (sign with the lease's client key: --from)"));
    }
}
