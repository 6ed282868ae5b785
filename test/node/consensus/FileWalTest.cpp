#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "node/consensus/FileWal.h"
#include "node/consensus/SignerStateFile.h"

using namespace agora;
using namespace agora::node;
using consensus::Input;
namespace fs = std::filesystem;

namespace {
fs::path tempDir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("agora-wal-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

Input timeout(std::uint64_t now, std::uint64_t height, std::uint32_t round) {
    return Input{now, consensus::TimeoutFired{height, round, consensus::Step::Prevote}};
}
}  // namespace

TEST_CASE("crc32c matches the standard check value", "[wal]") {
    REQUIRE(crc32c(asBytes("123456789")) == 0xE3069283u);
}

TEST_CASE("WAL entries survive reopening in order", "[wal]") {
    const auto dir = tempDir("reopen");
    {
        auto opened = FileWal::open(dir / "wal");
        REQUIRE(opened.hasValue());
        REQUIRE(opened->second.entries.empty());
        for (std::uint32_t r = 0; r < 5; ++r) REQUIRE(opened->first.append(timeout(100 + r, 7, r)).hasValue());
    }
    auto again = FileWal::open(dir / "wal");
    REQUIRE(again.hasValue());
    REQUIRE(again->second.entries.size() == 5);
    REQUIRE(again->second.entries[3] == timeout(103, 7, 3));
    REQUIRE(again->second.droppedBytes == 0);
    fs::remove_all(dir);
}

TEST_CASE("a torn last WAL record is cut off and appending continues after the good ones", "[wal]") {
    const auto dir = tempDir("torn");
    std::uint64_t goodSize = 0;
    {
        auto w = FileWal::open(dir / "wal");
        REQUIRE(w->first.append(timeout(1, 3, 0)).hasValue());
        REQUIRE(w->first.append(timeout(2, 3, 1)).hasValue());
        goodSize = w->first.sizeBytes();
        REQUIRE(w->first.append(timeout(3, 3, 2)).hasValue());
    }
    // Every possible torn length of the third record.
    const auto full = fs::file_size(dir / "wal");
    for (auto cut = goodSize + 1; cut < full; ++cut) {
        fs::copy_file(dir / "wal", dir / "torn", fs::copy_options::overwrite_existing);
        fs::resize_file(dir / "torn", cut);
        auto w = FileWal::open(dir / "torn");
        REQUIRE(w.hasValue());
        REQUIRE(w->second.entries.size() == 2);
        REQUIRE(w->second.droppedBytes == cut - goodSize);
        REQUIRE(w->first.append(timeout(9, 3, 9)).hasValue());
    }
    auto last = FileWal::open(dir / "torn");
    REQUIRE(last->second.entries.size() == 3);
    REQUIRE(last->second.entries[2] == timeout(9, 3, 9));
    fs::remove_all(dir);
}

TEST_CASE("a WAL record with a flipped bit is not replayed", "[wal]") {
    const auto dir = tempDir("flip");
    {
        auto w = FileWal::open(dir / "wal");
        REQUIRE(w->first.append(timeout(1, 3, 0)).hasValue());
    }
    {
        std::fstream f(dir / "wal", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(10);
        f.put('\x55');
    }
    auto w = FileWal::open(dir / "wal");
    REQUIRE(w.hasValue());
    REQUIRE(w->second.entries.empty());
    REQUIRE(w->second.droppedBytes > 0);
    fs::remove_all(dir);
}

TEST_CASE("resetting the WAL for a new height empties it durably", "[wal]") {
    const auto dir = tempDir("reset");
    {
        auto w = FileWal::open(dir / "wal");
        REQUIRE(w->first.append(timeout(1, 3, 0)).hasValue());
        REQUIRE(w->first.resetForHeight().hasValue());
        REQUIRE(w->first.append(timeout(2, 4, 0)).hasValue());
    }
    auto w = FileWal::open(dir / "wal");
    REQUIRE(w->second.entries.size() == 1);
    REQUIRE(w->second.entries[0] == timeout(2, 4, 0));
    fs::remove_all(dir);
}

TEST_CASE("signer state persists, reloads and refuses a corrupt file", "[signer-state]") {
    const auto dir = tempDir("signer");
    SignerStateFile file(dir / "signer_state.json");
    REQUIRE(file.load().value() == consensus::SignerState{});  // missing = nothing signed
    consensus::SignerState s{12, 3, 2, sha256(asBytes("vote"))};
    REQUIRE(file.persist(s));
    REQUIRE(file.load().value() == s);
    std::ofstream(dir / "signer_state.json") << "{\"height\": 12, \"round\":";
    auto bad = file.load();
    REQUIRE_FALSE(bad.hasValue());
    REQUIRE(bad.error().find("refusing to sign") != std::string::npos);
    REQUIRE(file.reset().hasValue());
    REQUIRE(file.load().value() == consensus::SignerState{});
    fs::remove_all(dir);
}
