#include <catch2/catch.hpp>

#include "node/provider/BidEngine.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace agora::provider;

namespace {
Address addr(std::uint8_t n) {
    return Address::fromPublicKey(test::testKey(n).publicKey);
}
Resources res(std::uint64_t cpu, std::uint64_t mem) {
    Resources r;
    r.cpuMillicores = cpu;
    r.memoryMib = mem;
    return r;
}
ProviderView view() {
    ProviderView v;
    v.capacity = res(4000, 8192);
    v.reserved = res(1000, 1024);
    v.attributes = {{"region", "eu"}};
    v.stake = Amount(200);
    v.openLeases = 1;
    v.minProviderStake = Amount(100);
    v.stakePerLease = Amount(10);
    return v;
}
contracts::Job job() {
    contracts::Job j;
    j.id = 5;
    j.client = addr(2);
    j.resources = res(1000, 1024);
    j.biddingEndHeight = 50;
    j.maxPricePerSecond = Amount(1000);
    return j;
}
}  // namespace

TEST_CASE("a job the provider can serve passes screening", "[provider][bidding]") {
    CHECK(!screenJob(job(), addr(1), view(), {}, 10, 0, 64));
}

TEST_CASE("screening refuses closed windows, own jobs, unmet constraints, full capacity, thin stake, the bid limit",
          "[provider][bidding]") {
    auto j = job();
    CHECK(screenJob(j, addr(1), view(), {}, 51, 0, 64) == std::optional<std::string>("bidding window over"));
    CHECK(screenJob(j, addr(2), view(), {}, 10, 0, 64) == std::optional<std::string>("own job"));
    auto constrained = j;
    constrained.constraints = {{"region", "us"}};
    CHECK(screenJob(constrained, addr(1), view(), {}, 10, 0, 64) == std::optional<std::string>("constraints not met"));
    // Free is 3000m / 7168 MiB; open bids hold 2500m: 500m left for a 1000m job.
    CHECK(screenJob(j, addr(1), view(), res(2500, 0), 10, 0, 64) == std::optional<std::string>("no free capacity"));
    auto big = j;
    big.resources = res(3001, 1);
    CHECK(screenJob(big, addr(1), view(), {}, 10, 0, 64) == std::optional<std::string>("no free capacity"));
    auto thin = view();
    thin.stake = Amount(119);  // needs 100 + 10 x 2
    CHECK(screenJob(j, addr(1), thin, {}, 10, 0, 64) ==
          std::optional<std::string>("stake does not cover one more lease"));
    CHECK(screenJob(j, addr(1), view(), {}, 10, 64, 64) == std::optional<std::string>("max_open_bids reached"));
    auto leased = j;
    leased.state = contracts::JobState::Leased;
    CHECK(screenJob(leased, addr(1), view(), {}, 10, 0, 64) == std::optional<std::string>("job not open"));
}
