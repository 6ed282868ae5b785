#pragma once
// The consensus write-ahead log on disk (data/consensus.wal).
//
// Record format: u32 payload length (big-endian) || u32 CRC-32C of the
// payload (big-endian) || payload (a canonical consensus::Input).
// append() writes one record and fdatasyncs before returning, so an input is
// durable before the engine's actions for it run. A crash can leave a torn
// last record: open() keeps every complete, checksummed record and cuts the
// file after the last good one. resetForHeight() empties the log once the
// state a new height starts from is persisted (older entries are never
// replayed: replay filters by height anyway).
//
// Durability: a new log file is made durable in its directory (directory
// fsync) before open() returns. Every failure is returned; a failed append or
// reset leaves the log unusable and the caller must halt (the driver does):
// a failed fdatasync is never retried (docs/crash-consistency.md).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "consensus/engine/Input.h"
#include "node/base/FileSystem.h"

namespace agora::node {

class FileWal {
public:
    struct Opened {
        std::vector<consensus::Input> entries;  // every good record, in order
        std::uint64_t droppedBytes = 0;         // torn/corrupt tail that was cut off
    };

    FileWal(const FileWal&) = delete;
    FileWal& operator=(const FileWal&) = delete;
    FileWal(FileWal&& other) noexcept = default;

    static Expected<std::pair<FileWal, Opened>, std::string> open(const std::filesystem::path& path,
                                                                  FileSystem& fs = posixFileSystem());

    Expected<void, std::string> append(const consensus::Input& input);
    Expected<void, std::string> resetForHeight();
    std::uint64_t sizeBytes() const { return size_; }

private:
    FileWal(std::filesystem::path path, std::unique_ptr<File> file) : path_(std::move(path)), file_(std::move(file)) {}
    std::filesystem::path path_;
    std::unique_ptr<File> file_;
    std::uint64_t size_ = 0;
    bool broken_ = false;  // a write or sync failed: the file's state is unknown
};

std::uint32_t crc32c(ByteSpan data);

}  // namespace agora::node
