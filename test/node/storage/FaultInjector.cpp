#include "test/node/storage/FaultInjector.h"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/TestRng.h"

namespace agora::test {

namespace {

enum class OpKind { Write, Sync, Meta };

std::string dirOf(const std::string& path) {
    return std::filesystem::path(path).parent_path().string();
}

std::string baseOf(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

// LevelDB's info log is not part of the database's state; it is left alone.
bool isInfoLog(const std::string& path) {
    const auto base = baseOf(path);
    return base == "LOG" || base == "LOG.old";
}

std::uint64_t realSize(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

bool fileExists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// What the tracker knows about one file (one inode), under its current name.
struct FileState {
    std::string path;
    std::uint64_t size = 0;               // bytes written, as the writer sees them
    std::uint64_t synced = 0;             // durable length (when no unsynced truncation cut into it)
    std::optional<Bytes> beforeTruncate;  // durable content an unsynced truncation cut into
    std::uint64_t truncatedTo = 0;
    bool leveldb = false;  // a LevelDB file: its sync makes its creation durable
};

struct DirOp {
    enum class Kind { Create, Rename, Remove } kind;
    std::string path;   // Create: the new name; Rename: the target; Remove: the removed name
    std::string from;   // Rename: the source
    std::string stash;  // Rename: the replaced target's inode; Remove: the removed inode; "" = none
};

}  // namespace

class FaultInjector::Impl {
public:
    Impl(const std::filesystem::path& stashDir, FaultPlan plan) : plan_(std::move(plan)) {
        // A directory per injector: stashes a crashed process left behind are never reused.
        static std::atomic<int> instances{0};
        stashDir_ = stashDir / ("p" + std::to_string(::getpid()) + "-" + std::to_string(instances++));
        std::filesystem::create_directories(stashDir_);
    }

    ~Impl() {
        {
            std::lock_guard lock(bgMu_);
            bgStop_ = true;
        }
        bgCv_.notify_all();
        if (bg_.joinable()) bg_.join();
    }

    // Every mutating operation starts here with mu_ held. Returns the errno to
    // fail the operation with (0: go ahead); a power loss does not return,
    // unless the plan says stayAlive: then this and every later operation
    // fail with EIO.
    int gate(OpKind kind, const std::string& what) {
        if (dead_) return EIO;  // the power is off: nothing reaches the files any more
        ++ops_;
        if (plan_.kind == FaultKind::PowerLoss && !plan_.onlyMatching.empty()) {
            if (what.find(plan_.onlyMatching) != std::string::npos) ++matching_;
        } else {
            matching_ = ops_;
        }
        if (plan_.kind == FaultKind::PowerLoss && matching_ == plan_.atOp) {
            losePowerLocked();
            if (plan_.beforeExit) plan_.beforeExit("operation " + std::to_string(ops_) + ": " + what);
            if (!plan_.stayAlive) ::_exit(kPowerLossExit);
            dead_ = true;
            return EIO;
        }
        const bool failWrite = plan_.kind == FaultKind::FailWrite && kind == OpKind::Write;
        const bool failSync = plan_.kind == FaultKind::FailSync && kind == OpKind::Sync;
        if (!injected_ && ops_ >= plan_.atOp && (failWrite || failSync)) {
            injected_ = what + ": " + std::strerror(plan_.errnum);
            return plan_.errnum;
        }
        if (injected_ && kind != OpKind::Meta) after_.push_back(what);
        return 0;
    }

    std::shared_ptr<FileState> track(const std::string& path, bool leveldb) {
        auto& s = files_[path];
        if (!s) {
            s = std::make_shared<FileState>();
            s->path = path;
            s->size = s->synced = realSize(path);
            s->truncatedTo = s->size;
            s->leveldb = leveldb;
        }
        return s;
    }

    std::string newStashName() { return (stashDir_ / ("stash-" + std::to_string(++stashCount_))).string(); }

    void moveState(const std::string& from, const std::string& to) {
        auto it = files_.find(from);
        if (it == files_.end()) return;
        auto s = it->second;
        files_.erase(it);
        s->path = to;
        files_[to] = s;
    }

    // A name about to be created or replaced by creation: the old inode goes
    // to the stash (durable removal only once the directory is synced).
    int stashExisting(const std::string& path) {
        if (!fileExists(path)) return 0;
        const auto stash = newStashName();
        if (::rename(path.c_str(), stash.c_str()) != 0) return errno;
        moveState(path, stash);
        pending_[dirOf(path)].push_back({DirOp::Kind::Remove, path, "", stash});
        return 0;
    }

    void created(const std::string& path, bool leveldb) {
        files_.erase(path);
        auto s = track(path, leveldb);
        s->size = s->synced = s->truncatedTo = 0;
        pending_[dirOf(path)].push_back({DirOp::Kind::Create, path, "", ""});
    }

    int renameLocked(const std::string& from, const std::string& to) {
        std::string stash;
        if (fileExists(to)) {
            stash = newStashName();
            if (::link(to.c_str(), stash.c_str()) != 0) return errno;
        }
        if (::rename(from.c_str(), to.c_str()) != 0) {
            const int err = errno;
            if (!stash.empty()) ::unlink(stash.c_str());
            return err;
        }
        if (!stash.empty()) moveState(to, stash);
        if (files_.count(from) == 0) track(from, false);  // untracked so far: durable as it is
        moveState(from, to);
        pending_[dirOf(to)].push_back({DirOp::Kind::Rename, to, from, stash});
        return 0;
    }

    int removeLocked(const std::string& path) {
        const auto stash = newStashName();
        if (::rename(path.c_str(), stash.c_str()) != 0) return errno;
        moveState(path, stash);
        pending_[dirOf(path)].push_back({DirOp::Kind::Remove, path, "", stash});
        return 0;
    }

    // The first `count` pending operations of dir are durable.
    void commitDir(const std::string& dir, std::size_t count) {
        auto it = pending_.find(dir);
        if (it == pending_.end()) return;
        auto& ops = it->second;
        count = std::min(count, ops.size());
        for (std::size_t i = 0; i < count; ++i) {
            if (!ops[i].stash.empty()) {
                ::unlink(ops[i].stash.c_str());
                files_.erase(ops[i].stash);
            }
        }
        ops.erase(ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(count));
    }

    void synced(FileState& s) {
        s.synced = s.size;
        s.truncatedTo = s.size;
        s.beforeTruncate.reset();
        if (!s.leveldb) return;
        const auto dir = dirOf(s.path);
        if (baseOf(s.path).rfind("MANIFEST-", 0) == 0) {  // PosixWritableFile::SyncDirIfManifest
            commitDir(dir, SIZE_MAX);
            return;
        }
        auto it = pending_.find(dir);
        if (it == pending_.end()) return;
        const auto& ops = it->second;
        for (std::size_t i = ops.size(); i-- > 0;) {
            if (ops[i].kind == DirOp::Kind::Create && ops[i].path == s.path) {
                commitDir(dir, i + 1);
                return;
            }
        }
    }

    int truncateLocked(FileState& s, std::uint64_t size) {
        if (size < s.synced && !s.beforeTruncate) {
            Bytes old(s.synced);
            const int fd = ::open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) return errno;
            const ssize_t r = ::pread(fd, old.data(), old.size(), 0);
            ::close(fd);
            if (r != static_cast<ssize_t>(old.size())) return EIO;
            s.beforeTruncate = std::move(old);
        }
        if (::truncate(s.path.c_str(), static_cast<off_t>(size)) != 0) return errno;
        s.truncatedTo = std::min(s.truncatedTo, size);
        s.size = size;
        return 0;
    }

    void losePowerLocked() {
        TestRng rng(plan_.seed * 0x9E3779B97F4A7C15ULL + 17);
        for (auto& [path, s] : files_) {
            if (s->beforeTruncate && rng.chance(50)) {
                const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
                if (fd < 0) continue;
                if (::write(fd, s->beforeTruncate->data(), s->beforeTruncate->size()) < 0) {
                    // The child exits next; a failed restore shows as a failed check in the parent.
                }
                ::close(fd);
                continue;
            }
            const std::uint64_t floor = s->beforeTruncate ? s->truncatedTo : s->synced;
            const std::uint64_t onDisk = realSize(path);
            const std::uint64_t upper = std::min(s->size, onDisk);
            const std::uint64_t keep = upper > floor ? floor + rng.below(upper - floor + 1) : std::min(floor, onDisk);
            if (keep < onDisk && ::truncate(path.c_str(), static_cast<off_t>(keep)) != 0) {
                // As above: the parent's checks see whatever is left.
            }
        }
        for (auto& [dir, ops] : pending_) {
            const std::size_t kept = static_cast<std::size_t>(rng.below(ops.size() + 1));
            for (std::size_t i = ops.size(); i-- > kept;) {
                const auto& op = ops[i];
                switch (op.kind) {
                    case DirOp::Kind::Create:
                        ::unlink(op.path.c_str());
                        break;
                    case DirOp::Kind::Rename:
                        ::rename(op.path.c_str(), op.from.c_str());
                        if (!op.stash.empty()) ::rename(op.stash.c_str(), op.path.c_str());
                        break;
                    case DirOp::Kind::Remove:
                        ::rename(op.stash.c_str(), op.path.c_str());
                        break;
                }
            }
        }
    }

    // LevelDB's background work on a thread of our own: a forked child must
    // not depend on Env::Default()'s thread, which only the parent has.
    void schedule(void (*fn)(void*), void* arg) {
        std::lock_guard lock(bgMu_);
        bgQueue_.emplace_back(fn, arg);
        if (!bg_.joinable()) bg_ = std::thread([this] { backgroundLoop(); });
        bgCv_.notify_one();
    }

    void backgroundLoop() {
        std::unique_lock lock(bgMu_);
        for (;;) {
            bgCv_.wait(lock, [this] { return bgStop_ || !bgQueue_.empty(); });
            if (bgQueue_.empty()) return;
            auto [fn, arg] = bgQueue_.front();
            bgQueue_.pop_front();
            lock.unlock();
            fn(arg);
            lock.lock();
        }
    }

    std::mutex mu_;
    std::filesystem::path stashDir_;
    FaultPlan plan_;
    std::uint64_t ops_ = 0;
    std::uint64_t matching_ = 0;  // operations counted towards plan_.atOp
    bool dead_ = false;           // a stayAlive power loss happened
    std::uint64_t stashCount_ = 0;
    std::optional<std::string> injected_;
    std::vector<std::string> after_;
    std::map<std::string, std::shared_ptr<FileState>> files_;
    std::map<std::string, std::vector<DirOp>> pending_;

    std::mutex bgMu_;
    std::condition_variable bgCv_;
    std::deque<std::pair<void (*)(void*), void*>> bgQueue_;
    bool bgStop_ = false;
    std::thread bg_;

    std::unique_ptr<leveldb::Env> env_;
    std::unique_ptr<node::FileSystem> fs_;
};

namespace {

leveldb::Status ioStatus(const std::string& path, int err) {
    return leveldb::Status::IOError(path, std::strerror(err));
}

class FaultWritableFile final : public leveldb::WritableFile {
public:
    FaultWritableFile(FaultInjector::Impl& inj, std::shared_ptr<FileState> state, leveldb::WritableFile* target)
        : inj_(inj), state_(std::move(state)), target_(target) {}

