#pragma once
// The `agora` user CLI. Each command group registers itself on the root app
// from its own file (KeysCommand today; tx and query later) and shares the
// global flags through CliContext.
//
// Exit codes: 0 success (and --help), 1 user error (one line on stderr,
// "Error: ..."), 2 unexpected internal error.

#include <iostream>

namespace agora::node::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUserError = 1;
inline constexpr int kExitInternalError = 2;

int runAgoraCli(int argc, const char* const* argv, std::istream& in = std::cin, std::ostream& out = std::cout,
                std::ostream& err = std::cerr);

}  // namespace agora::node::cli
