#include "node/p2p/PeerAddress.h"

#include <charconv>

namespace agora::node {

std::optional<PeerAddress> PeerAddress::parse(std::string_view text) {
    const auto at = text.find('@');
    if (at != 40) return std::nullopt;
    const auto id = text.substr(0, at);
    for (const char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    const auto hostPort = text.substr(at + 1);
    const auto colon = hostPort.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == hostPort.size()) return std::nullopt;
    const auto portText = hostPort.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 65535) return std::nullopt;
    return PeerAddress{std::string(id), std::string(hostPort)};
}

}  // namespace agora::node
