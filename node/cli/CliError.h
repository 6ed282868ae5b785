#pragma once
// CliError: a failure the user can fix (bad input, wrong passphrase, missing
// key). The CLI prints its message as one line on stderr and exits 1.

#include <stdexcept>
#include <string>

namespace agora::node::cli {

class CliError : public std::runtime_error {
public:
    explicit CliError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace agora::node::cli
