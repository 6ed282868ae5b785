#pragma once
// FileSystem: the few file operations behind the node's own durable files
// (the consensus WAL, the signer state), so that one implementation can be
// swapped in for tests. Production uses posixFileSystem(): a virtual call in
// front of the system call. The power-loss test (docs/crash-consistency.md)
// puts a fault injector here and, through DatabaseOptions::env, under LevelDB.
//
// Contract: every call reports failure with a message naming the operation,
// the path and strerror(errno), and errnum. A failed sync() leaves the file
// in an unknown state (the kernel may have dropped the dirty pages and
// cleared the error, "fsyncgate"): callers must not retry it and must not go
// on as if the data were durable; the node halts.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"

namespace agora::node {

struct FileError {
    int errnum = 0;       // errno of the failed call
    std::string message;  // "<operation> <path>: <strerror>"
};

// An open regular file, written only at its end.
class File {
public:
    virtual ~File() = default;
    // The whole content from offset 0 (the file is small: WAL of one height, signer state).
    virtual Expected<Bytes, FileError> readAll() = 0;
    // Writes all of data at the end of the file (retrying short writes).
    virtual Expected<void, FileError> append(ByteSpan data) = 0;
    // fdatasync: the data written so far, and the size, are durable.
    virtual Expected<void, FileError> sync() = 0;
    // Cuts the file to size bytes; the next append goes there. Not durable until sync().
    virtual Expected<void, FileError> truncate(std::uint64_t size) = 0;
    virtual std::uint64_t size() const = 0;
    // Closes the descriptor (reporting a failed close()); the destructor closes silently.
    virtual Expected<void, FileError> close() = 0;
};

enum class OpenMode {
    ReadWrite,       // open an existing file, or create an empty one
    CreateTruncate,  // create, or empty an existing one (temporary files)
};

class FileSystem {
public:
    virtual ~FileSystem() = default;
    // Files are created with mode 0600. Creating a file is not durable until
    // the parent directory is synced (syncDir).
    virtual Expected<std::unique_ptr<File>, FileError> open(const std::filesystem::path& path, OpenMode mode) = 0;
    // Whether path names an existing file; an error other than "missing" is an error.
    virtual Expected<bool, FileError> exists(const std::filesystem::path& path) = 0;
    // rename(2): atomic replace of `to`; durable once the directory is synced.
    virtual Expected<void, FileError> rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
    virtual Expected<void, FileError> remove(const std::filesystem::path& path) = 0;
    // fsync of the directory: creations, renames and removals in it are durable.
    virtual Expected<void, FileError> syncDir(const std::filesystem::path& dir) = 0;
};

// The real one (POSIX system calls). Thread-safe, stateless.
FileSystem& posixFileSystem();

// Replaces path's content atomically and durably: writes `path.tmp`, syncs
// it, closes it, renames it over path, syncs the directory. After a crash at
// any instant path holds the old content or the new one; once this returns,
// the new content survives a power loss. Any failed step is returned (and
// the caller must treat a failed sync as fatal).
Expected<void, FileError> replaceFileDurably(FileSystem& fs, const std::filesystem::path& path, ByteSpan content);

// The whole file, nullopt when it does not exist; an error when larger than maxBytes.
Expected<std::optional<Bytes>, FileError> readSmallFile(FileSystem& fs, const std::filesystem::path& path,
                                                        std::size_t maxBytes);

}  // namespace agora::node
