#include "node/provider/runtime/Shim.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "node/provider/runtime/Cgroup.h"
#include "node/provider/runtime/ServiceExit.h"
#include "node/provider/runtime/ServiceLog.h"
#include "node/provider/runtime/ShimPid.h"
#include "node/provider/runtime/ShimSpec.h"

namespace agora::provider {

namespace {

using Clock = std::chrono::steady_clock;

// After the sandbox's first process ended, how long its output may keep
// flowing (a daemonised grandchild holding the pipe) before it is killed.
constexpr auto kDrainAfterExit = std::chrono::seconds(2);
// How long the shim waits for the cgroup to empty before removing it.
constexpr auto kCgroupEmptyWait = std::chrono::seconds(5);
constexpr int kSetupFailedCode = 125;

bool isSymlink(const char* path) {
    struct stat st {};
    return ::lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

// The bwrap command line. Host directories the sandbox may see are listed
// here and nowhere else: the provider's home, keys and state dir are absent.
std::vector<std::string> bwrapArgv(const ShimSpec& spec, const std::string& workDir) {
    const std::string uid = std::to_string(spec.sandboxUid);
    std::vector<std::string> a = {spec.bwrapPath, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-user",
                                  "--unshare-cgroup-try", "--uid", uid, "--gid", uid, "--new-session",
                                  // Ties the sandbox to this shim, not to the agent: a shim
                                  // killed from outside takes its sandbox along instead of
                                  // leaving it unaccounted.
                                  "--die-with-parent", "--ro-bind", "/usr", "/usr"};
    // Merged-/usr hosts (Debian 12) have /bin -> usr/bin; older ones real dirs.
    for (const char* top : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
        const std::string host = std::string("/") + top;
        if (isSymlink(host.c_str())) {
            std::error_code ec;
            const auto target = std::filesystem::read_symlink(host, ec);
            if (!ec) a.insert(a.end(), {"--symlink", target.string(), host});
        } else if (::access(host.c_str(), F_OK) == 0) {
            a.insert(a.end(), {"--ro-bind", host, host});
        }
    }
    for (const char* etc :
         {"/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname",
          "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/localtime", "/etc/mime.types"}) {
        a.insert(a.end(), {"--ro-bind-try", etc, etc});
    }
    a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--bind", workDir, "/work"});
    a.insert(a.end(), {"--chdir", spec.workdir.empty() ? std::string("/work") : spec.workdir, "--clearenv"});
    for (const auto& [k, v] : spec.env) a.insert(a.end(), {"--setenv", k, v});
    a.push_back("--");
    a.insert(a.end(), spec.command.begin(), spec.command.end());
    return a;
}

void writeFileAtomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
    }
    std::rename(tmp.c_str(), path.c_str());
}

bool exists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

// Ends the service without a sandbox having run: the client sees why in its log.
int failBeforeStart(const std::string& dir, ServiceLog* log, const std::string& message) {
    std::fprintf(stderr, "agora shim: %s\n", message.c_str());
    if (log != nullptr) log->append("[agora] service not started: " + message + "\n");
    ServiceExit e;
    e.code = kSetupFailedCode;
    e.stopped = exists(dir + "/stop");
    e.error = message;
    return e.writeTo(dir) ? 0 : 1;
}

int waitStatusCode(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 128;
}

class ShimRun {
public:
    ShimRun(std::string dir, ShimSpec spec)
        : dir_(std::move(dir)),
          spec_(std::move(spec)),
          log_(dir_, spec_.logCapBytes),
          leaseCgroup_(spec_.leaseCgroup),
          serviceCgroup_(spec_.serviceCgroup) {}

    int run() {
        if (exists(dir_ + "/stop")) return failBeforeStart(dir_, &log_, "stopped before start");
        if (auto r = leaseCgroup_.create(); !r) return cleanupAndFail("cgroup: " + r.error());
        if (auto r = leaseCgroup_.applyLimits(spec_.limits); !r) return cleanupAndFail("cgroup: " + r.error());
        if (auto r = serviceCgroup_.create(); !r) return cleanupAndFail("cgroup: " + r.error());

        const std::string workDir = dir_ + "/work";
        std::error_code ec;
        std::filesystem::create_directories(workDir, ec);
        if (spec_.workdir.rfind("/work/", 0) == 0) {
            std::filesystem::create_directories(workDir + spec_.workdir.substr(5), ec);
        }
        if (auto r = startSandbox(workDir); !r) return cleanupAndFail(r.error());
        loop();
        return finish();
    }

