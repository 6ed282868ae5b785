#pragma once
// Peer addresses in config: "NODEID@host:port" (p2p.persistent_peers) or a
// bare "host:port". Block sync only needs the dialable part; the node id is
// checked by the p2p handshake, not here.

#include <optional>
#include <string>
#include <vector>

namespace agora::node {

// "host:port" of a peer entry; nullopt when it has no port.
std::optional<std::string> dialAddressOf(const std::string& peer);
// The dialable addresses of a peer list, invalid entries left out, each once.
std::vector<std::string> dialAddressesOf(const std::vector<std::string>& peers);

}  // namespace agora::node
