#pragma once
// The captured stdout+stderr of one service, capped in size, with stable
// logical offsets (docs/provider-runtime.md "Logs").
//
// Files in the service dir: `log` (the newest bytes, appended), `log.1` (the
// bytes just before), `log.start` (the logical offset of the first byte of
// `log`: every byte the service ever wrote before it, kept in log.1 or
// dropped) and `log.lock` (flock: a reader never sees a half-done rotation).
// When `log` reaches half the cap it becomes `log.1` (the old log.1 is
// dropped), so between half the cap and the cap of the newest output is kept.
//
// One writer (the shim); any number of readers in other processes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "consensus/core/Expected.h"
#include "node/provider/runtime/Runtime.h"

namespace agora::provider {

class ServiceLog {
public:
    // Opens (creating) the log of `dir` for appending; capBytes >= 2.
    ServiceLog(std::string dir, std::uint64_t capBytes);
    ~ServiceLog();
    ServiceLog(const ServiceLog&) = delete;
    ServiceLog& operator=(const ServiceLog&) = delete;

    void append(std::span<const std::uint8_t> bytes);
    void append(std::string_view text);
    // Logical offset one past the last byte written.
    std::uint64_t endOffset() const { return logStart_ + logSize_; }

    // Up to maxBytes from logical offset `offset`; an offset before the
    // oldest kept byte starts there and sets truncatedBefore.
    static Expected<LogChunk, std::string> read(const std::string& dir, std::uint64_t offset, std::size_t maxBytes);
    // Where the last `lines` lines start (a final newline ends the last line).
    static Expected<std::uint64_t, std::string> tailOffset(const std::string& dir, std::size_t lines);

private:
    void rotate();
    void writeStart();

    std::string dir_;
    std::uint64_t halfCap_;
    int fd_ = -1;
    std::uint64_t logStart_ = 0;
    std::uint64_t logSize_ = 0;
};

// A service's log as the Runtime interface answers for it (both runtimes
// keep one ServiceLog dir per service): NotFound when the service has no
// dir, nothing yet before the service has written.
Expected<LogChunk, RuntimeError> readServiceLog(const std::string& serviceDir, std::uint64_t leaseId,
                                                const std::string& service, std::uint64_t offset, std::size_t maxBytes);
Expected<std::uint64_t, RuntimeError> serviceLogTailOffset(const std::string& serviceDir, std::uint64_t leaseId,
                                                           const std::string& service, std::size_t lines);

}  // namespace agora::provider
