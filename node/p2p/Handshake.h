#pragma once
// The p2p handshake (docs/p2p.md, decision 45): station-to-station over
// libsodium inside the gRPC stream, so every later message travels
// encrypted and authenticated under keys that only the two node keys named
// in the handshake hold.
//
//   1. Each side sends Hello (chain id, genesis hash, protocol version, node
//      key, a fresh X25519 ephemeral key, listen address, moniker) in clear.
//   2. Each side checks the other's Hello (checkHello, then the caller's
//      admission), derives the two session keys with crypto_kx (the dialler is
//      the kx client) and sends, sealed under its sending key, a HelloAck whose
//      signature is by its node key over the transcript:
//
//        signDigest("agora/p2p-handshake/v3", chain_id,
//                   u32 version || genesis hash ||
//                   dialler node key || dialler ephemeral || dialler listen || dialler moniker ||
//                   listener node key || listener ephemeral || listener listen || listener moniker)
//
//   3. Each side opens the peer's sealed HelloAck and checks the signature
//      against the node key of the peer's Hello.
//
// Why it holds against a relay: a signature covers both ephemeral keys, so it
// verifies only for the one pair of session keys the two signers derived; a
// relay that substitutes its own ephemeral key breaks both signatures, and a
// relay that forwards the Hellos unchanged holds neither ephemeral secret and
// can only pass opaque frames along (it cannot read, inject or reorder).
// Nothing is signed that the peer chose alone: its ephemeral key and Hello
// fields are signed together with our own fresh ephemeral key, so the
// signature is useless on any other connection.
//
// A refusal (bad Hello, admission) is a HelloAck with reject_reason in clear.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agora/p2p/v1/p2p.pb.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"
#include "node/p2p/SecureChannel.h"
#include "wallet/SecretKey.h"

namespace agora::node {

// 2: TxBatch. 3: encrypted, authenticated transport (decision 45); older
// peers are refused with a reason naming both versions.
inline constexpr std::uint32_t kP2pProtocolVersion = 3;
// The signed-digest domain of the handshake transcript (a p2p-only domain;
// the consensus domains are in consensus/core/SignDigest.h).
inline constexpr std::string_view kHandshakeTranscriptDomain = "agora/p2p-handshake/v3";

struct LocalIdentity {
    std::string chainId;
    Hash256 genesisHash;
    PublicKey nodeKey;
    std::string listenAddress;
    std::string moniker;
};

// The digest both sides sign: `dialler` is the Hello of the side that opened
// the stream, `listener` the other.
Hash256 transcriptDigest(const std::string& chainId, const p2p::v1::Hello& dialler, const p2p::v1::Hello& listener);

p2p::v1::Hello makeHello(const LocalIdentity& self, const std::array<std::uint8_t, 32>& ephemeralKey);

// Why the peer's Hello is unacceptable, or nullopt. `expectedNodeId` is set
// when we dialled a NODEID@host:port address.
std::optional<std::string> checkHello(const LocalIdentity& self, const p2p::v1::Hello& hello,
                                      const std::optional<std::string>& expectedNodeId);

// The peer's node key from an accepted Hello.
PublicKey helloKey(const p2p::v1::Hello& hello);

// One side of one handshake, free of I/O: the caller moves the messages.
// Use: send hello(); acceptHello(peer's Hello) (send a clear refusal on a
// reason); ack() to send; finish(peer's reply) (drop the stream on a reason);
// then channel() for every later message.
class StsHandshake {
public:
    StsHandshake(LocalIdentity self, const wallet::SecretKey& nodeKey, bool dialler,
                 std::optional<std::string> expectedNodeId);
    ~StsHandshake();
    StsHandshake(const StsHandshake&) = delete;
    StsHandshake& operator=(const StsHandshake&) = delete;

    p2p::v1::Envelope hello() const;
    // Checks the peer's Hello and derives the session keys; a reason refuses.
    std::optional<std::string> acceptHello(const p2p::v1::Hello& peer);
    // A clear refusal to send instead of ack().
    static p2p::v1::Envelope refusal(const std::string& reason);
    // Our transcript signature, sealed (after acceptHello succeeded).
    p2p::v1::Envelope ack();
    // Opens and checks the peer's reply to our Hello; a reason ends the
    // connection (a clear refusal from the peer is reported as one).
    std::optional<std::string> finish(const p2p::v1::Envelope& reply);

    const p2p::v1::Hello& peerHello() const { return peer_; }
    PublicKey peerKey() const { return helloKey(peer_); }
    // The established channel (after finish succeeded).
    SecureChannel& channel() { return channel_; }

private:
    LocalIdentity self_;
    const wallet::SecretKey& nodeKey_;
    bool dialler_;
    std::optional<std::string> expectedNodeId_;
    std::array<std::uint8_t, 32> ephemeralPublic_{};
    std::array<std::uint8_t, 32> ephemeralSecret_{};
    p2p::v1::Hello own_;
    p2p::v1::Hello peer_;
    SecureChannel channel_;
    bool keysReady_ = false;
};

}  // namespace agora::node
