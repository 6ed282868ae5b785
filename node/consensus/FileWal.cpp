#include "node/consensus/FileWal.h"

#include <cryptopp/crc.h>
#include <cerrno>

namespace agora::node {

namespace {
constexpr std::size_t kHeader = 8;
constexpr std::uint32_t kMaxRecord = 16 * 1024 * 1024;

std::string walError(const FileError& e) {
    return "wal: " + e.message;
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

Expected<std::pair<FileWal, FileWal::Opened>, std::string> FileWal::open(const std::filesystem::path& path,
                                                                         FileSystem& fs) {
    auto existed = fs.exists(path);
    if (!existed) return Unexpected(walError(existed.error()));
    auto file = fs.open(path, OpenMode::ReadWrite);
    if (!file) return Unexpected(walError(file.error()));
    if (!*existed) {
        // A new log's directory entry must be durable before anything in it
        // counts as durable (fdatasync of the file does not sync the directory).
        if (auto ok = fs.syncDir(path.parent_path()); !ok) return Unexpected(walError(ok.error()));
    }
    auto read = (*file)->readAll();
    if (!read) return Unexpected(walError(read.error()));
    const Bytes& content = *read;
    FileWal wal(path, std::move(*file));
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
        if (auto ok = wal.file_->truncate(pos); !ok) return Unexpected(walError(ok.error()));
        if (auto ok = wal.file_->sync(); !ok) return Unexpected(walError(ok.error()));
    }
    wal.size_ = pos;
    return std::make_pair(std::move(wal), std::move(opened));
}

Expected<void, std::string> FileWal::append(const consensus::Input& input) {
    if (broken_) return Unexpected("wal: " + path_.string() + " failed earlier; refusing to append");
    const Bytes payload = encode(input);
    Bytes record(kHeader);
    const auto len = static_cast<std::uint32_t>(payload.size());
    const std::uint32_t crc = crc32c(payload);
    for (int i = 0; i < 4; ++i) {
        record[i] = static_cast<std::uint8_t>(len >> (24 - 8 * i));
        record[4 + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    }
    record.insert(record.end(), payload.begin(), payload.end());
    if (auto ok = file_->append(record); !ok) {
        broken_ = true;
        return Unexpected(walError(ok.error()));
    }
    if (auto ok = file_->sync(); !ok) {
        broken_ = true;  // never retried: the kernel may have dropped the pages
        return Unexpected(walError(ok.error()));
    }
    size_ += record.size();
    return {};
}

Expected<void, std::string> FileWal::resetForHeight() {
    if (broken_) return Unexpected("wal: " + path_.string() + " failed earlier; refusing to reset");
    if (auto ok = file_->truncate(0); !ok) {
        broken_ = true;
        return Unexpected(walError(ok.error()));
    }
    if (auto ok = file_->sync(); !ok) {
        broken_ = true;
        return Unexpected(walError(ok.error()));
    }
    size_ = 0;
    return {};
}

}  // namespace agora::node
