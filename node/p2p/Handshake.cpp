#include "node/p2p/Handshake.h"

#include "consensus/core/SignDigest.h"
#include "node/base/NodeId.h"

namespace agora::node {

namespace {
std::string bytesOf(ByteSpan s) {
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}
ByteSpan spanOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
}  // namespace

Hash256 handshakeDigest(const std::string& chainId, const std::array<std::uint8_t, 32>& challenge,
                        const PublicKey& signerKey) {
    Bytes payload(challenge.begin(), challenge.end());
    payload.insert(payload.end(), signerKey.span().begin(), signerKey.span().end());
    return signDigest(domain::kHandshake, chainId, payload);
}

p2p::v1::Hello makeHello(const LocalIdentity& self, const std::array<std::uint8_t, 32>& challenge) {
    p2p::v1::Hello h;
    h.set_chain_id(self.chainId);
    h.set_genesis_hash(bytesOf(self.genesisHash.span()));
    h.set_protocol_version(kP2pProtocolVersion);
    h.set_node_key(bytesOf(self.nodeKey.span()));
    h.set_challenge(bytesOf(ByteSpan(challenge.data(), challenge.size())));
    h.set_listen_address(self.listenAddress);
    h.set_moniker(self.moniker);
    return h;
}

PublicKey helloKey(const p2p::v1::Hello& hello) {
    return PublicKey::fromSpan(spanOf(hello.node_key())).value_or(PublicKey{});
}

std::optional<std::string> checkHello(const LocalIdentity& self, const p2p::v1::Hello& hello,
                                      const std::optional<std::string>& expectedNodeId) {
    if (hello.chain_id() != self.chainId) return "chain id mismatch: peer is on '" + hello.chain_id() + "'";
    if (hello.genesis_hash() != bytesOf(self.genesisHash.span())) return std::string("genesis hash mismatch");
    if (hello.protocol_version() != kP2pProtocolVersion)
        return "protocol version mismatch: peer speaks " + std::to_string(hello.protocol_version());
    const auto key = PublicKey::fromSpan(spanOf(hello.node_key()));
    if (!key || !key->isValid()) return std::string("invalid node key");
    if (hello.challenge().size() != 32) return std::string("challenge must be 32 bytes");
    if (*key == self.nodeKey) return std::string("connection to self");
    if (expectedNodeId && nodeIdOf(*key) != *expectedNodeId)
        return "node id mismatch: dialled " + *expectedNodeId + ", peer is " + nodeIdOf(*key);
    return std::nullopt;
}

bool checkAck(const std::string& chainId, const std::array<std::uint8_t, 32>& ourChallenge, const PublicKey& peerKey,
              const p2p::v1::HelloAck& ack) {
    const auto sig = Signature::fromSpan(spanOf(ack.signature()));
    if (!sig) return false;
    const auto digest = handshakeDigest(chainId, ourChallenge, peerKey);
    return verifySchnorr(peerKey, digest.span(), *sig);
}

}  // namespace agora::node
