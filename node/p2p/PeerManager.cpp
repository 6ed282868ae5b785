#include "node/p2p/PeerManager.h"

#include <algorithm>

#include "node/base/Logging.h"
#include "node/base/NodeId.h"
#include "node/base/ThreadFailure.h"
#include "node/p2p/SecureStream.h"

namespace agora::node {

namespace {
std::shared_ptr<spdlog::logger> log() {
    return moduleLog("p2p");
}

using p2p::v1::Envelope;

constexpr std::uint32_t kPexEveryTicks = 10;
constexpr auto kDialPoll = std::chrono::milliseconds(100);

std::string stringOf(ByteSpan b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

class ServerPeerStream final : public PeerStream {
public:
    ServerPeerStream(grpc::ServerContext& ctx, grpc::ServerReaderWriter<Envelope, Envelope>& rw) : ctx_(ctx), rw_(rw) {}
    bool read(Envelope& out) override { return rw_.Read(&out); }
    bool write(const Envelope& msg) override { return rw_.Write(msg); }
    void cancel() override { ctx_.TryCancel(); }

private:
    grpc::ServerContext& ctx_;
    grpc::ServerReaderWriter<Envelope, Envelope>& rw_;
};

Envelope statusOf(const PeerPosition& pos) {
    Envelope st;
    st.mutable_status()->set_height(pos.height);
    st.mutable_status()->set_round(pos.round);
    st.mutable_status()->set_step(pos.step);
    return st;
}
}  // namespace

class PeerManager::GossipServiceImpl final : public p2p::v1::Gossip::Service {
public:
    explicit GossipServiceImpl(PeerManager& m) : m_(m) {}
    grpc::Status Connect(grpc::ServerContext* ctx, grpc::ServerReaderWriter<Envelope, Envelope>* rw) override {
        ServerPeerStream stream(*ctx, *rw);
        m_.runConnection(stream, false, std::nullopt);
        return grpc::Status::OK;
    }

private:
    PeerManager& m_;
};

PeerManager::PeerManager(P2pOptions options, const wallet::SecretKey& nodeKey, GossipHandlers handlers)
    : options_(std::move(options)),
      nodeKey_(nodeKey),
      handlers_(std::move(handlers)),
      selfId_(nodeIdOf(nodeKey.publicKey())),
      gossipService_(std::make_unique<GossipServiceImpl>(*this)),
      adminService_(std::make_unique<P2pAdminService>([this](std::set<std::string> ids) { setBlocked(std::move(ids)); },
                                                      [this] { return listPeers(); })),
      book_(selfId_),
      router_(options_.self.chainId, handlers_,
              [this](const Envelope& msg, bool droppable, std::uint64_t except) { broadcast(msg, droppable, except); }),
      exemptIds_(options_.unconditionalPeerIds),
      bans_(options_.banBase),
      dialer_(DialerOptions{options_.dialBackoffMin, options_.dialBackoffMax, options_.maxMessageBytes},
              options_.persistentPeers, selfId_,
              [this](PeerStream& stream, const PeerAddress& dialled) { return runConnection(stream, true, dialled); }) {
    for (const auto& peer : options_.persistentPeers) exemptIds_.insert(peer.nodeId);
}

PeerManager::~PeerManager() {
    stop();
}

grpc::Service* PeerManager::gossipService() {
    return gossipService_.get();
}
grpc::Service* PeerManager::adminService() {
    return adminService_.get();
}

void PeerManager::setOnPeerAhead(PeerAheadHook hook) {
    std::lock_guard lock(mu_);
    onPeerAhead_ = std::move(hook);
}

void PeerManager::setBlocked(std::set<std::string> nodeIds) {
    log()->warn("fault injection: blocking {} peers", nodeIds.size());
    blocked_.replace(nodeIds);
    if (onBlockedChanged_) onBlockedChanged_(nodeIds);
}

void PeerManager::start() {
    std::lock_guard lock(mu_);
    if (started_) return;
    started_ = true;
    ticker_ = std::thread([this] { runGuarded("p2p-ticker", [this] { runTicker(); }); });
}

void PeerManager::stop() {
    auto closeAll = [this] {
        for (auto& [id, conn] : peers_) conn->close();
        for (auto& [conn, deadline] : handshaking_) conn->close();
    };
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        stopping_ = true;
        closeAll();
    }
    cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
    // Dial threads end: their streams were cancelled, new ones refuse to
    // register.
    dialer_.stop([&] {
        std::lock_guard lock(mu_);
        closeAll();
    });
}

std::vector<PeerInfo> PeerManager::peers() const {
    std::lock_guard lock(mu_);
    std::vector<PeerInfo> out;
    for (const auto& [id, conn] : peers_)
        out.push_back({id, conn->listenAddress(), conn->moniker(), conn->outbound(), conn->position(), conn->queued(),
                       conn->dropped(), conn->queuedBytes()});
    return out;
}

p2p::v1::ListPeersResponse PeerManager::listPeers() const {
    p2p::v1::ListPeersResponse resp;
    for (const auto& info : peers()) {
        auto* p = resp.add_peers();
        p->set_node_id(info.nodeId);
        p->set_listen_address(info.listenAddress);
        p->set_moniker(info.moniker);
        p->set_outbound(info.outbound);
        p->set_height(info.position.height);
        p->set_round(info.position.round);
        p->set_step(info.position.step);
        p->set_queued(info.queued);
        p->set_dropped(info.dropped);
    }
    return resp;
}

std::vector<std::string> PeerManager::connectedAddresses() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [id, conn] : peers_) {
        if (blocked_.contains(id)) continue;
        auto addr = PeerAddress::parse(id + "@" + conn->listenAddress());
        if (addr && AddressBook::dialable(addr->hostPort)) out.push_back(addr->hostPort);
    }
    return out;
}

