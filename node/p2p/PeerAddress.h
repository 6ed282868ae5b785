#pragma once
// A peer's dial address as written in config and shared by peer exchange:
// NODEID@host:port, NODEID being the 40-hex node id (node/base/NodeId.h).

#include <optional>
#include <string>
#include <string_view>

namespace agora::node {

struct PeerAddress {
    std::string nodeId;  // 40 lower-case hex
    std::string hostPort;

    // nullopt unless the text is NODEID@host:port with a valid id and port.
    static std::optional<PeerAddress> parse(std::string_view text);
    std::string toString() const { return nodeId + "@" + hostPort; }
    bool operator==(const PeerAddress&) const = default;
    bool operator<(const PeerAddress& o) const { return toString() < o.toString(); }
};

}  // namespace agora::node