    leveldb::Status Append(const leveldb::Slice& data) override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Write, "append " + state_->path)) return ioStatus(state_->path, err);
        auto s = target_->Append(data);
        if (s.ok()) state_->size += data.size();
        return s;
    }
    leveldb::Status Flush() override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Write, "flush " + state_->path)) return ioStatus(state_->path, err);
        return target_->Flush();
    }
    leveldb::Status Sync() override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Sync, "sync " + state_->path)) return ioStatus(state_->path, err);
        auto s = target_->Sync();
        if (s.ok()) inj_.synced(*state_);
        return s;
    }
    leveldb::Status Close() override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Meta, "close " + state_->path)) return ioStatus(state_->path, err);
        return target_->Close();
    }

private:
    FaultInjector::Impl& inj_;
    std::shared_ptr<FileState> state_;
    std::unique_ptr<leveldb::WritableFile> target_;
};

class FaultEnv final : public leveldb::EnvWrapper {
public:
    explicit FaultEnv(FaultInjector::Impl& inj) : leveldb::EnvWrapper(leveldb::Env::Default()), inj_(inj) {}

    leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Meta, "create " + f)) return ioStatus(f, err);
        if (const int err = inj_.stashExisting(f)) return ioStatus(f, err);
        leveldb::WritableFile* file = nullptr;
        auto s = target()->NewWritableFile(f, &file);
        if (!s.ok()) return s;
        inj_.created(f, true);
        *r = new FaultWritableFile(inj_, inj_.track(f, true), file);
        return s;
    }
    leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
        std::lock_guard lock(inj_.mu_);
        const bool existed = fileExists(f);
        if (const int err = inj_.gate(OpKind::Meta, "open for append " + f)) return ioStatus(f, err);
        leveldb::WritableFile* file = nullptr;
        auto s = target()->NewAppendableFile(f, &file);
        if (!s.ok()) return s;
        if (!existed) inj_.created(f, true);
        *r = new FaultWritableFile(inj_, inj_.track(f, true), file);
        return s;
    }
    leveldb::Status RemoveFile(const std::string& f) override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Meta, "remove " + f)) return ioStatus(f, err);
        if (const int err = inj_.removeLocked(f)) return ioStatus(f, err);
        return leveldb::Status::OK();
    }
    leveldb::Status RenameFile(const std::string& from, const std::string& to) override {
        if (isInfoLog(to)) return target()->RenameFile(from, to);
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Meta, "rename " + from + " to " + to)) return ioStatus(to, err);
        if (const int err = inj_.renameLocked(from, to)) return ioStatus(to, err);
        return leveldb::Status::OK();
    }
    void Schedule(void (*fn)(void*), void* arg) override { inj_.schedule(fn, arg); }
    void StartThread(void (*fn)(void*), void* arg) override { std::thread(fn, arg).detach(); }