std::size_t PeerManager::peerCount() const {
    std::lock_guard lock(mu_);
    return peers_.size();
}

std::uint32_t PeerManager::offences(const std::string& nodeId) const {
    std::lock_guard lock(mu_);
    return bans_.offences(nodeId);
}

bool PeerManager::banned(const std::string& nodeId) const {
    std::lock_guard lock(mu_);
    return bans_.banned(nodeId, Clock::now());
}

// ---- connections -----------------------------------------------------------

bool PeerManager::exempt(const std::string& peerId) const {
    return exemptIds_.count(peerId) != 0;
}

std::optional<std::string> PeerManager::directionFull(bool outbound) const {
    std::uint32_t count = 0;
    for (const auto& [id, conn] : peers_)
        if (conn->outbound() == outbound && !exempt(id)) ++count;
    if (outbound && count >= options_.maxOutboundPeers)
        return std::string("too many outbound peers (p2p.max_outbound_peers)");
    if (!outbound && count >= options_.maxInboundPeers)
        return std::string("too many inbound peers (p2p.max_inbound_peers)");
    return std::nullopt;
}

std::optional<std::string> PeerManager::admit(const std::string& peerId, bool outbound) {
    std::lock_guard lock(mu_);
    if (stopping_) return std::string("node is shutting down");
    if (bans_.banned(peerId, Clock::now())) return std::string("banned");
    if (peers_.count(peerId) != 0 || exempt(peerId)) return std::nullopt;
    return directionFull(outbound);
}

