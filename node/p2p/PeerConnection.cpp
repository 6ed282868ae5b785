#include "node/p2p/PeerConnection.h"
#include "node/base/ThreadFailure.h"

namespace agora::node {

namespace {
std::atomic<std::uint64_t> nextConnectionId{1};
}

PeerConnection::PeerConnection(PeerStream& stream, bool outbound, std::size_t queueMax, std::size_t queueMaxBytes)
    : stream_(stream),
      outbound_(outbound),
      queueMax_(std::max<std::size_t>(queueMax, 2)),
      queueMaxBytes_(queueMaxBytes),
      id_(nextConnectionId++) {}

PeerConnection::~PeerConnection() {
    close();
    join();
}

void PeerConnection::identify(std::string nodeId, PublicKey key, std::string listenAddress, std::string moniker) {
    nodeId_ = std::move(nodeId);
    key_ = key;
    listenAddress_ = std::move(listenAddress);
    moniker_ = std::move(moniker);
}

void PeerConnection::startWriter() {
    writer_ = std::thread([this] { runGuarded("p2p-writer", [this] { runWriter(); }); });
}

bool PeerConnection::enqueue(p2p::v1::Envelope msg, bool droppable) {
    const std::size_t bytes = msg.ByteSizeLong();
    {
        std::lock_guard lock(mu_);
        if (closed_) return true;
        const std::size_t after = queueBytes_ + bytes;
        if (droppable && (queue_.size() >= queueMax_ / 2 || after > queueMaxBytes_ / 2)) {
            ++dropped_;
            return true;
        }
        if (queue_.size() >= queueMax_ || after > queueMaxBytes_) return false;
        queue_.push_back({std::move(msg), bytes});
        queueBytes_ = after;
    }
    cv_.notify_one();
    return true;
}

void PeerConnection::close() {
    {
        std::lock_guard lock(mu_);
        if (closed_.exchange(true)) return;
        queue_.clear();
        queueBytes_ = 0;
    }
    cv_.notify_all();
    stream_.cancel();
}

void PeerConnection::join() {
    if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

std::size_t PeerConnection::queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

std::size_t PeerConnection::queuedBytes() const {
    std::lock_guard lock(mu_);
    return queueBytes_;
}

PeerPosition PeerConnection::position() const {
    std::lock_guard lock(mu_);
    return position_;
}

void PeerConnection::setPosition(PeerPosition p) {
    std::lock_guard lock(mu_);
    position_ = p;
}

void PeerConnection::runWriter() {
    for (;;) {
        p2p::v1::Envelope msg;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
            if (closed_) return;
            auto pop = [this] {
                queueBytes_ -= queue_.front().bytes;
                queue_.pop_front();
            };
            msg = std::move(queue_.front().msg);
            pop();
            auto nextIsTx = [this] {
                return !queue_.empty() && queue_.front().msg.body_case() == p2p::v1::Envelope::kTx;
            };
            if (msg.body_case() == p2p::v1::Envelope::kTx && nextIsTx()) {
                // Coalesce the txs queued right behind it (order kept).
                p2p::v1::Envelope batch;
                auto* txs = batch.mutable_tx_batch()->mutable_txs();
                std::size_t bytes = msg.tx().size();
                txs->Add(std::move(*msg.mutable_tx()));
                while (nextIsTx() && static_cast<std::size_t>(txs->size()) < kTxBatchMaxTxs &&
                       bytes + queue_.front().msg.tx().size() <= kTxBatchMaxBytes) {
                    bytes += queue_.front().msg.tx().size();
                    txs->Add(std::move(*queue_.front().msg.mutable_tx()));
                    pop();
                }
                msg = std::move(batch);
            }
        }
        if (!stream_.write(msg)) {
            close();
            return;
        }
    }
}

}  // namespace agora::node
