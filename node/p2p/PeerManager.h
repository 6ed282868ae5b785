#pragma once
// PeerManager: the node's p2p layer (docs/p2p.md). Serves Gossip.Connect
// streams on the p2p gRPC server, dials persistent peers (and addresses
// learnt by peer exchange) with exponential backoff, authenticates each
// stream with the handshake (Handshake.h), and gossips proposals, votes,
// evidence and txs. It implements ConsensusNetwork for the driver.
//
// Every `tick` it sends its consensus position (Status) to all peers; a peer
// reporting a position at or below ours gets our known proposals and votes
// of its height again (catch-up), a peer reporting a higher height triggers
// the onPeerAhead hook (block sync).
//
// A peer that sends undecodable or invalid data is disconnected and banned
// for banBase * 2^(offences-1), at most ten minutes. Blocked node ids (fault
// injection for tests, P2pAdmin.SetBlocked) have all traffic dropped.
//
// Thread-safe. Handlers are called from connection threads and must not
// block for long.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "agora/p2p/v1/p2p.grpc.pb.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/Tx.h"
#include "consensus/core/Vote.h"
#include "node/config/SizeBudget.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/p2p/Handshake.h"
#include "node/base/PeerAddress.h"
#include "node/p2p/PeerConnection.h"
#include "wallet/SecretKey.h"

namespace agora::node {

struct P2pOptions {
    LocalIdentity self;
    std::vector<PeerAddress> persistentPeers;
    std::uint32_t maxPeers = 40;
    std::uint32_t maxMessageBytes = budget::kDefaultP2pMessageBytes;  // >= budget::kProposalMessageBytesMax
    std::uint32_t sendQueueMax = 4096;
    bool peerExchange = true;
    std::chrono::milliseconds tick{500};
    std::chrono::milliseconds dialBackoffMin{200};
    std::chrono::milliseconds dialBackoffMax{5000};
    std::chrono::milliseconds handshakeTimeout{5000};
    std::chrono::milliseconds banBase{10'000};
};

// Canonical messages to re-send to a peer (see ConsensusDriver::catchUpFor).
struct CatchUpMessages {
    std::vector<Bytes> proposals;
    std::vector<Bytes> votes;
};

struct GossipHandlers {
    std::function<void(Proposal)> onProposal;  // signature already verified
    std::function<void(Vote)> onVote;          // signature already verified
    // A decoded tx from the peer with connection id `from` (admission is the
    // mempool's; what it admits it relays through broadcastTx, except to `from`).
    std::function<void(TxRef tx, std::uint64_t from)> onTx;
    std::function<void(DuplicateVoteEvidence)> onEvidence;  // verified
    std::function<PeerPosition()> position;
    std::function<CatchUpMessages(const PeerPosition&)> catchUp;
};

struct PeerInfo {
    std::string nodeId;
    std::string listenAddress;  // what the peer advertised (may be empty)
    std::string moniker;
    bool outbound = false;
    PeerPosition position;
    std::size_t queued = 0;
    std::uint64_t dropped = 0;
};

class PeerManager final : public ConsensusNetwork {
public:
    using PeerAheadHook = std::function<void(std::uint64_t peerHeight, const std::string& nodeId)>;

    PeerManager(P2pOptions options, const wallet::SecretKey& nodeKey, GossipHandlers handlers);
    ~PeerManager() override;
    PeerManager(const PeerManager&) = delete;
    PeerManager& operator=(const PeerManager&) = delete;

    // Register on the p2p gRPC server before it starts.
    grpc::Service* gossipService();
    // TEST ONLY (allow_fault_injection): P2pAdmin.SetBlocked.
    grpc::Service* adminService();

    void start();
    // Closes every stream and joins every thread; idempotent.
    void stop();

    void broadcastProposal(const Proposal& proposal) override;
    void broadcastVote(const Vote& vote) override;
    void broadcastEvidence(const DuplicateVoteEvidence& evidence) override;
    // To every peer but the connection `except` (the one it came from; 0 = none).
    void broadcastTx(const DecodedTx& tx, std::uint64_t except);