    // Signals arrive through a signalfd polled with the output pipe, so the
    // whole shim is one thread and needs no async-signal-safe handlers.
    bool setupSignals() {
        sigset_t set;
        sigemptyset(&set);
        for (const int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&set, s);
        if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return false;
        ::signal(SIGPIPE, SIG_IGN);
        signalFd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        return signalFd_ >= 0;
    }

private:
    Expected<void, std::string> startSandbox(const std::string& workDir) {
        int out[2];
        int gate[2];
        if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(gate, O_CLOEXEC) != 0) {
            return Unexpected(std::string("pipe: ") + std::strerror(errno));
        }
        const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        // Everything the child touches is prepared here: between fork and
        // exec only async-signal-safe calls.
        std::vector<std::string> args = bwrapArgv(spec_, workDir);
        std::vector<char*> argv;
        for (auto& s : args) argv.push_back(s.data());
        argv.push_back(nullptr);
        sigset_t empty;
        sigemptyset(&empty);
        const long maxFd = ::sysconf(_SC_OPEN_MAX);

        const pid_t child = ::fork();
        if (child < 0) return Unexpected(std::string("fork: ") + std::strerror(errno));
        if (child == 0) {
            char go = 0;
            ssize_t n = 0;
            do {
                n = ::read(gate[0], &go, 1);
            } while (n < 0 && errno == EINTR);
            if (n != 1) ::_exit(kSetupFailedCode);  // the shim could not place us in the cgroup
            ::dup2(devNull, 0);
            ::dup2(out[1], 1);
            ::dup2(out[1], 2);
            if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
                for (long fd = 3; fd < maxFd; ++fd) ::close(static_cast<int>(fd));
            }
            struct sigaction dfl {};
            dfl.sa_handler = SIG_DFL;
            ::sigaction(SIGPIPE, &dfl, nullptr);
            ::sigprocmask(SIG_SETMASK, &empty, nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        ::close(gate[0]);
        if (devNull >= 0) ::close(devNull);
        sandboxPid_ = child;
        outFd_ = out[0];
        ::fcntl(outFd_, F_SETFL, O_NONBLOCK);
        if (auto r = serviceCgroup_.addProcess(child); !r) {
            ::kill(child, SIGKILL);
            ::close(gate[1]);
            int status = 0;
            ::waitpid(child, &status, 0);
            sandboxPid_ = -1;
            return Unexpected("cgroup: " + r.error());
        }
        (void)!::write(gate[1], "x", 1);
        ::close(gate[1]);
        writeFileAtomically(dir_ + "/sandbox.pid", std::to_string(child) + "\n");
        return {};
    }

    void requestStop() {
        if (stopping_) return;
        stopping_ = true;
        killAt_ = Clock::now() + std::chrono::milliseconds(spec_.stopGraceMillis);
        terminateNewProcesses();
    }

    // SIGTERM to every process of the sandbox not signalled yet; called on
    // every loop turn while stopping, because a stop during the sandbox's
    // start reaches bwrap's namespace init before the workload exists (and
    // init ignores SIGTERM from outside), and a shell may fork after a pass.
    // The outer bwrap is spared: its death would SIGKILL the sandbox at once
    // (--die-with-parent inside) and skip the workload's graceful exit.
    void terminateNewProcesses() {
        for (const pid_t p : serviceCgroup_.processes()) {
            if (p != sandboxPid_ && terminated_.insert(p).second) ::kill(p, SIGTERM);
        }
    }

    void killEverything() {
        serviceCgroup_.signalAll(SIGKILL);
        if (sandboxPid_ > 0 && !sandboxExited_) ::kill(sandboxPid_, SIGKILL);
    }

