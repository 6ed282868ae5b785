#pragma once
// Writing TOML values back (config.toml, provider.toml).

#include <string>
#include <string_view>

namespace agora::node {

// s as a TOML basic string: quotes and backslashes escaped, and control
// characters too (TOML forbids them raw, so a value read from an escape such
// as "\b" must be written back escaped or the rendered file does not parse).
std::string tomlQuote(std::string_view s);

}  // namespace agora::node
