#include "node/provider/runtime/CommandRunner.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace agora::provider {

namespace {

using Clock = std::chrono::steady_clock;

// The program's path: argv[0] itself when it names a file, else the first
// executable of that name on $PATH (looked up before fork: execvp may allocate).
std::string resolve(const std::string& program) {
    if (program.find('/') != std::string::npos) return program;
    const char* path = ::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::string dir = dirs.substr(start, end - start);
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return program;
}

std::vector<std::string> childEnvironment(const CommandOptions& options) {
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string entry(*e);
        const std::string name = entry.substr(0, entry.find('='));
        if (options.env.count(name) > 0) continue;
        bool dropped = false;
        for (const std::string& prefix : options.dropEnvPrefixes) dropped = dropped || name.rfind(prefix, 0) == 0;
        if (!dropped) env.push_back(entry);
    }
    for (const auto& [name, value] : options.env) {
        if (!value.empty()) env.push_back(name + "=" + value);
    }
    return env;
}

void closePipe(int p[2]) {
    for (int i = 0; i < 2; ++i) {
        if (p[i] >= 0) ::close(p[i]);
        p[i] = -1;
    }
}

}  // namespace

Expected<CommandResult, std::string> runCommand(const std::vector<std::string>& argvIn, const CommandOptions& options) {
    if (argvIn.empty()) return Unexpected(std::string("runCommand: empty argv"));
    std::vector<std::string> args = argvIn;
    const std::string program = resolve(args[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envStrings = childEnvironment(options);
    std::vector<char*> envp;
    for (auto& e : envStrings) envp.push_back(e.data());
    envp.push_back(nullptr);

    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        const std::string why = std::strerror(errno);
        closePipe(out);
        closePipe(err);
        return Unexpected(args[0] + ": pipe: " + why);
    }
    sigset_t none;
    sigemptyset(&none);
    const pid_t pid = ::fork();
    if (pid < 0) {
        const std::string why = std::strerror(errno);
        closePipe(out);
        closePipe(err);
        return Unexpected(args[0] + ": fork: " + why);
    }
    if (pid == 0) {
        // The agent blocks signals in its threads (sigwait); the command must not inherit that.
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::setpgid(0, 0);
        const int devNull = ::open("/dev/null", O_RDONLY);
        if (devNull >= 0) ::dup2(devNull, 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::execve(program.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);

    CommandResult result;
    const auto deadline = Clock::now() + options.timeout;
    bool timedOut = false;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open = 2;
    while (open > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            timedOut = true;
            break;
        }
        const int r = ::poll(fds, 2, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            char buf[65536];
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
                continue;
            }
            std::string& sink = i == 0 ? result.out : result.err;
            if (sink.size() < options.maxOutputBytes) {
                sink.append(buf,
                            std::min<std::size_t>(static_cast<std::size_t>(n), options.maxOutputBytes - sink.size()));
            }
        }
    }
    for (auto& f : fds) {
        if (f.fd >= 0) ::close(f.fd);
    }
    if (timedOut) ::kill(-pid, SIGKILL);
    int status = 0;
    for (;;) {
        const pid_t got = ::waitpid(pid, &status, timedOut ? 0 : WNOHANG);
        if (got == pid) break;
        if (got < 0 && errno != EINTR) return Unexpected(args[0] + ": waitpid: " + std::strerror(errno));
        if (got == 0 && Clock::now() >= deadline) {
            // Both pipes closed yet still running (it closed its stdout early): bounded like the rest.
            ::kill(-pid, SIGKILL);
            timedOut = true;
        } else if (got == 0) {
            ::poll(nullptr, 0, 5);  // polling the child's exit after its output ended
        }
    }
    if (timedOut) {
        return Unexpected(args[0] + ": no answer within " + std::to_string(options.timeout.count()) + " ms");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && result.err.empty() && ::access(program.c_str(), X_OK) != 0) {
        return Unexpected(args[0] + ": not found or not executable");
    }
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

}  // namespace agora::provider