private:
    FaultInjector::Impl& inj_;
};

class FaultFile final : public node::File {
public:
    FaultFile(FaultInjector::Impl& inj, std::shared_ptr<FileState> state, std::unique_ptr<node::File> target)
        : inj_(inj), state_(std::move(state)), target_(std::move(target)) {}

    Expected<Bytes, node::FileError> readAll() override { return target_->readAll(); }
    Expected<void, node::FileError> append(ByteSpan data) override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Write, "append " + state_->path)) return fail("cannot write", err);
        auto ok = target_->append(data);
        if (ok) state_->size = target_->size();
        return ok;
    }
    Expected<void, node::FileError> sync() override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Sync, "sync " + state_->path)) return fail("cannot sync", err);
        auto ok = target_->sync();
        if (ok) inj_.synced(*state_);
        return ok;
    }
    Expected<void, node::FileError> truncate(std::uint64_t size) override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Meta, "truncate " + state_->path)) return fail("cannot truncate", err);
        // The tracker truncates the real file itself (it may first save the durable bytes).
        if (const int err = inj_.truncateLocked(*state_, size)) return fail("cannot truncate", err);
        return target_->truncate(size);  // moves the write position; a no-op on the size
    }
    std::uint64_t size() const override { return target_->size(); }
    Expected<void, node::FileError> close() override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Meta, "close " + state_->path)) return fail("cannot close", err);
        return target_->close();
    }