    void handleSignals() {
        signalfd_siginfo info{};
        while (::read(signalFd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
            switch (info.ssi_signo) {
                case SIGCHLD:
                    reap();
                    break;
                default:
                    requestStop();
                    break;
            }
        }
    }

    void reap() {
        for (;;) {
            int status = 0;
            const pid_t p = ::waitpid(-1, &status, WNOHANG);
            if (p <= 0) return;
            if (p == sandboxPid_) {
                sandboxExited_ = true;
                exitCode_ = waitStatusCode(status);
                drainUntil_ = Clock::now() + kDrainAfterExit;
            }
        }
    }

    void readOutput() {
        std::uint8_t buf[65536];
        for (;;) {
            const ssize_t n = ::read(outFd_, buf, sizeof buf);
            if (n > 0) {
                log_.append(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
                continue;
            }
            if (n == 0) {
                ::close(outFd_);
                outFd_ = -1;
            }
            return;  // EAGAIN: nothing more for now
        }
    }

    void loop() {
        while (!sandboxExited_ || outFd_ >= 0) {
            if (!stopping_ && exists(dir_ + "/stop")) requestStop();
            if (stopping_ && !sandboxExited_) terminateNewProcesses();
            const auto now = Clock::now();
            if (killAt_ && now >= *killAt_) {
                killEverything();
                killAt_ = now + std::chrono::seconds(1);
            }
            if (sandboxExited_ && outFd_ >= 0 && now >= drainUntil_) {
                serviceCgroup_.signalAll(SIGKILL);
                if (now >= drainUntil_ + std::chrono::seconds(1)) {
                    readOutput();
                    if (outFd_ >= 0) ::close(outFd_);
                    outFd_ = -1;
                    break;
                }
            }
            pollfd fds[2] = {{signalFd_, POLLIN, 0}, {outFd_, POLLIN, 0}};
            // A bounded wait: the stop marker is polled too, covering a
            // stop() whose SIGTERM came before this shim wrote shim.pid.
            ::poll(fds, outFd_ >= 0 ? 2 : 1, stopping_ ? 50 : 200);
            if (fds[0].revents & POLLIN) handleSignals();
            if (outFd_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) readOutput();
        }
    }

    // The cgroup is removed only once empty; the exit file is written last.
    int finish() {
        ServiceExit e;
        e.code = exitCode_;
        e.stopped = stopping_ || exists(dir_ + "/stop");
        // v1 and v2 count OOM kills per cgroup; a SIGKILL while the lease's
        // memory limit was being hit is the kernel's OOM killer too (older
        // kernels without the oom_kill counter).
        e.oomKilled = !e.stopped && (serviceCgroup_.oomKilled() ||
                                     (exitCode_ == 128 + SIGKILL && leaseCgroup_.memoryLimitHits() > 0));
        removeCgroups();
        if (e.oomKilled)
            log_.append("[agora] killed: out of memory (limit " + std::to_string(spec_.limits.memoryMib) + " MiB)\n");
        return e.writeTo(dir_) ? 0 : 1;
    }

    void removeCgroups() {
        const auto deadline = Clock::now() + kCgroupEmptyWait;
        while (!serviceCgroup_.processes().empty() && Clock::now() < deadline) {
            serviceCgroup_.signalAll(SIGKILL);
            ::poll(nullptr, 0, 20);  // the kernel needs a moment to reap killed tasks
        }
        serviceCgroup_.remove();
        leaseCgroup_.remove();  // refused while another service of the lease runs
    }

    int cleanupAndFail(const std::string& message) {
        serviceCgroup_.remove();
        leaseCgroup_.remove();
        return failBeforeStart(dir_, &log_, message);
    }

    std::string dir_;
    ShimSpec spec_;
    ServiceLog log_;
    Cgroup leaseCgroup_;
    Cgroup serviceCgroup_;
    int signalFd_ = -1;
    int outFd_ = -1;
    pid_t sandboxPid_ = -1;
    bool sandboxExited_ = false;
    int exitCode_ = 0;
    bool stopping_ = false;
    std::optional<Clock::time_point> killAt_;
    std::set<pid_t> terminated_;
    Clock::time_point drainUntil_{};
};

}  // namespace

int shimMain(int argc, char** argv) {
    std::string dir;
    for (int i = 0; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
    }
    if (dir.empty()) {
        std::fprintf(stderr, "usage: shim --dir <service dir>\n");
        return 2;
    }
    ShimPid::of(::getpid()).value_or(ShimPid{::getpid(), 0}).write(dir + "/shim.pid", ".tmp");
    std::ifstream in(dir + "/spec.json");
    std::stringstream text;
    text << in.rdbuf();
    auto spec = ShimSpec::fromJson(text.str());
    if (!spec) return failBeforeStart(dir, nullptr, spec.error());
    ShimRun run(dir, std::move(*spec));
    if (!run.setupSignals()) return failBeforeStart(dir, nullptr, "signals: " + std::string(std::strerror(errno)));
    return run.run();
}

}  // namespace agora::provider
