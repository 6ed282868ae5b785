#include "node/base/NodeId.h"

#include "consensus/core/Address.h"

namespace agora::node {

std::string nodeIdOf(const PublicKey& key) {
    return Address::fromPublicKey(key).toHex();
}

}  // namespace agora::node