private:
    Unexpected<node::FileError> fail(const char* what, int err) const {
        return Unexpected(node::FileError{err, std::string(what) + " " + state_->path + ": " + std::strerror(err)});
    }
    FaultInjector::Impl& inj_;
    std::shared_ptr<FileState> state_;
    std::unique_ptr<node::File> target_;
};

class FaultFileSystem final : public node::FileSystem {
public:
    explicit FaultFileSystem(FaultInjector::Impl& inj) : inj_(inj) {}

    Expected<std::unique_ptr<node::File>, node::FileError> open(const std::filesystem::path& path,
                                                                node::OpenMode mode) override {
        const std::string p = path.string();
        std::lock_guard lock(inj_.mu_);
        const bool existed = fileExists(p);
        const bool creates = !existed || mode == node::OpenMode::CreateTruncate;
        if (creates) {
            if (const int err = inj_.gate(OpKind::Meta, "create " + p)) return fail("cannot open", p, err);
            if (const int err = inj_.stashExisting(p)) return fail("cannot open", p, err);
        }
        auto file = node::posixFileSystem().open(path, mode);
        if (!file) return Unexpected(file.error());
        if (creates) inj_.created(p, false);
        return std::unique_ptr<node::File>(new FaultFile(inj_, inj_.track(p, false), std::move(*file)));
    }
    Expected<bool, node::FileError> exists(const std::filesystem::path& path) override {
        return node::posixFileSystem().exists(path);
    }
    Expected<void, node::FileError> rename(const std::filesystem::path& from,
                                           const std::filesystem::path& to) override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Meta, "rename " + from.string() + " to " + to.string()))
            return fail("cannot rename to", to.string(), err);
        if (const int err = inj_.renameLocked(from.string(), to.string()))
            return fail("cannot rename to", to.string(), err);
        return {};
    }
    Expected<void, node::FileError> remove(const std::filesystem::path& path) override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Meta, "remove " + path.string()))
            return fail("cannot remove", path.string(), err);
        if (const int err = inj_.removeLocked(path.string())) return fail("cannot remove", path.string(), err);
        return {};
    }
    Expected<void, node::FileError> syncDir(const std::filesystem::path& dir) override {
        std::lock_guard lock(inj_.mu_);
        if (const int err = inj_.gate(OpKind::Sync, "sync directory " + dir.string()))
            return fail("cannot sync directory", dir.string(), err);
        auto ok = node::posixFileSystem().syncDir(dir);
        if (ok) inj_.commitDir(dir.string(), SIZE_MAX);
        return ok;
    }