bool PeerManager::runConnection(PeerStream& rawStream, bool outbound, const std::optional<PeerAddress>& dialled) {
    SecureStream stream(rawStream);
    PeerConnection conn(stream, outbound, options_.sendQueueMax, options_.sendQueueMaxBytes);
    {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
        handshaking_.emplace(&conn, Clock::now() + options_.handshakeTimeout);
    }
    auto leaveHandshake = [&] {
        std::lock_guard lock(mu_);
        handshaking_.erase(&conn);
    };
    const std::string label = dialled ? dialled->toString() : std::string("inbound stream");
    StsHandshake handshake(options_.self, nodeKey_, outbound, dialled ? std::optional(dialled->nodeId) : std::nullopt);
    Envelope in;
    if (!stream.write(handshake.hello()) || !stream.read(in) || !in.has_hello()) {
        leaveHandshake();
        if (dialled) log()->debug("no handshake from {}", label);
        return false;
    }
    const p2p::v1::Hello hello = in.hello();
    auto reason = handshake.acceptHello(hello);
    const PublicKey peerKey = helloKey(hello);
    const std::string peerId = nodeIdOf(peerKey);
    if (!reason) reason = admit(peerId, outbound);
    if (reason) {
        stream.write(StsHandshake::refusal(*reason));
        leaveHandshake();
        log()->info("refused {} peer {}: {}", outbound ? "outbound" : "inbound", dialled ? label : peerId, *reason);
        if (dialled && *reason == "connection to self") dialer_.markSelf(*dialled);
        return false;
    }
    if (!stream.write(handshake.ack()) || !stream.read(in)) {
        leaveHandshake();
        return false;
    }
    // No ban on a failed finish: a relay on the path can cause one.
    if (auto failed = handshake.finish(in)) {
        leaveHandshake();
        log()->warn("handshake with {} peer {} failed: {}", outbound ? "outbound" : "inbound", peerId, *failed);
        return false;
    }
    stream.establish(handshake.channel());
    conn.identify(peerId, peerKey, hello.listen_address(), hello.moniker());
    leaveHandshake();
    if (!registerPeer(conn)) return false;
    conn.startWriter();
    log()->info("connected {} peer {} ({}, {})", outbound ? "outbound" : "inbound", peerId, hello.moniker(),
                hello.listen_address());
    if (auto addr = PeerAddress::parse(peerId + "@" + hello.listen_address())) {
        book_.learn(*addr);
        if (onPeerConnected_ && AddressBook::dialable(addr->hostPort) && !blocked_.contains(peerId))
            onPeerConnected_(PeerInfo{peerId, addr->hostPort, hello.moniker(), outbound, {}, 0, 0});
    }
    conn.enqueue(statusOf(handlers_.position ? handlers_.position() : PeerPosition{}), true);
    if (options_.peerExchange) {
        Envelope pex;
        pex.mutable_pex_request();
        conn.enqueue(std::move(pex), true);
    }
    sendPendingTxs(conn);
    // Inbound rate (docs/p2p.md, "Limits"): over it, messages are dropped
    // unread; past one second's allowance of drops the peer is cut and banned.
    InboundRateLimiter rate(options_.recvRate, Clock::now());
    while (!conn.closed() && stream.read(in)) {
        const std::uint64_t bytes = in.ByteSizeLong();
        if (!rate.admit(bytes, Clock::now())) {
            rateLimitedMessages_.fetch_add(1, std::memory_order_relaxed);
            rateLimitedBytes_.fetch_add(bytes, std::memory_order_relaxed);
            if (rate.overLimit()) {
                rateDisconnects_.fetch_add(1, std::memory_order_relaxed);
                punish(conn, "over its inbound rate (" + std::to_string(rate.droppedMessages()) + " messages, " +
                                 std::to_string(rate.droppedBytes()) + " bytes dropped)");
                break;
            }
            continue;
        }
        if (handle(conn, in) == Verdict::Invalid) break;
    }
    if (stream.failure()) log()->warn("closing the stream of peer {}: {}", peerId, *stream.failure());
    unregisterPeer(conn);
    conn.close();
    conn.join();
    log()->info("disconnected peer {}", peerId);
    return true;
}

bool PeerManager::registerPeer(PeerConnection& conn) {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    auto it = peers_.find(conn.nodeId());
    if (it != peers_.end()) {
        // Two streams between the same pair (both dialled at once): both ends keep
        // the one dialled by the lower node id; same direction: the newer one.
        auto dialer = [&](const PeerConnection& c) { return c.outbound() ? selfId_ : c.nodeId(); };
        const std::string lower = std::min(selfId_, conn.nodeId());
        const bool newPreferred = dialer(conn) == lower || dialer(*it->second) == dialer(conn);
        if (!newPreferred) return false;
        it->second->close();
        it->second = &conn;
        return true;
    }
    if (!exempt(conn.nodeId()) && directionFull(conn.outbound())) return false;
    peers_.emplace(conn.nodeId(), &conn);
    return true;
}

void PeerManager::unregisterPeer(PeerConnection& conn) {
    std::lock_guard lock(mu_);
    auto it = peers_.find(conn.nodeId());
    if (it != peers_.end() && it->second == &conn) {
        peers_.erase(it);
        retiredSendDropped_ += conn.dropped();
    }
}

