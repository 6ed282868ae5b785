#pragma once
// The `agorad` daemon CLI: init, start, unsafe-reset (docs/agorad.md).
// Exit codes: 0 ok, 1 user error (one line on stderr), 2 internal error or a
// node that stopped on a fatal error.

#include <iostream>

namespace agora::node {

int runAgorad(int argc, const char* const* argv, std::ostream& out = std::cout, std::ostream& err = std::cerr);

}  // namespace agora::node
