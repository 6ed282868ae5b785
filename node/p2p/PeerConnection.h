#pragma once
// One authenticated p2p stream with a peer: a bounded send queue drained by
// a writer thread, the reading done by the thread that owns the stream (the
// gRPC handler for inbound streams, the dial thread for outbound ones).
//
// Send-queue policy (docs/p2p.md): the queue is bounded in messages and in
// bytes (the serialized envelopes). A droppable message (txs, catch-up
// re-sends, status, peer exchange) is dropped when it would take the queue
// past half of either bound; any other message that would take it past
// either bound disconnects the peer, which is too slow to follow consensus
// and will catch up after reconnecting.
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
#include <limits>
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
    PeerConnection(PeerStream& stream, bool outbound, std::size_t queueMax,
                   std::size_t queueMaxBytes = std::numeric_limits<std::size_t>::max());
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
    std::size_t queuedBytes() const;
    std::uint64_t dropped() const { return dropped_.load(); }

    // Consensus messages from this peer refused against an exactly known
    // validator set (ConsensusAdmission scored()); the reader thread's count.
    std::uint32_t addAdmissionStrike() { return ++admissionStrikes_; }

    PeerPosition position() const;
    void setPosition(PeerPosition p);

private:
    void runWriter();

    struct Queued {
        p2p::v1::Envelope msg;
        std::size_t bytes = 0;
    };

    PeerStream& stream_;
    bool outbound_;
    std::size_t queueMax_;
    std::size_t queueMaxBytes_;
    std::uint64_t id_;
    std::string nodeId_;
    PublicKey key_;
    std::string listenAddress_;
    std::string moniker_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Queued> queue_;
    std::size_t queueBytes_ = 0;
    PeerPosition position_;
    std::uint32_t admissionStrikes_ = 0;
    std::atomic<bool> closed_{false};
    std::atomic<std::uint64_t> dropped_{0};
    std::thread writer_;
};

}  // namespace agora::node
