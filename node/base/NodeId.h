#pragma once
// The node id: lower-case hex of the 20-byte address of a node's key. Peers
// are dialled as NODEID@host:port, and the p2p handshake checks that the peer
// holds the key of the id it was dialled by.

#include <string>

#include "consensus/core/PublicKey.h"

namespace agora::node {

std::string nodeIdOf(const PublicKey& key);

}  // namespace agora::node
