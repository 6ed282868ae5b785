#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "node/provider/PricePolicy.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::provider;

namespace {
PriceSchedule rates() {
    PriceSchedule p;
    p.perCpuMillicore = Amount(1);
    p.perMemoryMib = Amount(2);
    return p;
}
Resources res(std::uint64_t cpu, std::uint64_t mem) {
    Resources r;
    r.cpuMillicores = cpu;
    r.memoryMib = mem;
    return r;
}
std::string script(const test::TempDir& dir, const std::string& name, const std::string& body) {
    const std::string path = dir.path(name);
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
}
}  // namespace

TEST_CASE("rates price the job's resources at the offer times the margin", "[provider][pricing]") {
    PricePolicy atCost(rates(), 10'000, "", 1000);
    CHECK(*atCost.quote({}, res(500, 100)).price == Amount(500 + 200));
    PricePolicy marked(rates(), 15'000, "", 1000);
    CHECK(*marked.quote({}, res(500, 100)).price == Amount(1050));
    PricePolicy free(PriceSchedule{}, 10'000, "", 1000);
    CHECK(!free.quote({}, res(500, 100)).price);  // a zero price is no bid
}

TEST_CASE("a price script gets the job on stdin and its stdout is the price", "[provider][pricing]") {
    test::TempDir dir("price-script");
    // Echoes back the max price the job carries, minus one.
    const auto s =
        script(dir, "p.sh",
               "read line; max=$(echo \"$line\" | sed 's/.*\"max_price_per_second\":\"\\([0-9]*\\)\".*/\\1/'); "
               "echo $((max - 1))");
    PricePolicy p(rates(), 10'000, s, 5'000);
    const auto q = p.quote(nlohmann::json{{"max_price_per_second", "900"}}, res(1, 1));
    INFO(q.reason);
    REQUIRE(q.price);
    CHECK(*q.price == Amount(899));
}

TEST_CASE("a price script that fails, times out or prints garbage means no bid", "[provider][pricing]") {
    test::TempDir dir("price-script-bad");
    CHECK(!PricePolicy(rates(), 10'000, script(dir, "exit1.sh", "cat >/dev/null; echo 5; exit 1"), 2'000)
               .quote({}, res(1, 1))
               .price);
    CHECK(!PricePolicy(rates(), 10'000, script(dir, "garbage.sh", "cat >/dev/null; echo cheap"), 2'000)
               .quote({}, res(1, 1))
               .price);
    CHECK(!PricePolicy(rates(), 10'000, script(dir, "zero.sh", "cat >/dev/null; echo 0"), 2'000)
               .quote({}, res(1, 1))
               .price);
    const auto start = std::chrono::steady_clock::now();
    CHECK(!PricePolicy(rates(), 10'000, script(dir, "slow.sh", "cat >/dev/null; sleep 30; echo 5"), 200)
               .quote({}, res(1, 1))
               .price);
    // The time-out killed it: we did not wait for the 30 s sleep.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    CHECK(!PricePolicy(rates(), 10'000, dir.path("missing.sh"), 2'000).quote({}, res(1, 1)).price);
}
