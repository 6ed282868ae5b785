#include "node/provider/PricePolicy.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "contracts/Market.h"

namespace agora::provider {

PricePolicy::PricePolicy(PriceSchedule rates, std::uint32_t marginBps, std::string script,
                         std::uint32_t scriptTimeoutMs)
    : rates_(std::move(rates)), marginBps_(marginBps), script_(std::move(script)), timeoutMs_(scriptTimeoutMs) {}

PriceQuote PricePolicy::quote(const nlohmann::json& jobJson, const Resources& resources) const {
    return script_.empty() ? fromRates(resources) : fromScript(jobJson);
}

PriceQuote PricePolicy::fromRates(const Resources& resources) const {
    auto base = contracts::priceAtOffer(rates_, resources);
    if (!base) return {std::nullopt, "the offer does not price these resources"};
    const auto price = base->mulDiv(marginBps_, 10'000);
    if (!price) return {std::nullopt, "price overflows"};
    if (price->isZero()) return {std::nullopt, "price rounds to zero"};
    return {*price, ""};
}

PriceQuote PricePolicy::fromScript(const nlohmann::json& jobJson) const {
    auto out = runWithTimeout(script_, jobJson.dump() + "\n", timeoutMs_);
    if (!out) return {std::nullopt, "price script failed or timed out"};
    std::string text = *out;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
    while (!text.empty() && text.front() == ' ') text.erase(text.begin());
    auto a = Amount::parse(text);
    if (!a || a->isZero()) return {std::nullopt, "price script printed \"" + text.substr(0, 64) + "\", not a price"};
    return {*a, ""};
}

std::optional<std::string> runWithTimeout(const std::string& program, const std::string& input, std::uint32_t timeoutMs,
                                          std::size_t maxOutput) {
    int in[2];
    int out[2];
    if (pipe2(in, O_CLOEXEC) != 0) return std::nullopt;
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return std::nullopt;
    }
    // argv is built before fork: the agent is multi-threaded and the child may
    // only make async-signal-safe calls until exec.
    std::string prog = program;
    char* argv[] = {prog.data(), nullptr};
    const pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
        return std::nullopt;
    }
    if (pid == 0) {
        // The agent blocks SIGTERM/SIGINT in its threads (sigwait); the script must not inherit that.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        dup2(in[0], 0);
        dup2(out[1], 1);
        const int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        setpgid(0, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    signal(SIGPIPE, SIG_IGN);
    // The job JSON is small (< 64 KiB, a pipe's buffer): one write cannot block for long.
    const ssize_t w = write(in[1], input.data(), input.size());
    (void)w;
    close(in[1]);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    std::string result;
    bool timedOut = false;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timedOut = true;
            break;
        }
        pollfd p{out[0], POLLIN, 0};
        const int r = poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            timedOut = r == 0;
            break;
        }
        char buf[1024];
        const ssize_t n = read(out[0], buf, sizeof buf);
        if (n <= 0) break;  // EOF: the script closed stdout
        if (result.size() < maxOutput) result.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    if (timedOut) kill(-pid, SIGKILL);
    int status = 0;
    // After EOF the script is exiting; bound the wait by the same deadline.
    for (;;) {
        const pid_t got = waitpid(pid, &status, timedOut ? 0 : WNOHANG);
        if (got == pid) break;
        if (got < 0) return std::nullopt;
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(-pid, SIGKILL);
            timedOut = true;
        } else {
            poll(nullptr, 0, 5);
        }
    }
    if (timedOut || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return result;
}

}  // namespace agora::provider
