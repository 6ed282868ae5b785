#include "node/p2p/PeerConnection.h"
#include "node/base/ThreadFailure.h"

namespace agora::node {

namespace {
std::atomic<std::uint64_t> nextConnectionId{1};
}

PeerConnection::PeerConnection(PeerStream& stream, bool outbound, std::size_t queueMax)
    : stream_(stream), outbound_(outbound), queueMax_(std::max<std::size_t>(queueMax, 2)), id_(nextConnectionId++) {}

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
    {
        std::lock_guard lock(mu_);
        if (closed_) return true;
        if (droppable && queue_.size() >= queueMax_ / 2) {
            ++dropped_;
            return true;
        }
        if (queue_.size() >= queueMax_) return false;
        queue_.push_back(std::move(msg));
    }
    cv_.notify_one();
    return true;
}

void PeerConnection::close() {
    {
        std::lock_guard lock(mu_);
        if (closed_.exchange(true)) return;
        queue_.clear();
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
            msg = std::move(queue_.front());
            queue_.pop_front();
            if (msg.body_case() == p2p::v1::Envelope::kTx && !queue_.empty() &&
                queue_.front().body_case() == p2p::v1::Envelope::kTx) {
                // Coalesce the txs queued right behind it (order kept).
                p2p::v1::Envelope batch;
                auto* txs = batch.mutable_tx_batch()->mutable_txs();
                std::size_t bytes = msg.tx().size();
                txs->Add(std::move(*msg.mutable_tx()));
                while (!queue_.empty() && queue_.front().body_case() == p2p::v1::Envelope::kTx &&
                       static_cast<std::size_t>(txs->size()) < kTxBatchMaxTxs &&
                       bytes + queue_.front().tx().size() <= kTxBatchMaxBytes) {
                    bytes += queue_.front().tx().size();
                    txs->Add(std::move(*queue_.front().mutable_tx()));
                    queue_.pop_front();
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
