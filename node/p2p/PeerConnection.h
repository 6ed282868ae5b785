#pragma once
// One authenticated p2p stream with a peer: a bounded send queue drained by
// a writer thread, the reading done by the thread that owns the stream (the
// gRPC handler for inbound streams, the dial thread for outbound ones).
//
// Send-queue policy (docs/p2p.md): a droppable message (txs, catch-up
// re-sends, status, peer exchange) is dropped when the queue is at least half
// full; any other message finding the queue full disconnects the peer, which
// is too slow to follow consensus and will catch up after reconnecting.
//
// Tx batching: the writer sends txs that wait in the queue back to back as
// one TxBatch message (up to kTxBatchMaxTxs txs / kTxBatchMaxBytes bytes), so
// under load a peer link carries one write and one wake-up per batch rather
// than per tx. Nothing waits for a batch to fill: a lone tx goes out at once.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agora/p2p/v1/p2p.pb.h"
#include "consensus/core/PublicKey.h"

namespace agora::node {

inline constexpr std::size_t kTxBatchMaxTxs = 256;
inline constexpr std::size_t kTxBatchMaxBytes = 1 << 20;

// The two ends of a gRPC bidirectional stream, server or client side.
class PeerStream {
public:
    virtual ~PeerStream() = default;
    virtual bool read(p2p::v1::Envelope& out) = 0;
    virtual bool write(const p2p::v1::Envelope& msg) = 0;
    // Ends the stream: pending and future read/write calls fail.
    virtual void cancel() = 0;
};

struct PeerPosition {
    std::uint64_t height = 0;
    std::uint32_t round = 0;
    std::uint32_t step = 0;
};

class PeerConnection {
public:
    PeerConnection(PeerStream& stream, bool outbound, std::size_t queueMax);
    ~PeerConnection();
    PeerConnection(const PeerConnection&) = delete;
    PeerConnection& operator=(const PeerConnection&) = delete;

    // Set once by the handshake, before the connection is shared.
    void identify(std::string nodeId, PublicKey key, std::string listenAddress, std::string moniker);
    // Starts the writer thread (after the handshake).
    void startWriter();
    // Queues a message; false when the queue policy says disconnect.
    bool enqueue(p2p::v1::Envelope msg, bool droppable);
    // Cancels the stream and stops the writer; idempotent, any thread.
    void close();
    // Joins the writer; call from the owning thread before the stream dies.
    void join();

    bool closed() const { return closed_.load(); }
    bool outbound() const { return outbound_; }
    const std::string& nodeId() const { return nodeId_; }
    const PublicKey& key() const { return key_; }
    const std::string& listenAddress() const { return listenAddress_; }
    const std::string& moniker() const { return moniker_; }
    std::uint64_t id() const { return id_; }
    std::size_t queued() const;
    std::uint64_t dropped() const { return dropped_.load(); }

    PeerPosition position() const;
    void setPosition(PeerPosition p);

private:
    void runWriter();

    PeerStream& stream_;
    bool outbound_;
    std::size_t queueMax_;
    std::uint64_t id_;
    std::string nodeId_;
    PublicKey key_;
    std::string listenAddress_;
    std::string moniker_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<p2p::v1::Envelope> queue_;
    PeerPosition position_;
    std::atomic<bool> closed_{false};
    std::atomic<std::uint64_t> dropped_{0};
    std::thread writer_;
};

}  // namespace agora::node
