#include "node/cli/PassphraseSource.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "node/cli/CliError.h"
#include "wallet/AtomicFile.h"
#include "wallet/Wipe.h"

namespace agora::node::cli {
namespace {

constexpr std::size_t kPassphraseFileMax = std::size_t{64} * 1024;

// Reads one line from the terminal with echo off. Throws CliError without a terminal.
std::string promptTerminal(const char* prompt) {
    const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) throw CliError("no passphrase: pass --passphrase-file (or AGORA_PASSPHRASE_FILE) or run on a terminal");
    termios old{};
    const bool isTerm = ::tcgetattr(fd, &old) == 0;
    if (isTerm) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    [[maybe_unused]] auto w = ::write(fd, prompt, std::strlen(prompt));
    std::string line;
    char c = 0;
    for (;;) {
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || c == '\n') break;
        line += c;
    }
    if (isTerm) ::tcsetattr(fd, TCSAFLUSH, &old);
    ::close(fd);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

}  // namespace

PassphraseSource::~PassphraseSource() {
    if (cached_) wallet::wipe(*cached_);
}

std::string PassphraseSource::readFile() const {
    auto text = wallet::readSmallFile(file_, kPassphraseFileMax);
    if (!text) throw CliError("cannot read passphrase file: " + text.error().message());
    std::string s = std::move(text).value();
    const auto nl = s.find('\n');
    if (nl != std::string::npos) s.resize(nl);
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
}

const std::string& PassphraseSource::get() {
    if (!cached_) cached_ = file_.empty() ? promptTerminal("Passphrase: ") : readFile();
    return *cached_;
}

const std::string& PassphraseSource::getNew() {
    if (!cached_) {
        if (file_.empty()) {
            std::string first = promptTerminal("New passphrase: ");
            std::string second = promptTerminal("Repeat passphrase: ");
            const bool same = first == second;
            wallet::wipe(second);
            if (!same) {
                wallet::wipe(first);
                throw CliError("passphrases do not match");
            }
            cached_ = std::move(first);
        } else {
            cached_ = readFile();
        }
    }
    if (cached_->empty()) throw CliError("passphrase must not be empty");
    return *cached_;
}

}  // namespace agora::node::cli
