#pragma once
// PeerManager: the node's p2p layer (docs/p2p.md), the facade the node wires
// and the driver sees as its ConsensusNetwork. It owns the connections: it
// serves Gossip.Connect streams on the p2p gRPC server, runs the handshake
// (Handshake.h, an encrypted stream after it: SecureStream.h) and admission
// (bans; p2p.max_inbound_peers and p2p.max_outbound_peers counted apart, with
// persistent and unconditional peers exempt from both; one stream per pair),
// keeps the established PeerConnections, and every `tick` sends its
// consensus position (Status) to all peers. A peer reporting a position at
// or below ours gets our known proposals and votes of its height again
// (catch-up); a peer reporting a higher height triggers the onPeerAhead hook
// (block sync). A peer that connects gets the mempool's pending txs (up to
// pendingTxBytesMax), as CometBFT's mempool reactor walks its mempool for each
// new peer: txs admitted before it connected would otherwise never reach it.
//
// The rest is delegated, one job per class:
//   GossipRouter    seen-cache, verify and dispatch
//   proposals/votes/evidence/txs, relay except to the source Dialer persistent
//   and learnt dial targets, backoff, dial threads AddressBook     learnt
//   addresses, peer exchange in and out BanList         offences and ban
//   durations (pure, clock passed in) BlockedPeers / P2pAdminService   fault
//   injection (tests only)
//
// Thread-safe. Handlers are called from connection threads and must not
// block for long. Lock order: Dialer, then the manager's lock, then the leaf
// locks of BlockedPeers, AddressBook, GossipRouter's seen-cache and each
// PeerConnection.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
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
#include "node/base/PeerAddress.h"
#include "node/config/SizeBudget.h"
#include "node/consensus/ConsensusDriver.h"
#include "node/p2p/AddressBook.h"
#include "node/p2p/BanList.h"
#include "node/p2p/BlockedPeers.h"
#include "node/p2p/Dialer.h"
#include "node/p2p/GossipRouter.h"
#include "node/p2p/Handshake.h"
#include "node/p2p/P2pAdminService.h"
#include "node/p2p/PeerConnection.h"
#include "node/p2p/RateLimiter.h"
#include "wallet/SecretKey.h"