    // Called when a peer reports a height above ours (set before start()).
    void setOnPeerAhead(PeerAheadHook hook);
    // Called (outside the manager's lock) with the new blocked set whenever
    // fault injection changes it, so other peer traffic (block sync) obeys
    // the same partition. Set before start().
    void setOnBlockedChanged(std::function<void(const std::set<std::string>&)> hook) {
        onBlockedChanged_ = std::move(hook);
    }
    // Called (outside the manager's lock) after an unblocked peer completes
    // the handshake and advertises a dialable listen address ("host:port"),
    // whether it came from the persistent list, peer exchange or dialled us:
    // the node feeds these to block sync. Set before start().
    void setOnPeerConnected(std::function<void(const PeerInfo&)> hook) { onPeerConnected_ = std::move(hook); }
    // Dialable listen addresses ("host:port") of established, unblocked peers.
    std::vector<std::string> connectedAddresses() const;
    // Replaces the set of node ids whose traffic is dropped (fault injection).
    void setBlocked(std::set<std::string> nodeIds);

    std::vector<PeerInfo> peers() const;
    std::size_t peerCount() const;
    const std::string& selfId() const { return selfId_; }
    // Offences recorded against a node id (tests, status).
    std::uint32_t offences(const std::string& nodeId) const;
    bool banned(const std::string& nodeId) const;

    // Runs one stream to its end (the Gossip service and the dialler call it);
    // true when the handshake succeeded.
    bool runConnection(PeerStream& stream, bool outbound, const std::optional<PeerAddress>& dialled);

private:
    class GossipServiceImpl;
    class AdminServiceImpl;
    using Clock = std::chrono::steady_clock;
    struct DialState {
        PeerAddress address;
        bool persistent = false;
        bool active = false;
        std::uint32_t failures = 0;
        Clock::time_point nextAttempt{};
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
    };
    struct Misbehaviour {
        std::uint32_t offences = 0;
        Clock::time_point bannedUntil{};
    };
    enum class Verdict : std::uint8_t { Ok, Invalid };

    void runTicker();
    void tickDials(Clock::time_point now);
    bool dialOnce(const PeerAddress& address);
    std::optional<std::string> admit(const std::string& peerId, bool outbound);
    bool registerPeer(PeerConnection& conn);
    void unregisterPeer(PeerConnection& conn);
    Verdict handle(PeerConnection& conn, const p2p::v1::Envelope& msg);
    Verdict receiveTx(PeerConnection& conn, ByteSpan bytes);
    void punish(PeerConnection& conn, const std::string& reason);
    void sendCatchUp(PeerConnection& conn, const PeerPosition& peer);
    // Sends to every established, unblocked peer except `except`.
    void broadcast(const p2p::v1::Envelope& msg, bool droppable, std::uint64_t exceptConnection = 0);
    bool markSeen(const Hash256& hash);
    bool isBlocked(const std::string& nodeId) const;
    void learnAddress(const PeerAddress& address);
    p2p::v1::Envelope pexReply() const;

    P2pOptions options_;
    const wallet::SecretKey& nodeKey_;
    GossipHandlers handlers_;
    std::string selfId_;
    std::unique_ptr<GossipServiceImpl> gossipService_;
    std::unique_ptr<AdminServiceImpl> adminService_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool started_ = false;
    bool stopping_ = false;
    PeerAheadHook onPeerAhead_;
    std::function<void(const std::set<std::string>&)> onBlockedChanged_;
    std::function<void(const PeerInfo&)> onPeerConnected_;
    std::map<std::string, PeerConnection*> peers_;              // established, by node id
    std::map<PeerConnection*, Clock::time_point> handshaking_;  // deadline
    std::map<std::string, DialState> dials_;                    // by NODEID@host:port
    std::map<std::string, PeerAddress> book_;                   // learnt addresses, by node id
    std::map<std::string, Misbehaviour> misbehaviour_;
    std::set<std::string> blocked_;
    std::set<std::string> selfAddresses_;  // dialled addresses that turned out to be us
    std::thread ticker_;

    mutable std::mutex seenMu_;
    std::set<Hash256> seen_;
    std::deque<Hash256> seenOrder_;
};

}  // namespace agora::node
