#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <map>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/StateTestUtil.h"
#include "node/storage/LevelDbStateStore.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::state;
using agora::node::LevelDbStateStore;
using agora::test::bytesOf;
using agora::test::TempDir;
using agora::test::TestRng;

namespace {

StateChanges crashBlock(std::uint64_t h) {
    TestRng rng(h * 0x51ED27ULL + 3);
    StateChanges c;
    for (std::uint64_t i = 0, n = 1 + rng.below(60); i < n; ++i) {
        Bytes key = agora::test::randomKey(rng, 500);
        if (rng.chance(20))
            c[key] = std::nullopt;
        else
            c[key] = agora::test::randomValue(rng);
    }
    return c;
}

// Child process: commit blocks forever from wherever the store is, reporting
// each committed height on the pipe after the commit returns. deferred: every
// commit is written without an fsync (PreparedCommit::sync = false), as block
// sync writes all but the last block of a batch.
[[noreturn]] void commitForever(const std::string& path, int out, bool deferred) {
    auto store = LevelDbStateStore::open(path);
    if (!store) ::_exit(2);
    for (std::uint64_t h = (*store)->latestVersion() + 1; h < 1000000; ++h) {
        auto prepared = (*store)->prepare(h, crashBlock(h));
        if (!prepared) ::_exit(3);
        prepared->sync = !deferred;
        if (!(*store)->write(std::move(*prepared))) ::_exit(3);
        if (::write(out, &h, sizeof h) != static_cast<ssize_t>(sizeof h)) ::_exit(4);
    }
    ::_exit(0);
}

// Reads one reported height; false at end of stream.
bool readHeight(int fd, std::uint64_t& h) {
    std::size_t got = 0;
    auto* p = reinterpret_cast<char*>(&h);
    while (got < sizeof h) {
        const ssize_t n = ::read(fd, p + got, sizeof h - got);
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
    }
    return true;
}

// Version h writes h into both "a" and "b" (and one filler key).
StateChanges pairedBlock(std::uint64_t h) {
    StateChanges c;
    const Bytes value = bytesOf(std::to_string(h));
    for (const char* key : {"a", "b"}) c.insert_or_assign(bytesOf(key), value);
    c.insert_or_assign(bytesOf("filler/" + std::to_string(h)), bytesOf("x"));
    return c;
}

std::map<Bytes, Bytes> readAll(const StateReader& r) {
    std::map<Bytes, Bytes> out;
    r.scan({}, {}, [&](ByteSpan k, ByteSpan v) {
        out.emplace(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
        return true;
    });
    return out;
}

}  // namespace

TEST_CASE(
    "a store killed with SIGKILL mid-commit, with or without an fsync per commit, reopens at the last "
    "reported height or the next one, with the replayed root",
    "[leveldb][crash]") {
    const bool deferred = GENERATE(false, true);
    INFO("deferred fsync " << deferred);
    TempDir dir("smt-crash");
    const std::string path = dir.path();
    MemoryStateStore replay;
    std::map<Bytes, Bytes> model;
    std::uint64_t reopenedAt = 0;

    for (int round = 0; round < 4; ++round) {
        INFO("round " << round);
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            commitForever(path, fds[1], deferred);
        }
        ::close(fds[1]);
        // Let the child get some commits past where it started, then kill it
        // at whatever instant it has reached.
        const std::uint64_t killAfter = reopenedAt + 10 + static_cast<std::uint64_t>(round) * 7;
        std::uint64_t last = reopenedAt;
        std::uint64_t h = 0;
        while (last < killAfter && readHeight(fds[0], h)) last = h;
        REQUIRE(last >= killAfter);
        REQUIRE(::kill(pid, SIGKILL) == 0);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK(WIFSIGNALED(status));
        while (readHeight(fds[0], h)) last = h;  // heights reported before the kill
        ::close(fds[0]);

        auto store = LevelDbStateStore::open(path);
        REQUIRE(store.hasValue());
        const std::uint64_t at = (*store)->latestVersion();
        CHECK((at == last || at == last + 1));
        while (replay.latestVersion() < at) {
            const std::uint64_t next = replay.latestVersion() + 1;
            const StateChanges c = crashBlock(next);
            agora::test::applyTo(model, c);
            REQUIRE(replay.commit(next, c).hasValue());
        }
        CHECK((*store)->root(at).value() == replay.root(at).value());
        auto snap = (*store)->snapshot();
        CHECK(snap->root() == replay.root(at).value());
        CHECK(readAll(*snap) == model);
        reopenedAt = at;
    }
}

TEST_CASE("concurrent LevelDB snapshots each see one whole version, never a mix", "[leveldb][threads]") {
    TempDir dir("smt-mix");
    auto opened = LevelDbStateStore::open(dir.path());
    REQUIRE(opened.hasValue());
    LevelDbStateStore& store = **opened;
    // Every version writes the same height into two keys and the latest root
    // under a third, so a reader that mixes versions sees them disagree.
    std::atomic<bool> done{false};
    std::atomic<int> mixed{0};
    std::atomic<int> reads{0};
    std::thread reader([&] {
        do {
            auto snap = store.snapshot();
            const auto a = snap->get(asBytes("a"));
            const auto b = snap->get(asBytes("b"));
            if (a != b) ++mixed;
            if (a && *a != bytesOf(std::to_string(snap->version()))) ++mixed;
            auto root = store.root(snap->version());
            if (!root || *root != snap->root()) ++mixed;
            ++reads;
        } while (!done.load());
    });
    while (reads.load() == 0) std::this_thread::yield();  // the reader is running before commits start
    for (std::uint64_t h = 1; h <= 200; ++h) {
        REQUIRE(store.commit(h, pairedBlock(h)).hasValue());
    }
    done = true;
    reader.join();
    CHECK(mixed.load() == 0);
}
