#include "wallet/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "wallet/SecureRandom.h"

namespace agora::wallet {
namespace {

WalletError ioError(const std::string& what, const std::filesystem::path& p, int err) {
    return WalletError{WalletErrc::Io, what + " " + p.string() + ": " + std::strerror(err)};
}

bool writeAll(int fd, std::string_view content) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// 0, or the errno of the failed open/fsync/close.
int fsyncDir(const std::filesystem::path& dir) {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    const int err = ::fsync(fd) != 0 ? errno : 0;
    if (::close(fd) != 0 && err == 0) return errno;
    return err;
}

}  // namespace

Expected<void, WalletError> writeFileAtomic(const std::filesystem::path& path, std::string_view content,
                                            WriteMode mode) {
    const auto dir = path.parent_path();
    const auto rnd = secureRandomArray<6>();
    std::string suffix = ".tmp-";
    for (auto b : rnd) suffix += "0123456789abcdef"[b & 0x0F];
    const std::filesystem::path tmp = path.string() + suffix;

    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Unexpected(ioError("cannot create", tmp, errno));
    // The umask could only remove bits; make the mode exact anyway.
    ::fchmod(fd, 0600);
    if (!writeAll(fd, content) || ::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        return Unexpected(ioError("cannot write", tmp, err));
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return Unexpected(ioError("cannot close", tmp, err));
    }

    if (mode == WriteMode::CreateNew) {
        // link() fails with EEXIST instead of replacing: no race with a concurrent add.
        if (::link(tmp.c_str(), path.c_str()) != 0) {
            const int err = errno;
            ::unlink(tmp.c_str());
            if (err == EEXIST) return Unexpected(WalletError{WalletErrc::KeyExists, path.filename().string()});
            return Unexpected(ioError("cannot create", path, err));
        }
        ::unlink(tmp.c_str());
    } else {
        if (::rename(tmp.c_str(), path.c_str()) != 0) {
            const int err = errno;
            ::unlink(tmp.c_str());
            return Unexpected(ioError("cannot replace", path, err));
        }
    }
    // The new name is durable only once the directory is.
    if (const int err = fsyncDir(dir); err != 0) return Unexpected(ioError("cannot sync directory", dir, err));
    return {};
}

Expected<std::string, WalletError> readSmallFile(const std::filesystem::path& path, std::size_t maxBytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return Unexpected(ioError("cannot open", path, errno));
    }
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            return Unexpected(ioError("cannot read", path, err));
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > maxBytes) {
            ::close(fd);
            return Unexpected(WalletError{WalletErrc::CorruptKeyFile, path.string() + " is too large"});
        }
    }
    ::close(fd);
    return out;
}

}  // namespace agora::wallet
