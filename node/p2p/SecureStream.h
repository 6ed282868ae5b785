#pragma once
// A PeerStream that passes the handshake's clear Hellos through and, once
// established, seals every Envelope written and opens every one read with the
// handshake's SecureChannel. A frame that does not open ends the stream: read()
// returns false and failure() says why (the owner logs it). No ban follows: a
// frame that fails to open may come from whoever sits on the path, not the
// peer the handshake named (docs/p2p.md).

#include <optional>
#include <string>

#include "node/p2p/PeerConnection.h"
#include "node/p2p/SecureChannel.h"

namespace agora::node {

class SecureStream final : public PeerStream {
public:
    explicit SecureStream(PeerStream& raw) : raw_(raw) {}

    // From now on every message is sealed with `channel`, which must outlive
    // this stream. Call from the owning thread before the writer starts.
    void establish(SecureChannel& channel) { channel_ = &channel; }

    bool read(p2p::v1::Envelope& out) override {
        if (channel_ == nullptr) return raw_.read(out);
        p2p::v1::Envelope frame;
        if (!raw_.read(frame)) return false;
        if (auto reason = channel_->open(frame, out)) {
            failure_ = std::move(reason);
            return false;
        }
        return true;
    }
    bool write(const p2p::v1::Envelope& msg) override {
        return channel_ == nullptr ? raw_.write(msg) : raw_.write(channel_->seal(msg));
    }
    void cancel() override { raw_.cancel(); }

    // Why the last read failed to open a frame (reader thread only).
    const std::optional<std::string>& failure() const { return failure_; }

private:
    PeerStream& raw_;
    SecureChannel* channel_ = nullptr;
    std::optional<std::string> failure_;
};

}  // namespace agora::node