private:
    static Unexpected<node::FileError> fail(const char* what, const std::string& path, int err) {
        return Unexpected(node::FileError{err, std::string(what) + " " + path + ": " + std::strerror(err)});
    }
    FaultInjector::Impl& inj_;
};

}  // namespace

FaultInjector::FaultInjector(std::filesystem::path stashDir, FaultPlan plan)
    : impl_(std::make_unique<Impl>(stashDir, std::move(plan))) {
    impl_->env_ = std::make_unique<FaultEnv>(*impl_);
    impl_->fs_ = std::make_unique<FaultFileSystem>(*impl_);
}

FaultInjector::~FaultInjector() = default;

leveldb::Env* FaultInjector::env() {
    return impl_->env_.get();
}

node::FileSystem& FaultInjector::fs() {
    return *impl_->fs_;
}

void FaultInjector::arm(FaultPlan plan) {
    std::lock_guard lock(impl_->mu_);
    if (plan.onlyMatching.empty()) plan.atOp += impl_->ops_;
    impl_->matching_ = plan.onlyMatching.empty() ? impl_->ops_ : 0;
    impl_->plan_ = std::move(plan);
}

std::uint64_t FaultInjector::operations() const {
    std::lock_guard lock(impl_->mu_);
    return impl_->ops_;
}

std::optional<std::string> FaultInjector::injected() const {
    std::lock_guard lock(impl_->mu_);
    return impl_->injected_;
}

std::vector<std::string> FaultInjector::writesAfterFailure() const {
    std::lock_guard lock(impl_->mu_);
    return impl_->after_;
}

}  // namespace agora::test
