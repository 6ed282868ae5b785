#pragma once
// A real child process for integration tests: fork/exec with arguments,
// stdout+stderr appended to a log file, signals, and waits with deadlines
// (never a bare sleep).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace agora::test {

class ChildProcess {
public:
    ChildProcess(std::vector<std::string> args, std::filesystem::path log) : log_(std::move(log)) {
        // Everything the child needs is built before fork(): between fork and
        // exec the child of a multi-threaded test may only make
        // async-signal-safe calls. A malloc there can deadlock on a lock
        // another thread held at the fork (seen as a restarted node that never
        // logged a line while load threads were allocating).
        std::vector<char*> argv;
        argv.reserve(args.size() + 1);
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const char* logPath = log_.c_str();
        pid_ = ::fork();
        if (pid_ == 0) {
            ::setsid();
            const int fd = ::open(logPath, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                ::dup2(fd, 1);
                ::dup2(fd, 2);
                ::close(fd);
            }
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }
    ~ChildProcess() {
        if (running()) {
            ::kill(pid_, SIGKILL);
            waitExit(std::chrono::seconds(10));
        }
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool running() const { return pid_ > 0 && !exited_; }
    pid_t pid() const { return pid_; }
    void signal(int sig) const {
        if (running()) ::kill(pid_, sig);
    }
    // Exit status (WEXITSTATUS, or 128+signal), or -1 when still running at the deadline.
    int waitExit(std::chrono::milliseconds timeout) {
        if (exited_) return status_;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            int st = 0;
            const pid_t r = ::waitpid(pid_, &st, WNOHANG);
            if (r == pid_) {
                exited_ = true;
                status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                return status_;
            }
            if (std::chrono::steady_clock::now() >= deadline) return -1;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling interval, not synchronisation
        }
    }
    std::string log() const {
        std::ifstream in(log_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

private:
    std::filesystem::path log_;
    pid_t pid_ = -1;
    bool exited_ = false;
    int status_ = -1;
};

// Runs a command to completion; returns its exit status.
inline int runToExit(std::vector<std::string> args, const std::filesystem::path& log,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    ChildProcess p(std::move(args), log);
    return p.waitExit(timeout);
}

// Polls `condition` until it holds or the deadline passes.
inline bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling interval
    }
    return true;
}

// A TCP port that was free a moment ago on 127.0.0.1.
inline int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

}  // namespace agora::test
