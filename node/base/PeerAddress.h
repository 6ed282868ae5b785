#pragma once
// Network addresses as written in config, on the command line and in peer
// exchange, with one rule set for every user (p2p, block sync, config):
//
//   host:port          host = a DNS name (letters, digits, '-' and '.',
//                      labels of 1-63 characters, 253 at most), an IPv4
//                      address (four decimal octets) or an IPv6 address in
//                      brackets ("[::1]"); port = decimal 1-65535
//   NODEID@host:port   NODEID = the 40 lower-case hex characters of a node id
//                      (node/base/NodeId.h)
//
// A listen (bind) address may also name port 0, "any free port"; an address
// to dial never may. Parsers return a message that says what is wrong.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Expected.h"

namespace agora::node {

inline constexpr std::size_t kNodeIdHexChars = 40;

enum class PortRule : std::uint8_t {
    Dial,    // 1-65535
    Listen,  // 0-65535, 0 = any free port
};

// The text if it is a valid host:port under `rule`, else why it is not.
Expected<std::string, std::string> parseHostPort(std::string_view text, PortRule rule = PortRule::Dial);

// Why `text` is not a node id (40 lower-case hex characters), or nullopt.
std::optional<std::string> nodeIdError(std::string_view text);

struct PeerAddress {
    std::string nodeId;  // 40 lower-case hex
    std::string hostPort;

    // NODEID@host:port, or why the text is not one.
    static Expected<PeerAddress, std::string> parse(std::string_view text);
    std::string toString() const { return nodeId + "@" + hostPort; }
    bool operator==(const PeerAddress&) const = default;
    bool operator<(const PeerAddress& o) const { return toString() < o.toString(); }
};

// The dialable host:port of each address, each once, in order.
std::vector<std::string> hostPortsOf(const std::vector<PeerAddress>& addresses);

}  // namespace agora::node
