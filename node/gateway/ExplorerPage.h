#pragma once
// The explorer page served at / (node/http/explorer/index.html, embedded by
// node/CMakeLists.txt at configure time: no build step needs the network).

#include <string_view>

namespace agora::node {

extern const std::string_view kExplorerHtml;

}  // namespace agora::node
