#pragma once
// The sealed half of a p2p stream after the handshake (Handshake.h, decision
// 45): every Envelope travels as a SealedFrame, XChaCha20-Poly1305 under the
// sender's session key with the frame counter as nonce. Each direction has its
// own key and counter, so a frame cannot be reflected back, replayed, dropped
// or reordered without the next open() failing with a reason.
//
// Threads: seal() is called by the stream's writer only and open() by its
// reader only; the two directions share no state.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "agora/p2p/v1/p2p.pb.h"

namespace agora::node {

inline constexpr std::size_t kSessionKeyBytes = 32;
// Bytes a sealed frame adds to the Envelope it carries (tag, counter, field
// headers), with room to spare: gRPC limits add it to p2p.max_message_bytes.
inline constexpr std::uint32_t kSealedFrameOverhead = 64;

// Makes libsodium ready (idempotent, thread-safe); false if it cannot start.
bool sodiumReady();

class SecureChannel {
public:
    SecureChannel() = default;
    ~SecureChannel();
    SecureChannel(const SecureChannel&) = delete;
    SecureChannel& operator=(const SecureChannel&) = delete;

    // Installs the session keys (from crypto_kx) and resets both counters.
    void setKeys(const std::array<std::uint8_t, kSessionKeyBytes>& receiveKey,
                 const std::array<std::uint8_t, kSessionKeyBytes>& sendKey);
    bool ready() const { return ready_; }

    // The Envelope `msg` serialized and sealed as the next frame.
    p2p::v1::Envelope seal(const p2p::v1::Envelope& msg);
    // Opens the next frame into `out`; a reason when it is not one (plaintext,
    // replayed or reordered, tampered, undecodable).
    std::optional<std::string> open(const p2p::v1::Envelope& frame, p2p::v1::Envelope& out);

    std::uint64_t sent() const { return sendCounter_; }
    std::uint64_t received() const { return receiveCounter_; }

private:
    std::array<std::uint8_t, kSessionKeyBytes> receiveKey_{};
    std::array<std::uint8_t, kSessionKeyBytes> sendKey_{};
    std::uint64_t receiveCounter_ = 0;
    std::uint64_t sendCounter_ = 0;
    bool ready_ = false;
};

}  // namespace agora::node
