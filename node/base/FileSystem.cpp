#include "node/base/FileSystem.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace agora::node {

namespace {

FileError sysError(const char* what, const std::filesystem::path& path) {
    const int err = errno;
    return FileError{err, std::string(what) + " " + path.string() + ": " + std::strerror(err)};
}

class PosixFile final : public File {
public:
    PosixFile(std::filesystem::path path, int fd, std::uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
    ~PosixFile() override {
        if (fd_ >= 0) ::close(fd_);
    }
    PosixFile(const PosixFile&) = delete;
    PosixFile& operator=(const PosixFile&) = delete;

    Expected<Bytes, FileError> readAll() override {
        Bytes out;
        std::uint8_t buf[65536];
        for (off_t at = 0;;) {
            const ssize_t r = ::pread(fd_, buf, sizeof buf, at);
            if (r < 0) {
                if (errno == EINTR) continue;
                return Unexpected(sysError("cannot read", path_));
            }
            if (r == 0) break;
            out.insert(out.end(), buf, buf + r);
            at += r;
        }
        return out;
    }

    Expected<void, FileError> append(ByteSpan data) override {
        std::size_t done = 0;
        while (done < data.size()) {
            const ssize_t w = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(size_ + done));
            if (w < 0) {
                if (errno == EINTR) continue;
                return Unexpected(sysError("cannot write", path_));
            }
            done += static_cast<std::size_t>(w);
        }
        size_ += done;
        return {};
    }

    Expected<void, FileError> sync() override {
        if (::fdatasync(fd_) != 0) return Unexpected(sysError("cannot sync", path_));
        return {};
    }

    Expected<void, FileError> truncate(std::uint64_t size) override {
        if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Unexpected(sysError("cannot truncate", path_));
        size_ = size;
        return {};
    }

    std::uint64_t size() const override { return size_; }

    Expected<void, FileError> close() override {
        const int fd = fd_;
        fd_ = -1;
        if (fd >= 0 && ::close(fd) != 0) return Unexpected(sysError("cannot close", path_));
        return {};
    }

private:
    std::filesystem::path path_;
    int fd_;
    std::uint64_t size_;
};

class PosixFileSystem final : public FileSystem {
public:
    Expected<std::unique_ptr<File>, FileError> open(const std::filesystem::path& path, OpenMode mode) override {
        int flags = O_RDWR | O_CREAT | O_CLOEXEC;
        if (mode == OpenMode::CreateTruncate) flags |= O_TRUNC;
        const int fd = ::open(path.c_str(), flags, 0600);
        if (fd < 0) return Unexpected(sysError("cannot open", path));
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            auto err = sysError("cannot stat", path);
            ::close(fd);
            return Unexpected(std::move(err));
        }
        return std::unique_ptr<File>(new PosixFile(path, fd, static_cast<std::uint64_t>(st.st_size)));
    }

    Expected<bool, FileError> exists(const std::filesystem::path& path) override {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0) return true;
        if (errno == ENOENT) return false;
        return Unexpected(sysError("cannot stat", path));
    }

    Expected<void, FileError> rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
        if (::rename(from.c_str(), to.c_str()) != 0) return Unexpected(sysError("cannot rename to", to));
        return {};
    }

    Expected<void, FileError> remove(const std::filesystem::path& path) override {
        if (::unlink(path.c_str()) != 0) return Unexpected(sysError("cannot remove", path));
        return {};
    }

    Expected<void, FileError> syncDir(const std::filesystem::path& dir) override {
        const std::filesystem::path d = dir.empty() ? std::filesystem::path(".") : dir;
        const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return Unexpected(sysError("cannot open directory", d));
        if (::fsync(fd) != 0) {
            auto err = sysError("cannot sync directory", d);
            ::close(fd);
            return Unexpected(std::move(err));
        }
        if (::close(fd) != 0) return Unexpected(sysError("cannot close directory", d));
        return {};
    }
};

}  // namespace

FileSystem& posixFileSystem() {
    static PosixFileSystem fs;
    return fs;
}

Expected<void, FileError> replaceFileDurably(FileSystem& fs, const std::filesystem::path& path, ByteSpan content) {
    // One writer per path (the node holds the database lock), so a fixed
    // temporary name is safe; a stale one from a crash is truncated here.
    const std::filesystem::path tmp = path.string() + ".tmp";
    auto file = fs.open(tmp, OpenMode::CreateTruncate);
    if (!file) return Unexpected(file.error());
    // Data durable before the rename can expose it under the real name.
    if (auto ok = (*file)->append(content); !ok) return ok;
    if (auto ok = (*file)->sync(); !ok) return ok;
    if (auto ok = (*file)->close(); !ok) return ok;
    if (auto ok = fs.rename(tmp, path); !ok) return ok;
    // The rename durable before the caller acts on the new content.
    return fs.syncDir(path.parent_path());
}

Expected<std::optional<Bytes>, FileError> readSmallFile(FileSystem& fs, const std::filesystem::path& path,
                                                        std::size_t maxBytes) {
    auto present = fs.exists(path);
    if (!present) return Unexpected(present.error());
    if (!*present) return std::optional<Bytes>{};
    auto file = fs.open(path, OpenMode::ReadWrite);
    if (!file) return Unexpected(file.error());
    if ((*file)->size() > maxBytes)
        return Unexpected(FileError{EFBIG, path.string() + " is larger than " + std::to_string(maxBytes) + " bytes"});
    auto content = (*file)->readAll();
    if (!content) return Unexpected(content.error());
    if (auto ok = (*file)->close(); !ok) return Unexpected(ok.error());
    return std::optional<Bytes>(std::move(*content));
}

}  // namespace agora::node
