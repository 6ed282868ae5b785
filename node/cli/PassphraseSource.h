#pragma once
// PassphraseSource: where a command gets its key file passphrase. With a
// passphrase file, the first line of the file (without its line ending);
// otherwise a prompt on the controlling terminal with echo off. A command
// asks once: the first answer is cached for the rest of the command.

#include <optional>
#include <string>

namespace agora::node::cli {

class PassphraseSource {
public:
    explicit PassphraseSource(std::string file) : file_(std::move(file)) {}
    PassphraseSource(const PassphraseSource&) = delete;
    PassphraseSource& operator=(const PassphraseSource&) = delete;
    PassphraseSource(PassphraseSource&&) = default;
    ~PassphraseSource();

    // For unlocking an existing key.
    const std::string& get();
    // For encrypting a new key: on a terminal, asks twice and compares;
    // refuses an empty passphrase.
    const std::string& getNew();

private:
    std::string readFile() const;
    std::string file_;
    std::optional<std::string> cached_;
};

}  // namespace agora::node::cli
