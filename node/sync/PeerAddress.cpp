#include "node/sync/PeerAddress.h"

#include <algorithm>

namespace agora::node {

std::optional<std::string> dialAddressOf(const std::string& peer) {
    const auto at = peer.find('@');
    std::string addr = at == std::string::npos ? peer : peer.substr(at + 1);
    const auto colon = addr.rfind(':');
    if (addr.empty() || colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) return std::nullopt;
    const std::string port = addr.substr(colon + 1);
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) || port.size() > 5)
        return std::nullopt;
    return addr;
}

std::vector<std::string> dialAddressesOf(const std::vector<std::string>& peers) {
    std::vector<std::string> out;
    for (const auto& p : peers) {
        auto a = dialAddressOf(p);
        if (a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
    }
    return out;
}

}  // namespace agora::node
