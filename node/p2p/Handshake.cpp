#include "node/p2p/Handshake.h"

#include <sodium.h>

#include <stdexcept>

#include "consensus/core/Codec.h"
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

void writeSide(Writer& w, const p2p::v1::Hello& h) {
    w.bytes(spanOf(h.node_key()));
    w.bytes(spanOf(h.ephemeral_key()));
    w.string(h.listen_address());
    w.string(h.moniker());
}

static_assert(crypto_kx_PUBLICKEYBYTES == 32 && crypto_kx_SECRETKEYBYTES == 32);
}  // namespace

Hash256 transcriptDigest(const std::string& chainId, const p2p::v1::Hello& dialler, const p2p::v1::Hello& listener) {
    Writer w;
    w.u32(dialler.protocol_version());
    w.bytes(spanOf(dialler.genesis_hash()));
    writeSide(w, dialler);
    writeSide(w, listener);
    const Bytes payload = w.take();
    return signDigest(kHandshakeTranscriptDomain, chainId, payload);
}

p2p::v1::Hello makeHello(const LocalIdentity& self, const std::array<std::uint8_t, 32>& ephemeralKey) {
    p2p::v1::Hello h;
    h.set_chain_id(self.chainId);
    h.set_genesis_hash(bytesOf(self.genesisHash.span()));
    h.set_protocol_version(kP2pProtocolVersion);
    h.set_node_key(bytesOf(self.nodeKey.span()));
    h.set_ephemeral_key(bytesOf(ByteSpan(ephemeralKey.data(), ephemeralKey.size())));
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
        return "protocol version mismatch: peer speaks " + std::to_string(hello.protocol_version()) +
               ", this node speaks " + std::to_string(kP2pProtocolVersion) +
               (hello.protocol_version() < kP2pProtocolVersion ? " (encrypted transport); upgrade the peer" : "");
    const auto key = PublicKey::fromSpan(spanOf(hello.node_key()));
    if (!key || !key->isValid()) return std::string("invalid node key");
    if (hello.ephemeral_key().size() != crypto_kx_PUBLICKEYBYTES) return std::string("ephemeral key must be 32 bytes");
    if (*key == self.nodeKey) return std::string("connection to self");
    if (expectedNodeId && nodeIdOf(*key) != *expectedNodeId)
        return "node id mismatch: dialled " + *expectedNodeId + ", peer is " + nodeIdOf(*key);
    return std::nullopt;
}

StsHandshake::StsHandshake(LocalIdentity self, const wallet::SecretKey& nodeKey, bool dialler,
                           std::optional<std::string> expectedNodeId)
    : self_(std::move(self)), nodeKey_(nodeKey), dialler_(dialler), expectedNodeId_(std::move(expectedNodeId)) {
    if (!sodiumReady()) throw std::runtime_error("libsodium failed to initialise");
    crypto_kx_keypair(ephemeralPublic_.data(), ephemeralSecret_.data());
    own_ = makeHello(self_, ephemeralPublic_);
}

StsHandshake::~StsHandshake() {
    sodium_memzero(ephemeralSecret_.data(), ephemeralSecret_.size());
}

p2p::v1::Envelope StsHandshake::hello() const {
    p2p::v1::Envelope e;
    *e.mutable_hello() = own_;
    return e;
}

p2p::v1::Envelope StsHandshake::refusal(const std::string& reason) {
    p2p::v1::Envelope e;
    e.mutable_hello_ack()->set_reject_reason(reason);
    return e;
}

std::optional<std::string> StsHandshake::acceptHello(const p2p::v1::Hello& peer) {
    peer_ = peer;
    if (auto reason = checkHello(self_, peer, expectedNodeId_)) return reason;
    std::array<std::uint8_t, kSessionKeyBytes> rx{};
    std::array<std::uint8_t, kSessionKeyBytes> tx{};
    const auto* peerEphemeral = reinterpret_cast<const unsigned char*>(peer.ephemeral_key().data());
    const int rc = dialler_ ? crypto_kx_client_session_keys(rx.data(), tx.data(), ephemeralPublic_.data(),
                                                            ephemeralSecret_.data(), peerEphemeral)
                            : crypto_kx_server_session_keys(rx.data(), tx.data(), ephemeralPublic_.data(),
                                                            ephemeralSecret_.data(), peerEphemeral);
    sodium_memzero(ephemeralSecret_.data(), ephemeralSecret_.size());
    if (rc != 0) return std::string("unusable ephemeral key");
    channel_.setKeys(rx, tx);
    sodium_memzero(rx.data(), rx.size());
    sodium_memzero(tx.data(), tx.size());
    keysReady_ = true;
    return std::nullopt;
}

p2p::v1::Envelope StsHandshake::ack() {
    if (!keysReady_) throw std::logic_error("StsHandshake::ack before acceptHello");
    const auto digest =
        dialler_ ? transcriptDigest(self_.chainId, own_, peer_) : transcriptDigest(self_.chainId, peer_, own_);
    p2p::v1::Envelope e;
    e.mutable_hello_ack()->set_signature(bytesOf(nodeKey_.sign(digest.span()).span()));
    return channel_.seal(e);
}

std::optional<std::string> StsHandshake::finish(const p2p::v1::Envelope& reply) {
    if (!keysReady_) throw std::logic_error("StsHandshake::finish before acceptHello");
    if (reply.has_hello_ack() && !reply.hello_ack().reject_reason().empty())
        return "peer refused us: " + reply.hello_ack().reject_reason();
    p2p::v1::Envelope ack;
    if (auto reason = channel_.open(reply, ack)) return "handshake: " + *reason;
    if (!ack.has_hello_ack()) return std::string("handshake: expected the sealed HelloAck");
    const auto sig = Signature::fromSpan(spanOf(ack.hello_ack().signature()));
    const auto digest =
        dialler_ ? transcriptDigest(self_.chainId, own_, peer_) : transcriptDigest(self_.chainId, peer_, own_);
    if (!sig || !verifySchnorr(peerKey(), digest.span(), *sig))
        return std::string("bad transcript signature (a relay, or not the holder of the node key)");
    return std::nullopt;
}

}  // namespace agora::node
