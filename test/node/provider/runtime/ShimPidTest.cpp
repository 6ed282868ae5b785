// shim.pid identifies the shim by pid and start time: a process inside exec,
// a zombie, a pid now held by another process and an old pid-only file.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "node/provider/runtime/ShimPid.h"
#include "support/TempDir.h"

using namespace agora::provider;

TEST_CASE("shim pid: a record written and read back names this live process", "[runtime][shim]") {
    agora::test::TempDir tmp{"shim-pid"};
    const auto self = ShimPid::of(::getpid());
    REQUIRE(self);
    CHECK(self->startTicks > 0);
    REQUIRE(self->write(tmp.path("shim.pid"), ".tmp"));
    const auto back = ShimPid::read(tmp.path("shim.pid"));
    REQUIRE(back);
    CHECK(back->pid == ::getpid());
    CHECK(back->startTicks == self->startTicks);
    CHECK(back->alive(tmp.path()));
}

TEST_CASE("shim pid: a live pid with another start time is somebody else", "[runtime][shim]") {
    ShimPid other{::getpid(), ShimPid::of(::getpid())->startTicks + 1};
    CHECK_FALSE(other.alive("/nowhere"));
}

TEST_CASE("shim pid: a zombie and a reaped child are not alive", "[runtime][shim]") {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) ::_exit(0);
    const auto rec = ShimPid::of(child);  // taken before it is reaped: running or already a zombie
    REQUIRE(rec);
    // Not reaped yet: a zombie once it has exited.
    siginfo_t info{};
    REQUIRE(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) == 0);
    CHECK(ShimPid::procStat(child)->state == 'Z');
    CHECK_FALSE(rec->alive("/nowhere"));
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK_FALSE(ShimPid::procStat(child));
    CHECK_FALSE(rec->alive("/nowhere"));
}

TEST_CASE("shim pid: a child that has not exec'd yet is alive by its start time, not by its command line",
          "[runtime][shim]") {
    int gate[2];
    REQUIRE(::pipe(gate) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(gate[1]);
        char c = 0;
        (void)!::read(gate[0], &c, 1);
        ::_exit(0);
    }
    const auto rec = ShimPid::of(child);
    REQUIRE(rec);
    // Its command line is the test binary's, not a shim's: only the start time can say it is the shim.
    CHECK(rec->alive("/no/such/service/dir"));
    ShimPid pidOnly{child, 0};
    CHECK_FALSE(pidOnly.alive("/no/such/service/dir"));
    ::close(gate[1]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    ::close(gate[0]);
    CHECK_FALSE(rec->alive("/no/such/service/dir"));
}

TEST_CASE("shim pid: an old pid-only file and garbage are read safely", "[runtime][shim]") {
    agora::test::TempDir tmp{"shim-pid"};
    {
        std::ofstream(tmp.path("old.pid")) << ::getpid() << "\n";
        std::ofstream(tmp.path("bad.pid")) << "garbage\n";
        std::ofstream(tmp.path("one.pid")) << "1 5\n";
    }
    const auto old = ShimPid::read(tmp.path("old.pid"));
    REQUIRE(old);
    CHECK(old->startTicks == 0);
    CHECK_FALSE(old->alive("/no/such/dir"));  // our command line has no --dir /no/such/dir
    CHECK_FALSE(ShimPid::read(tmp.path("bad.pid")));
    CHECK_FALSE(ShimPid::read(tmp.path("one.pid")));  // never init
    CHECK_FALSE(ShimPid::read(tmp.path("missing.pid")));
}
