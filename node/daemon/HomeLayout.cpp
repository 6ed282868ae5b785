#include "node/daemon/HomeLayout.h"

#include <cstdlib>

namespace agora::node {

std::filesystem::path HomeLayout::defaultHome() {
    if (const char* h = std::getenv("AGORA_HOME"); h != nullptr && *h != '\0') return h;
    if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') return std::filesystem::path(h) / ".agora";
    return ".agora";
}

}  // namespace agora::node
