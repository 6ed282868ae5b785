// PeerConnection's writer against a recording stream: queue policy and tx batching.
#include <catch2/catch.hpp>

#include <mutex>
#include <vector>

#include "node/p2p/PeerConnection.h"
#include "support/ChildProcess.h"

using namespace agora;
using namespace agora::node;
using namespace std::chrono_literals;

namespace {

class RecordingStream final : public PeerStream {
public:
    bool read(p2p::v1::Envelope&) override { return false; }
    bool write(const p2p::v1::Envelope& msg) override {
        std::lock_guard lock(mu_);
        written_.push_back(msg);
        return true;
    }
    void cancel() override {}
    std::vector<p2p::v1::Envelope> written() const {
        std::lock_guard lock(mu_);
        return written_;
    }

private:
    mutable std::mutex mu_;
    std::vector<p2p::v1::Envelope> written_;
};

p2p::v1::Envelope txMsg(std::size_t i, std::size_t size = 8) {
    p2p::v1::Envelope e;
    std::string body(size, 'x');
    body.replace(0, std::min(size, std::to_string(i).size()), std::to_string(i).substr(0, size));
    e.set_tx(body);
    return e;
}

p2p::v1::Envelope voteMsg() {
    p2p::v1::Envelope e;
    e.set_vote("vote");
    return e;
}

// The txs a list of written messages carries, in order, as the strings sent.
std::vector<std::string> txsIn(const std::vector<p2p::v1::Envelope>& written) {
    std::vector<std::string> out;
    for (const auto& m : written) {
        if (m.has_tx_batch())
            for (const auto& t : m.tx_batch().txs()) out.push_back(t);
        else if (m.body_case() == p2p::v1::Envelope::kTx)
            out.push_back(m.tx());
    }
    return out;
}

}  // namespace

TEST_CASE("txs queued back to back are written as batches of at most 256, in order, other messages in place", "[p2p]") {
    RecordingStream stream;
    PeerConnection conn(stream, true, 4096);
    std::vector<std::string> sent;
    for (std::size_t i = 0; i < 600; ++i) {
        auto m = txMsg(i);
        sent.push_back(m.tx());
        REQUIRE(conn.enqueue(std::move(m), true));
        if (i == 299) REQUIRE(conn.enqueue(voteMsg(), false));
    }
    REQUIRE(conn.enqueue(voteMsg(), false));
    conn.startWriter();
    REQUIRE(test::waitUntil([&] { return stream.written().size() == 6; }, 10s));
    conn.close();
    conn.join();

    const auto w = stream.written();
    // 300 txs -> 256 + 44, the vote, 300 txs -> 256 + 44, the vote.
    REQUIRE(w.size() == 6);
    REQUIRE(w[0].tx_batch().txs_size() == 256);
    REQUIRE(w[1].tx_batch().txs_size() == 44);
    REQUIRE(w[2].body_case() == p2p::v1::Envelope::kVote);
    REQUIRE(w[3].tx_batch().txs_size() == 256);
    REQUIRE(w[4].tx_batch().txs_size() == 44);
    REQUIRE(w[5].body_case() == p2p::v1::Envelope::kVote);
    CHECK(txsIn(w) == sent);
}

TEST_CASE("a lone queued tx is written as a plain tx and a batch stops at 1 MiB of tx bytes", "[p2p]") {
    RecordingStream stream;
    PeerConnection conn(stream, true, 4096);
    REQUIRE(conn.enqueue(txMsg(1), true));
    conn.startWriter();
    REQUIRE(test::waitUntil([&] { return stream.written().size() == 1; }, 10s));
    CHECK(stream.written()[0].body_case() == p2p::v1::Envelope::kTx);
    conn.close();
    conn.join();

    RecordingStream big;
    PeerConnection conn2(big, true, 4096);
    // 5 txs of 300 KiB: 3 fit under 1 MiB (900 KiB), the 4th starts a new batch.
    std::vector<std::string> sent;
    for (std::size_t i = 0; i < 5; ++i) {
        auto m = txMsg(i, 300 * 1024);
        sent.push_back(m.tx());
        REQUIRE(conn2.enqueue(std::move(m), true));
    }
    conn2.startWriter();
    REQUIRE(test::waitUntil([&] { return txsIn(big.written()).size() == 5; }, 10s));
    conn2.close();
    conn2.join();
    const auto w = big.written();
    REQUIRE(w.size() == 2);
    CHECK(w[0].tx_batch().txs_size() == 3);
    CHECK(w[1].tx_batch().txs_size() == 2);
    CHECK(txsIn(w) == sent);
}

TEST_CASE(
    "the send queue is bounded in bytes: droppable messages stop at half, a consensus message past it all "
    "disconnects",
    "[p2p][queue]") {
    RecordingStream stream;
    // Room for 10,000 messages but only 1 MiB; the writer is not started, so
    // everything stays queued.
    PeerConnection conn(stream, true, 10'000, 1 << 20);
    auto proposalMsg = [](std::size_t bytes) {
        p2p::v1::Envelope e;
        e.set_proposal(std::string(bytes, 'p'));
        return e;
    };
    // Droppable (a catch-up re-send of a proposal): queued while the queue stays within half.
    CHECK(conn.enqueue(proposalMsg(300 * 1024), true));
    CHECK(conn.queued() == 1);
    CHECK(conn.enqueue(proposalMsg(300 * 1024), true));  // would pass 512 KiB: dropped, not queued
    CHECK(conn.queued() == 1);
    CHECK(conn.dropped() == 1);
    const std::size_t first = conn.queuedBytes();
    CHECK(first > 300 * 1024);
    // Consensus messages fill it to the byte bound...
    CHECK(conn.enqueue(proposalMsg(600 * 1024), false));
    CHECK(conn.queued() == 2);
    CHECK(conn.queuedBytes() > 900 * 1024);
    // ...and one that would pass it says disconnect, although the count is far from its bound.
    CHECK_FALSE(conn.enqueue(proposalMsg(200 * 1024), false));
    CHECK(conn.queued() == 2);
    // Small messages still fit in what is left.
    CHECK(conn.enqueue(voteMsg(), false));
}

TEST_CASE("the queued bytes go down as the writer sends, batched txs included", "[p2p][queue]") {
    RecordingStream stream;
    PeerConnection conn(stream, true, 10'000, 1 << 20);
    for (std::size_t i = 0; i < 100; ++i) REQUIRE(conn.enqueue(txMsg(i, 1000), true));
    REQUIRE(conn.enqueue(voteMsg(), false));
    CHECK(conn.queuedBytes() > 100 * 1000);
    conn.startWriter();
    REQUIRE(test::waitUntil([&] { return conn.queued() == 0; }, 5s));
    CHECK(conn.queuedBytes() == 0);
    CHECK(txsIn(stream.written()).size() == 100);
    conn.close();
    conn.join();
}
