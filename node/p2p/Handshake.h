#pragma once
// The p2p handshake (docs/p2p.md): each side sends Hello (chain id, genesis
// hash, protocol version, node key, a fresh 32-byte challenge, listen
// address), checks the other's Hello, then answers HelloAck with a signature
// by its node key over
//
//   signDigest("agora/p2p-handshake/v1", chain_id, challenge || signer node key)
//
// so a peer proves it holds the key behind its node id, and a signature never
// verifies for another chain, another kind of message or another challenge.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "agora/p2p/v1/p2p.pb.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"

namespace agora::node {

inline constexpr std::uint32_t kP2pProtocolVersion = 2;  // 2: TxBatch

struct LocalIdentity {
    std::string chainId;
    Hash256 genesisHash;
    PublicKey nodeKey;
    std::string listenAddress;
    std::string moniker;
};

Hash256 handshakeDigest(const std::string& chainId, const std::array<std::uint8_t, 32>& challenge,
                        const PublicKey& signerKey);

p2p::v1::Hello makeHello(const LocalIdentity& self, const std::array<std::uint8_t, 32>& challenge);

// Why the peer's Hello is unacceptable, or nullopt. `expectedNodeId` is set
// when we dialled a NODEID@host:port address.
std::optional<std::string> checkHello(const LocalIdentity& self, const p2p::v1::Hello& hello,
                                      const std::optional<std::string>& expectedNodeId);

// The peer's node key from an accepted Hello.
PublicKey helloKey(const p2p::v1::Hello& hello);

// True when ack signs our challenge with the peer's key.
bool checkAck(const std::string& chainId, const std::array<std::uint8_t, 32>& ourChallenge, const PublicKey& peerKey,
              const p2p::v1::HelloAck& ack);

}  // namespace agora::node
