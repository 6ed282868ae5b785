#include "node/consensus/FileWal.h"

#include <cerrno>
#include <cryptopp/crc.h>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace agora::node {

namespace {
constexpr std::size_t kHeader = 8;
constexpr std::uint32_t kMaxRecord = 16 * 1024 * 1024;

std::string sysError(const std::string& what, const std::filesystem::path& p) {
    return "wal: " + what + " " + p.string() + ": " + std::strerror(errno);
}

bool writeAll(int fd, const std::uint8_t* data, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
}  // namespace

std::uint32_t crc32c(ByteSpan data) {
    CryptoPP::CRC32C crc;
    crc.Update(data.data(), data.size());
    std::uint8_t out[4];
    crc.Final(out);  // little-endian register bytes
    return std::uint32_t{out[0]} | (std::uint32_t{out[1]} << 8) | (std::uint32_t{out[2]} << 16) |
           (std::uint32_t{out[3]} << 24);
}

FileWal::~FileWal() {
    if (fd_ >= 0) ::close(fd_);
}

FileWal::FileWal(FileWal&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_), size_(other.size_) {
    other.fd_ = -1;
}

Expected<std::pair<FileWal, FileWal::Opened>, std::string> FileWal::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Unexpected(sysError("cannot open", path));
    FileWal wal(path, fd, 0);
    Bytes content;
    std::uint8_t buf[65536];
    for (;;) {
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR) continue;
            return Unexpected(sysError("cannot read", path));
        }
        if (r == 0) break;
        content.insert(content.end(), buf, buf + r);
    }
    Opened opened;
    std::size_t pos = 0;
    while (content.size() - pos >= kHeader) {
        const std::uint32_t len = be32(&content[pos]);
        const std::uint32_t crc = be32(&content[pos + 4]);
        if (len > kMaxRecord || content.size() - pos - kHeader < len) break;
        const ByteSpan payload(content.data() + pos + kHeader, len);
        if (crc32c(payload) != crc) break;
        auto input = decode<consensus::Input>(payload);
        if (!input) break;
        opened.entries.push_back(std::move(*input));
        pos += kHeader + len;
    }
    opened.droppedBytes = content.size() - pos;
    if (opened.droppedBytes > 0) {
        if (::ftruncate(fd, static_cast<off_t>(pos)) != 0 || ::fsync(fd) != 0)
            return Unexpected(sysError("cannot cut torn tail of", path));
    }
    if (::lseek(fd, static_cast<off_t>(pos), SEEK_SET) < 0) return Unexpected(sysError("cannot seek", path));
    wal.size_ = pos;
    return std::make_pair(std::move(wal), std::move(opened));
}

Expected<void, std::string> FileWal::append(const consensus::Input& input) {
    const Bytes payload = encode(input);
    Bytes record(kHeader);
    const auto len = static_cast<std::uint32_t>(payload.size());
    const std::uint32_t crc = crc32c(payload);
    for (int i = 0; i < 4; ++i) {
        record[i] = static_cast<std::uint8_t>(len >> (24 - 8 * i));
        record[4 + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    }
    record.insert(record.end(), payload.begin(), payload.end());
    if (!writeAll(fd_, record.data(), record.size())) return Unexpected(sysError("cannot append to", path_));
    if (::fdatasync(fd_) != 0) return Unexpected(sysError("cannot sync", path_));
    size_ += record.size();
    return {};
}

Expected<void, std::string> FileWal::resetForHeight() {
    if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) < 0 || ::fsync(fd_) != 0)
        return Unexpected(sysError("cannot reset", path_));
    size_ = 0;
    return {};
}

}  // namespace agora::node
