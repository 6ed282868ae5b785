#include "node/base/PeerAddress.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace agora::node {
namespace {

constexpr std::size_t kHostNameMax = 253;
constexpr std::size_t kLabelMax = 63;

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}
bool isAlnum(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::optional<std::string> hostError(std::string_view host) {
    if (host.empty()) return "empty host";
    if (host.front() == '[') {
        if (host.back() != ']') return "IPv6 host '" + std::string(host) + "' lacks its closing ']'";
        const std::string inner(host.substr(1, host.size() - 2));
        in6_addr out{};
        if (inet_pton(AF_INET6, inner.c_str(), &out) != 1) return "'" + inner + "' is not an IPv6 address";
        return std::nullopt;
    }
    if (host.find(':') != std::string_view::npos) return "IPv6 host '" + std::string(host) + "' must be in brackets";
    if (std::all_of(host.begin(), host.end(), [](char c) { return isDigit(c) || c == '.'; })) {
        const std::string text(host);
        in_addr out{};
        if (inet_pton(AF_INET, text.c_str(), &out) != 1) return "'" + text + "' is not an IPv4 address";
        return std::nullopt;
    }
    if (host.size() > kHostNameMax) return "host name longer than 253 characters";
    std::size_t start = 0;
    while (start <= host.size()) {
        const auto dot = std::min(host.find('.', start), host.size());
        const auto label = host.substr(start, dot - start);
        if (label.empty() || label.size() > kLabelMax)
            return "host name '" + std::string(host) + "' has a label of " + std::to_string(label.size()) +
                   " characters (1-63)";
        if (label.front() == '-' || label.back() == '-')
            return "host name '" + std::string(host) + "' has a label that starts or ends with '-'";
        for (const char c : label)
            if (!isAlnum(c) && c != '-')
                return "host name '" + std::string(host) + "' has the character '" + std::string(1, c) + "'";
        start = dot + 1;
    }
    return std::nullopt;
}

}  // namespace

Expected<std::string, std::string> parseHostPort(std::string_view text, PortRule rule) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return Unexpected("'" + std::string(text) + "' has no ':port'");
    const auto host = text.substr(0, colon);
    const auto portText = text.substr(colon + 1);
    if (auto err = hostError(host)) return Unexpected("'" + std::string(text) + "': " + *err);
    if (portText.empty()) return Unexpected("'" + std::string(text) + "': empty port");
    std::uint32_t port = 0;
    const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || end != portText.data() + portText.size() || portText.size() > 5 || port > 65535)
        return Unexpected("'" + std::string(text) + "': port '" + std::string(portText) + "' is not " +
                          (rule == PortRule::Dial ? "1-65535" : "0-65535"));
    if (port == 0 && rule == PortRule::Dial)
        return Unexpected("'" + std::string(text) + "': port 0 cannot be dialled (1-65535)");
    return std::string(text);
}

std::optional<std::string> nodeIdError(std::string_view text) {
    if (text.size() != kNodeIdHexChars)
        return "node id '" + std::string(text) + "' has " + std::to_string(text.size()) +
               " characters, not 40 hex characters";
    for (const char c : text)
        if (!(isDigit(c) || (c >= 'a' && c <= 'f'))) return "node id '" + std::string(text) + "' is not lower-case hex";
    return std::nullopt;
}

Expected<PeerAddress, std::string> PeerAddress::parse(std::string_view text) {
    const auto at = text.find('@');
    if (at == std::string_view::npos) return Unexpected("'" + std::string(text) + "' is not NODEID@host:port (no '@')");
    const auto id = text.substr(0, at);
    if (auto err = nodeIdError(id)) return Unexpected(*err);
    auto hostPort = parseHostPort(text.substr(at + 1), PortRule::Dial);
    if (!hostPort) return Unexpected(hostPort.error());
    return PeerAddress{std::string(id), std::move(*hostPort)};
}

std::vector<std::string> hostPortsOf(const std::vector<PeerAddress>& addresses) {
    std::vector<std::string> out;
    for (const auto& a : addresses)
        if (std::find(out.begin(), out.end(), a.hostPort) == out.end()) out.push_back(a.hostPort);
    return out;
}

}  // namespace agora::node