P2pStats PeerManager::stats() const {
    P2pStats s;
    for (std::size_t i = 0; i < kAdmissionCount; ++i) s.refused[i] = router_.refusedCount(static_cast<Admission>(i));
    for (std::size_t i = 0; i < kEvidenceAdmissionCount; ++i)
        s.evidenceRefused[i] = router_.evidenceRefusedCount(static_cast<EvidenceAdmission>(i));
    s.rateLimitedMessages = rateLimitedMessages_.load(std::memory_order_relaxed);
    s.rateLimitedBytes = rateLimitedBytes_.load(std::memory_order_relaxed);
    s.rateDisconnects = rateDisconnects_.load(std::memory_order_relaxed);
    s.admissionDisconnects = admissionDisconnects_.load(std::memory_order_relaxed);
    s.slowPeerDisconnects = slowPeerDisconnects_.load(std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    s.sendQueueDropped = retiredSendDropped_;
    for (const auto& [id, conn] : peers_) s.sendQueueDropped += conn->dropped();
    return s;
}

void PeerManager::punish(PeerConnection& conn, const std::string& reason) {
    {
        std::lock_guard lock(mu_);
        const auto ban = bans_.punish(conn.nodeId(), Clock::now());
        log()->warn(
            "peer {} sent invalid data ({}); disconnected, banned for {} "
            "ms (offence {})",
            conn.nodeId(), reason, ban.count(), bans_.offences(conn.nodeId()));
    }
    conn.close();
}

// ---- messages --------------------------------------------------------------

PeerManager::Verdict PeerManager::handle(PeerConnection& conn, const Envelope& msg) {
    if (blocked_.contains(conn.nodeId())) return Verdict::Ok;
    auto invalid = [&](const std::string& why) {
        punish(conn, why);
        return Verdict::Invalid;
    };
    switch (msg.body_case()) {
        case Envelope::kProposal:
        case Envelope::kVote:
        case Envelope::kTx:
        case Envelope::kTxBatch:
        case Envelope::kEvidence: {
            Admission refused = Admission::Relay;
            if (auto offence = router_.receive(msg, conn.id(), &refused)) return invalid(*offence);
            // A message no honest node relays (a signer outside the exactly
            // known set, a proposal by another than the round's proposer):
            // dropped, and past kAdmissionStrikesMax the peer is cut and banned.
            if (scored(refused) && conn.addAdmissionStrike() >= kAdmissionStrikesMax) {
                admissionDisconnects_.fetch_add(1, std::memory_order_relaxed);
                return invalid(std::to_string(kAdmissionStrikesMax) + " consensus messages refused by admission (" +
                               std::string(admissionName(refused)) + ")");
            }
            return Verdict::Ok;
        }
        case Envelope::kStatus: {
            const PeerPosition peer{msg.status().height(), msg.status().round(), msg.status().step()};
            conn.setPosition(peer);
            const auto ours = handlers_.position ? handlers_.position() : PeerPosition{};
            if (peer.height > ours.height) {
                PeerAheadHook hook;
                {
                    std::lock_guard lock(mu_);
                    hook = onPeerAhead_;
                }
                if (hook) hook(peer.height, conn.nodeId());
                return Verdict::Ok;
            }
            sendCatchUp(conn, peer);
            return Verdict::Ok;
        }
        case Envelope::kPexRequest: {
            if (options_.peerExchange) conn.enqueue(pexReply(), true);
            return Verdict::Ok;
        }
        case Envelope::kPexAddresses: {
            const auto& list = msg.pex_addresses().peers();
            if (static_cast<std::size_t>(list.size()) > AddressBook::kExchangeMax)
                return invalid("oversized peer list");
            if (!options_.peerExchange) return Verdict::Ok;
            if (auto offence = book_.learnExchange({list.begin(), list.end()})) return invalid(*offence);
            return Verdict::Ok;
        }
        case Envelope::kHello:
        case Envelope::kHelloAck:
            return invalid("handshake message after the handshake");
        case Envelope::kSealed:  // SecureStream refuses these before they get here
            return invalid("sealed frame inside a sealed frame");
        case Envelope::BODY_NOT_SET:
            return invalid("empty envelope");
    }
    return invalid("unknown message");
}

void PeerManager::sendCatchUp(PeerConnection& conn, const PeerPosition& peer) {
    if (!handlers_.catchUp || !handlers_.position) return;
    const auto ours = handlers_.position();
    if (peer.height > ours.height) return;
    if (peer.height == ours.height && std::tie(peer.round, peer.step) > std::tie(ours.round, ours.step)) return;
    const auto msgs = handlers_.catchUp(peer);
    for (const auto& p : msgs.proposals) {
        Envelope e;
        e.set_proposal(stringOf(p));
        conn.enqueue(std::move(e), true);
    }
    for (const auto& v : msgs.votes) {
        Envelope e;
        e.set_vote(stringOf(v));
        conn.enqueue(std::move(e), true);
    }
}

void PeerManager::broadcast(const Envelope& msg, bool droppable, std::uint64_t exceptConnection) {
    std::lock_guard lock(mu_);
    for (auto& [id, conn] : peers_) {
        if (conn->id() == exceptConnection || blocked_.contains(id)) continue;
        if (!conn->enqueue(msg, droppable)) {
            log()->warn("peer {} send queue full ({} messages, {} bytes); disconnecting", id, conn->queued(),
                        conn->queuedBytes());
            slowPeerDisconnects_.fetch_add(1, std::memory_order_relaxed);
            conn->close();
        }
    }
}

void PeerManager::broadcastProposal(const Proposal& proposal) {
    router_.broadcastProposal(proposal);
}

void PeerManager::broadcastVote(const Vote& vote) {
    router_.broadcastVote(vote);
}

void PeerManager::broadcastEvidence(const DuplicateVoteEvidence& evidence) {
    router_.broadcastEvidence(evidence);
}

void PeerManager::sendPendingTxs(PeerConnection& conn) {
    if (!handlers_.pendingTxs || blocked_.contains(conn.nodeId())) return;
    const auto txs = handlers_.pendingTxs(static_cast<std::size_t>(pendingTxBytesMax(options_)));
    // Droppable like every tx: the writer batches them (tx_batch); the peer's
    // seen-set and mempool drop those it has.
    for (const auto& tx : txs) {
        Envelope e;
        e.set_tx(stringOf(tx->bytes));
        conn.enqueue(std::move(e), true);
    }
    if (!txs.empty()) log()->debug("queued {} pending txs to new peer {}", txs.size(), conn.nodeId());
}

void PeerManager::broadcastTx(const DecodedTx& tx, std::uint64_t except) {
    router_.broadcastTx(tx, except);
}

// ---- peer exchange, status ticker and dialling
// -------------------------------

Envelope PeerManager::pexReply() const {
    Envelope e;
    auto* list = e.mutable_pex_addresses();
    for (auto& text : book_.exchange(blocked_.snapshot())) list->add_peers(std::move(text));
    return e;
}

void PeerManager::runTicker() {
    auto nextStatus = Clock::now();
    std::uint32_t ticks = 0;
    std::unique_lock lock(mu_);
    while (!stopping_) {
        const auto now = Clock::now();
        for (auto& [conn, deadline] : handshaking_)
            if (now >= deadline) conn->close();
        lock.unlock();
        tickDials(now);
        if (now >= nextStatus) {
            nextStatus = now + options_.tick;
            broadcast(statusOf(handlers_.position ? handlers_.position() : PeerPosition{}), true);
            if (options_.peerExchange && ++ticks % kPexEveryTicks == 0) {
                Envelope pex;
                pex.mutable_pex_request();
                broadcast(pex, true);
            }
        }
        lock.lock();
        cv_.wait_for(lock, kDialPoll, [this] { return stopping_; });
    }
}

void PeerManager::tickDials(Clock::time_point now) {
    // Addresses learnt by peer exchange become (non-persistent) dial targets.
    if (options_.peerExchange) {
        std::vector<PeerAddress> learnt;
        {
            std::lock_guard lock(mu_);
            if (!directionFull(true))
                for (auto& address : book_.entries())
                    if (peers_.count(address.nodeId) == 0) learnt.push_back(std::move(address));
        }
        dialer_.addLearnt(learnt);
    }
    const auto forgotten = dialer_.tick(now, [this, now](const std::string& nodeId) {
        std::lock_guard lock(mu_);
        return !stopping_ && peers_.count(nodeId) == 0 && !bans_.banned(nodeId, now) &&
               (exempt(nodeId) || !directionFull(true)) && !blocked_.contains(nodeId);
    });
    for (const auto& nodeId : forgotten) book_.forget(nodeId);
}

}  // namespace agora::node
