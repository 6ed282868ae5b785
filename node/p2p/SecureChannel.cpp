#include "node/p2p/SecureChannel.h"

#include <sodium.h>

#include <stdexcept>

namespace agora::node {

namespace {
using Nonce = std::array<std::uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES>;

Nonce nonceOf(std::uint64_t counter) {
    Nonce n{};
    for (std::size_t i = 0; i < 8; ++i) n[i] = static_cast<std::uint8_t>(counter >> (8 * i));
    return n;
}

static_assert(kSessionKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kSessionKeyBytes == crypto_kx_SESSIONKEYBYTES);
}  // namespace

bool sodiumReady() {
    static const bool ready = sodium_init() >= 0;
    return ready;
}

SecureChannel::~SecureChannel() {
    sodium_memzero(receiveKey_.data(), receiveKey_.size());
    sodium_memzero(sendKey_.data(), sendKey_.size());
}

void SecureChannel::setKeys(const std::array<std::uint8_t, kSessionKeyBytes>& receiveKey,
                            const std::array<std::uint8_t, kSessionKeyBytes>& sendKey) {
    receiveKey_ = receiveKey;
    sendKey_ = sendKey;
    receiveCounter_ = 0;
    sendCounter_ = 0;
    ready_ = true;
}

p2p::v1::Envelope SecureChannel::seal(const p2p::v1::Envelope& msg) {
    if (!ready_) throw std::logic_error("SecureChannel::seal before the handshake");
    // A counter never wraps: 2^64 frames is out of reach, but a reused nonce
    // would give the key away, so refuse rather than wrap.
    if (sendCounter_ == UINT64_MAX) throw std::runtime_error("p2p frame counter exhausted");
    const std::string plain = msg.SerializeAsString();
    std::string box(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long boxLen = 0;
    const auto nonce = nonceOf(sendCounter_);
    crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(box.data()), &boxLen,
                                               reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                                               nullptr, 0, nullptr, nonce.data(), sendKey_.data());
    box.resize(boxLen);
    p2p::v1::Envelope out;
    out.mutable_sealed()->set_counter(sendCounter_);
    out.mutable_sealed()->set_box(std::move(box));
    ++sendCounter_;
    return out;
}

std::optional<std::string> SecureChannel::open(const p2p::v1::Envelope& frame, p2p::v1::Envelope& out) {
    if (!ready_) return std::string("no session keys");
    if (!frame.has_sealed()) return std::string("plaintext message on an encrypted stream");
    const auto& sealed = frame.sealed();
    if (sealed.counter() != receiveCounter_)
        return "replayed or reordered frame: counter " + std::to_string(sealed.counter()) + ", expected " +
               std::to_string(receiveCounter_);
    const std::string& box = sealed.box();
    if (box.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) return std::string("frame too short");
    std::string plain(box.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long plainLen = 0;
    const auto nonce = nonceOf(receiveCounter_);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &plainLen, nullptr,
                                                   reinterpret_cast<const unsigned char*>(box.data()), box.size(),
                                                   nullptr, 0, nonce.data(), receiveKey_.data()) != 0)
        return std::string("frame failed authentication (tampered, or not sealed by the peer's session key)");
    if (receiveCounter_ == UINT64_MAX) return std::string("p2p frame counter exhausted");
    ++receiveCounter_;
    plain.resize(plainLen);
    if (!out.ParseFromString(plain)) return std::string("undecodable sealed message");
    if (out.has_sealed()) return std::string("sealed frame inside a sealed frame");
    return std::nullopt;
}

}  // namespace agora::node
