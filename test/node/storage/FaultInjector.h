#pragma once
// FaultInjector: one file layer for LevelDB (a leveldb::Env) and for the
// node's own files (a node::FileSystem) that can lose power or fail an
// operation with an errno at a chosen instant. Modelled on LevelDB's
// fault_injection_test.cc, extended to renames, removals and truncations.
//
// Every mutating operation (create, append, flush, sync, truncate, close,
// rename, remove, directory sync) is numbered 1, 2, 3, ... and runs under
// one lock, so a crash instant is "before operation N" and nothing else
// touches the files meanwhile. What survives a power loss:
//
//  - file data: each file keeps what its last sync made durable plus a
//    seeded random prefix of what was written after (the page cache may have
//    written some of it back); an unsynced truncation may or may not have
//    reached the disk;
//  - directory entries: creations, renames and removals since the
//    directory's last sync are undone, newest first, except a seeded random
//    prefix of them (metadata is journalled in order). A directory sync makes
//    them durable. LevelDB's files get the one relaxation LevelDB relies on
//    (and its own fault-injection test assumes): syncing a file makes its
//    own creation durable, and syncing a MANIFEST syncs the directory, as
//    LevelDB's POSIX Env does. The node's own files get no relaxation.
//
// losePower() applies this to the real files; the test then _exits the
// process (a forked child) so nothing in memory survives either, and
// reopens the directory with a clean file layer. With stayAlive the process
// goes on (other nodes share it, PowerLossNetworkTest): the injector is
// dead from the cut on, every later mutating operation fails with EIO and
// leaves the files alone, and the test discards the node's objects before
// reopening its directory.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <leveldb/env.h>

#include "node/base/FileSystem.h"

namespace agora::test {

enum class FaultKind {
    None,
    PowerLoss,  // before operation atOp: drop what is not durable, run beforeExit, _exit(kPowerLossExit)
    FailWrite,  // the first append/flush at or after operation atOp fails with errnum (once)
    FailSync,   // the first sync (file or directory) at or after operation atOp fails with errnum (once)
};

struct FaultPlan {
    FaultKind kind = FaultKind::None;
    std::uint64_t atOp = 0;
    int errnum = 5;          // EIO
    std::uint64_t seed = 0;  // which unsynced data and directory entries survive a power loss
    // Runs after the files were cut, before _exit (or, with stayAlive, before
    // the operation fails); receives the operation that was not done. Runs
    // under the injector's lock: it must not touch the injector's files.
    std::function<void(const std::string&)> beforeExit;
    // PowerLoss without _exit: from the cut on every mutating operation fails
    // with EIO and changes nothing on disk.
    bool stayAlive = false;
    // PowerLoss only: when not empty, atOp counts only the operations whose
    // description ("append /path", "sync directory /path", ...) contains it,
    // so a test can aim at one file's operations (e.g. "chain.db").
    std::string onlyMatching;
};

class FaultInjector {
public:
    static constexpr int kPowerLossExit = 77;

    // stashDir: a directory on the same file system, outside the node's
    // directories, where replaced and removed files wait until their
    // directory is synced (so a power loss can bring them back).
    FaultInjector(std::filesystem::path stashDir, FaultPlan plan);
    ~FaultInjector();
    FaultInjector(const FaultInjector&) = delete;
    FaultInjector& operator=(const FaultInjector&) = delete;

    leveldb::Env* env();
    node::FileSystem& fs();

    // Replaces the plan; its atOp counts from now (1 = the next operation, or
    // the next one matching plan.onlyMatching), so a running node can be
    // given its crash instant once it reached the state a test wants.
    void arm(FaultPlan plan);

    // Operations numbered so far.
    std::uint64_t operations() const;
    // The injected failure ("sync /path: Input/output error"), if it happened.
    std::optional<std::string> injected() const;
    // Write and sync operations that succeeded after the injected failure.
    std::vector<std::string> writesAfterFailure() const;

    class Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace agora::test
