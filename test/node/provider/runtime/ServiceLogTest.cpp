#include <catch2/catch.hpp>

#include <string>

#include "node/provider/runtime/ServiceLog.h"
#include "support/TempDir.h"

using agora::provider::ServiceLog;

TEST_CASE("service log: offsets count every byte ever written, the cap keeps the newest", "[runtime]") {
    agora::test::TempDir tmp("servicelog");
    const std::string dir = tmp.path("svc");
    std::filesystem::create_directories(dir);

    std::string all;
    {
        ServiceLog log(dir, 100);  // rotates every 50 bytes
        for (int i = 0; i < 30; ++i) {
            const std::string line = "line " + std::to_string(i) + "\n";
            log.append(line);
            all += line;
        }
        CHECK(log.endOffset() == all.size());
    }

    auto chunk = ServiceLog::read(dir, 0, 1 << 20);
    REQUIRE(chunk);
    CHECK(chunk->truncatedBefore);
    CHECK(chunk->nextOffset == all.size());
    CHECK(chunk->data.size() >= 50);
    CHECK(chunk->data.size() <= 100);
    CHECK(chunk->data == all.substr(all.size() - chunk->data.size()));

    // Reading from inside the kept range is exact and not truncated.
    const std::uint64_t from = all.size() - 10;
    auto tail = ServiceLog::read(dir, from, 4);
    REQUIRE(tail);
    CHECK_FALSE(tail->truncatedBefore);
    CHECK(tail->data == all.substr(from, 4));
    CHECK(tail->nextOffset == from + 4);

    // Past the end: empty, clamped to the end.
    auto past = ServiceLog::read(dir, all.size() + 1000, 10);
    REQUIRE(past);
    CHECK(past->data.empty());
    CHECK(past->nextOffset == all.size());

    auto lastTwo = ServiceLog::tailOffset(dir, 2);
    REQUIRE(lastTwo);
    CHECK(all.substr(*lastTwo) == "line 28\nline 29\n");
    CHECK(*ServiceLog::tailOffset(dir, 0) == all.size());
    // More lines than kept: the oldest kept byte.
    CHECK(*ServiceLog::tailOffset(dir, 1000) == all.size() - chunk->data.size());
}

TEST_CASE("service log: a write larger than the cap keeps only its newest bytes", "[runtime]") {
    agora::test::TempDir tmp("servicelog-big");
    const std::string dir = tmp.path("svc");
    std::filesystem::create_directories(dir);
    std::string big;
    for (int i = 0; i < 1000; ++i) big += static_cast<char>('a' + i % 26);
    {
        ServiceLog log(dir, 64);
        log.append(big);
    }
    auto chunk = ServiceLog::read(dir, 0, 1 << 20);
    REQUIRE(chunk);
    CHECK(chunk->truncatedBefore);
    CHECK(chunk->data.size() <= 64);
    CHECK(chunk->data == big.substr(big.size() - chunk->data.size()));
    CHECK(*ServiceLog::tailOffset(dir, 1) == big.size() - chunk->data.size());  // no newline: one line
}