namespace agora::node {

struct P2pOptions {
    LocalIdentity self;
    std::vector<PeerAddress> persistentPeers;
    // Node ids admitted and kept whatever the limits (CometBFT's
    // unconditional_peer_ids); persistent peers are exempt as well.
    std::set<std::string> unconditionalPeerIds;
    // Established peers by direction, not counting exempt ones.
    std::uint32_t maxInboundPeers = 40;
    std::uint32_t maxOutboundPeers = 10;
    std::uint32_t maxMessageBytes = budget::kDefaultP2pMessageBytes;  // >= budget::kProposalMessageBytesMax
    std::uint32_t sendQueueMax = 4096;
    // Bytes (serialized envelopes) queued per peer; >= 2 * maxMessageBytes.
    std::uint64_t sendQueueMaxBytes = budget::kDefaultSendQueueBytes;
    // Inbound rate per peer (RateLimiter.h); 0 = no limit in that dimension.
    RateLimit recvRate{budget::kDefaultRecvRateBytes, 20'000};
    bool peerExchange = true;
    std::chrono::milliseconds tick{500};
    std::chrono::milliseconds dialBackoffMin{200};
    std::chrono::milliseconds dialBackoffMax{5000};
    std::chrono::milliseconds handshakeTimeout{5000};
    std::chrono::milliseconds banBase{10'000};
};

struct PeerInfo {
    std::string nodeId;
    std::string listenAddress;  // what the peer advertised (may be empty)
    std::string moniker;
    bool outbound = false;
    PeerPosition position;
    std::size_t queued = 0;
    std::uint64_t dropped = 0;
    std::size_t queuedBytes = 0;
};

// What the p2p layer dropped and cut since start (/metrics, docs/api.md).
struct P2pStats {
    // Proposals and votes refused by admission, by reason (index = Admission).
    std::array<std::uint64_t, kAdmissionCount> refused{};
    // Gossiped evidence dropped (not relayed), by reason (index = EvidenceAdmission).
    std::array<std::uint64_t, kEvidenceAdmissionCount> evidenceRefused{};
    std::uint64_t rateLimitedMessages = 0;  // dropped over a peer's inbound rate
    std::uint64_t rateLimitedBytes = 0;
    std::uint64_t sendQueueDropped = 0;  // droppable messages not queued (queue half full)
    // Peers disconnected: over their inbound rate, for refused consensus
    // messages (kAdmissionStrikesMax), with a full send queue (too slow).
    std::uint64_t rateDisconnects = 0;
    std::uint64_t admissionDisconnects = 0;
    std::uint64_t slowPeerDisconnects = 0;
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
    // peers() as P2pAdmin.ListPeers answers it (tests only).
    p2p::v1::ListPeersResponse listPeers() const;
    std::size_t peerCount() const;
    P2pStats stats() const;

    // Consensus messages refused against an exactly known validator set
    // (scored()) that disconnect and ban the peer that sent them.
    static constexpr std::uint32_t kAdmissionStrikesMax = 16;
    // Tx bytes of the mempool queued to a peer when it connects: a quarter of
    // its send queue, below the half where droppable messages stop, so the
    // txs never crowd out consensus traffic or a catch-up reply.
    static std::uint64_t pendingTxBytesMax(const P2pOptions& options) { return options.sendQueueMaxBytes / 4; }
    const std::string& selfId() const { return selfId_; }
    // Offences recorded against a node id (tests, status).
    std::uint32_t offences(const std::string& nodeId) const;
    bool banned(const std::string& nodeId) const;

    // Runs one stream to its end (the Gossip service and the dialler call it);
    // true when the handshake succeeded.
    bool runConnection(PeerStream& stream, bool outbound, const std::optional<PeerAddress>& dialled);

private:
    class GossipServiceImpl;
    using Clock = std::chrono::steady_clock;
    enum class Verdict : std::uint8_t { Ok, Invalid };

    void runTicker();
    void tickDials(Clock::time_point now);
    std::optional<std::string> admit(const std::string& peerId, bool outbound);
    // Persistent or unconditional: outside both limits.
    bool exempt(const std::string& peerId) const;
    // Why a new non-exempt peer in this direction is refused, or nullopt (lock held).
    std::optional<std::string> directionFull(bool outbound) const;
    bool registerPeer(PeerConnection& conn);
    void unregisterPeer(PeerConnection& conn);
    Verdict handle(PeerConnection& conn, const p2p::v1::Envelope& msg);
    void punish(PeerConnection& conn, const std::string& reason);
    void sendCatchUp(PeerConnection& conn, const PeerPosition& peer);
    // Queues the mempool's pending txs to a peer that just connected.
    void sendPendingTxs(PeerConnection& conn);
    // Sends to every established, unblocked peer except `except`.
    void broadcast(const p2p::v1::Envelope& msg, bool droppable, std::uint64_t exceptConnection = 0);
    p2p::v1::Envelope pexReply() const;

    P2pOptions options_;
    const wallet::SecretKey& nodeKey_;
    GossipHandlers handlers_;
    std::string selfId_;
    std::unique_ptr<GossipServiceImpl> gossipService_;
    std::unique_ptr<P2pAdminService> adminService_;
    BlockedPeers blocked_;
    AddressBook book_;
    GossipRouter router_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool started_ = false;
    bool stopping_ = false;
    PeerAheadHook onPeerAhead_;
    std::function<void(const std::set<std::string>&)> onBlockedChanged_;
    std::function<void(const PeerInfo&)> onPeerConnected_;
    std::map<std::string, PeerConnection*> peers_;              // established, by node id
    std::map<PeerConnection*, Clock::time_point> handshaking_;  // deadline
    std::set<std::string> exemptIds_;                           // persistent and unconditional
    BanList bans_;
    std::uint64_t retiredSendDropped_ = 0;  // dropped() of connections gone (lock held)
    std::atomic<std::uint64_t> rateLimitedMessages_{0};
    std::atomic<std::uint64_t> rateLimitedBytes_{0};
    std::atomic<std::uint64_t> rateDisconnects_{0};
    std::atomic<std::uint64_t> admissionDisconnects_{0};
    std::atomic<std::uint64_t> slowPeerDisconnects_{0};
    std::thread ticker_;

    // Last: its dial threads call runConnection, so it goes (stopped) first.
    Dialer dialer_;
};

}  // namespace agora::node
