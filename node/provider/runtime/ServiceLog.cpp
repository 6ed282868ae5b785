#include "node/provider/runtime/ServiceLog.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace agora::provider {

namespace {

// Reads larger than this are cut: a log chunk travels in one RPC message.
constexpr std::size_t kMaxReadBytes = 4 * 1024 * 1024;

std::uint64_t readStart(const std::string& dir) {
    std::ifstream in(dir + "/log.start");
    std::uint64_t v = 0;
    in >> v;
    return in ? v : 0;
}

class FileLock {
public:
    FileLock(const std::string& path, int operation) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        if (fd_ >= 0) ::flock(fd_, operation);
    }
    ~FileLock() {
        if (fd_ >= 0) ::close(fd_);  // closing releases the lock
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_;
};

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    std::uint64_t size() const {
        struct stat st {};
        return fd_ >= 0 && ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    }

private:
    int fd_;
};

// The kept bytes as two files, pinned by open descriptors so a rotation after
// the snapshot changes nothing for this reader.
struct KeptLog {
    std::unique_ptr<Fd> previous;  // log.1, may be absent (-1)
    std::unique_ptr<Fd> current;   // log
    std::uint64_t previousStart = 0;
    std::uint64_t currentStart = 0;
    std::uint64_t end = 0;
};

KeptLog snapshot(const std::string& dir) {
    FileLock lock(dir + "/log.lock", LOCK_SH);
    KeptLog k;
    k.currentStart = readStart(dir);
    k.previous = std::make_unique<Fd>(::open((dir + "/log.1").c_str(), O_RDONLY | O_CLOEXEC));
    k.current = std::make_unique<Fd>(::open((dir + "/log").c_str(), O_RDONLY | O_CLOEXEC));
    const std::uint64_t previousSize = k.previous->size();
    k.previousStart = k.currentStart >= previousSize ? k.currentStart - previousSize : 0;
    k.end = k.currentStart + k.current->size();
    return k;
}

// Appends [from, to) of the file `fd` (whose first byte is logical offset fileStart) to out.
bool readRange(const Fd& fd, std::uint64_t fileStart, std::uint64_t from, std::uint64_t to, std::string& out) {
    while (from < to) {
        char buf[65536];
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buf, to - from));
        const ssize_t n = ::pread(fd.get(), buf, want, static_cast<off_t>(from - fileStart));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out.append(buf, static_cast<std::size_t>(n));
        from += static_cast<std::uint64_t>(n);
    }
    return true;
}

std::string readKept(const KeptLog& k, std::uint64_t from, std::uint64_t to) {
    std::string out;
    if (from < k.currentStart && k.previous->get() >= 0) {
        if (!readRange(*k.previous, k.previousStart, from, std::min(to, k.currentStart), out)) return out;
    }
    const std::uint64_t currentFrom = std::max(from, k.currentStart);
    if (currentFrom < to && k.current->get() >= 0) readRange(*k.current, k.currentStart, currentFrom, to, out);
    return out;
}

}  // namespace

ServiceLog::ServiceLog(std::string dir, std::uint64_t capBytes)
    : dir_(std::move(dir)), halfCap_(std::max<std::uint64_t>(capBytes / 2, 1)) {
    logStart_ = readStart(dir_);
    fd_ = ::open((dir_ + "/log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat st {};
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0) logSize_ = static_cast<std::uint64_t>(st.st_size);
}

ServiceLog::~ServiceLog() {
    if (fd_ >= 0) ::close(fd_);
}

void ServiceLog::append(std::string_view text) {
    append(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void ServiceLog::append(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
        if (logSize_ >= halfCap_) rotate();
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), halfCap_ - logSize_));
        std::size_t done = 0;
        while (done < n) {
            const ssize_t w = ::write(fd_, bytes.data() + done, n - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) break;
            done += static_cast<std::size_t>(w);
        }
        // A full disk loses output rather than blocking the service on its pipe;
        // the offsets still count the lost bytes so readers stay consistent.
        logSize_ += n;
        bytes = bytes.subspan(n);
    }
}

void ServiceLog::rotate() {
    FileLock lock(dir_ + "/log.lock", LOCK_EX);
    if (fd_ >= 0) ::close(fd_);
    ::rename((dir_ + "/log").c_str(), (dir_ + "/log.1").c_str());
    fd_ = ::open((dir_ + "/log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    logStart_ += logSize_;
    logSize_ = 0;
    writeStart();
}

void ServiceLog::writeStart() {
    const std::string tmp = dir_ + "/log.start.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << logStart_ << "\n";
    }
    ::rename(tmp.c_str(), (dir_ + "/log.start").c_str());
}

Expected<LogChunk, std::string> ServiceLog::read(const std::string& dir, std::uint64_t offset, std::size_t maxBytes) {
    const KeptLog k = snapshot(dir);
    if (k.current->get() < 0 && k.previous->get() < 0) return Unexpected("no log in " + dir);
    LogChunk chunk;
    chunk.truncatedBefore = offset < k.previousStart;
    const std::uint64_t from = std::min(std::max(offset, k.previousStart), k.end);
    const std::uint64_t to = std::min<std::uint64_t>(k.end, from + std::min(maxBytes, kMaxReadBytes));
    chunk.data = readKept(k, from, to);
    chunk.nextOffset = from + chunk.data.size();
    return chunk;
}

Expected<std::uint64_t, std::string> ServiceLog::tailOffset(const std::string& dir, std::size_t lines) {
    const KeptLog k = snapshot(dir);
    if (k.current->get() < 0 && k.previous->get() < 0) return Unexpected("no log in " + dir);
    if (lines == 0) return k.end;
    // The kept bytes are at most the cap (8 MiB by default): one read is fine.
    const std::string kept = readKept(k, k.previousStart, k.end);
    std::size_t pos = kept.size();
    if (pos > 0 && kept[pos - 1] == '\n') --pos;  // the final newline ends the last line, it does not start one
    std::size_t found = 0;
    while (pos > 0) {
        if (kept[pos - 1] == '\n' && ++found == lines) return k.previousStart + pos;
        --pos;
    }
    return k.previousStart;
}

namespace {
bool serviceExists(const std::string& serviceDir, const std::string& service) {
    struct stat st {};
    return validServiceName(service) && ::stat(serviceDir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
RuntimeError noService(std::uint64_t leaseId, const std::string& service) {
    return RuntimeError{RuntimeErrorCode::NotFound, "no service " + service + " in lease " + std::to_string(leaseId)};
}
}  // namespace

Expected<LogChunk, RuntimeError> readServiceLog(const std::string& serviceDir, std::uint64_t leaseId,
                                                const std::string& service, std::uint64_t offset,
                                                std::size_t maxBytes) {
    if (!serviceExists(serviceDir, service)) return Unexpected(noService(leaseId, service));
    auto chunk = ServiceLog::read(serviceDir, offset, maxBytes);
    if (!chunk) return LogChunk{};  // nothing written yet
    return *chunk;
}

Expected<std::uint64_t, RuntimeError> serviceLogTailOffset(const std::string& serviceDir, std::uint64_t leaseId,
                                                           const std::string& service, std::size_t lines) {
    if (!serviceExists(serviceDir, service)) return Unexpected(noService(leaseId, service));
    auto offset = ServiceLog::tailOffset(serviceDir, lines);
    return offset ? *offset : std::uint64_t{0};
}

}  // namespace agora::provider
