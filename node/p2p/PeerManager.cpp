#include "node/p2p/PeerManager.h"
#include "node/base/ThreadFailure.h"

#include <algorithm>

#include "consensus/core/Block.h"
#include "consensus/core/Tx.h"
#include "node/base/Logging.h"
#include "node/base/NodeId.h"
#include "wallet/SecureRandom.h"

namespace agora::node {

namespace {
std::shared_ptr<spdlog::logger> log() {
    return moduleLog("p2p");
}

using p2p::v1::Envelope;

constexpr std::size_t kSeenMax = 50'000;
constexpr std::size_t kBookMax = 256;
constexpr std::size_t kPexMax = 32;
constexpr std::uint32_t kPexEveryTicks = 10;
constexpr std::uint32_t kBookDialFailuresMax = 5;
constexpr auto kBanMax = std::chrono::minutes(10);

// An advertised "host:port" others can dial (a wildcard bind address is not).
bool dialable(const std::string& hostPort) {
    const auto host = hostPort.substr(0, hostPort.rfind(':'));
    return !(host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]");
}
constexpr auto kDialPoll = std::chrono::milliseconds(100);

ByteSpan spanOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
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

class ClientPeerStream final : public PeerStream {
public:
    ClientPeerStream(grpc::ClientContext& ctx, grpc::ClientReaderWriter<Envelope, Envelope>& rw) : ctx_(ctx), rw_(rw) {}
    bool read(Envelope& out) override { return rw_.Read(&out); }
    bool write(const Envelope& msg) override { return rw_.Write(msg); }
    void cancel() override { ctx_.TryCancel(); }

private:
    grpc::ClientContext& ctx_;
    grpc::ClientReaderWriter<Envelope, Envelope>& rw_;
};
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

class PeerManager::AdminServiceImpl final : public p2p::v1::P2pAdmin::Service {
public:
    explicit AdminServiceImpl(PeerManager& m) : m_(m) {}
    grpc::Status SetBlocked(grpc::ServerContext*, const p2p::v1::SetBlockedRequest* req,
                            p2p::v1::SetBlockedResponse* resp) override {
        std::set<std::string> ids(req->node_ids().begin(), req->node_ids().end());
        resp->set_blocked(static_cast<std::uint32_t>(ids.size()));
        m_.setBlocked(std::move(ids));
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
      adminService_(std::make_unique<AdminServiceImpl>(*this)) {
    for (const auto& p : options_.persistentPeers) {
        if (p.nodeId == selfId_) continue;
        DialState d;
        d.address = p;
        d.persistent = true;
        dials_.emplace(p.toString(), std::move(d));
    }
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
    {
        std::lock_guard lock(mu_);
        log()->warn("fault injection: blocking {} peers", nodeIds.size());
        blocked_ = nodeIds;
    }
    if (onBlockedChanged_) onBlockedChanged_(nodeIds);
}

bool PeerManager::isBlocked(const std::string& nodeId) const {
    std::lock_guard lock(mu_);
    return blocked_.count(nodeId) != 0;
}

void PeerManager::start() {
    std::lock_guard lock(mu_);
    if (started_) return;
    started_ = true;
    ticker_ = std::thread([this] { runGuarded("p2p-ticker", [this] { runTicker(); }); });
}

void PeerManager::stop() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        stopping_ = true;
        for (auto& [id, conn] : peers_) conn->close();
        for (auto& [conn, deadline] : handshaking_) conn->close();
    }
    cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
    {
        std::lock_guard lock(mu_);
        for (auto& [key, d] : dials_)
            if (d.thread.joinable()) threads.push_back(std::move(d.thread));
    }
    // Dial threads end: their streams were cancelled, new ones refuse to register.
    for (auto& t : threads) {
        {
            std::lock_guard lock(mu_);
            for (auto& [id, conn] : peers_) conn->close();
            for (auto& [conn, deadline] : handshaking_) conn->close();
        }
        t.join();
    }
}

std::vector<PeerInfo> PeerManager::peers() const {
    std::lock_guard lock(mu_);
    std::vector<PeerInfo> out;
    for (const auto& [id, conn] : peers_)
        out.push_back({id, conn->listenAddress(), conn->moniker(), conn->outbound(), conn->position(), conn->queued(),
                       conn->dropped()});
    return out;
}

std::vector<std::string> PeerManager::connectedAddresses() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [id, conn] : peers_) {
        if (blocked_.count(id) != 0) continue;
        auto addr = PeerAddress::parse(id + "@" + conn->listenAddress());
        if (addr && dialable(addr->hostPort)) out.push_back(addr->hostPort);
    }
    return out;
}

std::size_t PeerManager::peerCount() const {
    std::lock_guard lock(mu_);
    return peers_.size();
}

std::uint32_t PeerManager::offences(const std::string& nodeId) const {
    std::lock_guard lock(mu_);
    auto it = misbehaviour_.find(nodeId);
    return it == misbehaviour_.end() ? 0 : it->second.offences;
}

bool PeerManager::banned(const std::string& nodeId) const {
    std::lock_guard lock(mu_);
    auto it = misbehaviour_.find(nodeId);
    return it != misbehaviour_.end() && Clock::now() < it->second.bannedUntil;
}

// ---- connections -----------------------------------------------------------

std::optional<std::string> PeerManager::admit(const std::string& peerId, bool outbound) {
    std::lock_guard lock(mu_);
    if (stopping_) return std::string("node is shutting down");
    auto it = misbehaviour_.find(peerId);
    if (it != misbehaviour_.end() && Clock::now() < it->second.bannedUntil) return std::string("banned");
    if (peers_.count(peerId) == 0 && peers_.size() >= options_.maxPeers) return std::string("too many peers");
    (void)outbound;
    return std::nullopt;
}

bool PeerManager::runConnection(PeerStream& stream, bool outbound, const std::optional<PeerAddress>& dialled) {
    PeerConnection conn(stream, outbound, options_.sendQueueMax);
    {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
        handshaking_.emplace(&conn, Clock::now() + options_.handshakeTimeout);
    }
    auto leaveHandshake = [&] {
        std::lock_guard lock(mu_);
        handshaking_.erase(&conn);
    };
    const auto challenge = wallet::secureRandomArray<32>();
    Envelope out;
    *out.mutable_hello() = makeHello(options_.self, challenge);
    Envelope in;
    if (!stream.write(out) || !stream.read(in) || !in.has_hello()) {
        leaveHandshake();
        if (dialled) log()->debug("no handshake from {}", dialled->toString());
        return false;
    }
    const p2p::v1::Hello hello = in.hello();
    auto reason = checkHello(options_.self, hello, dialled ? std::optional(dialled->nodeId) : std::nullopt);
    const PublicKey peerKey = helloKey(hello);
    const std::string peerId = nodeIdOf(peerKey);
    if (!reason) reason = admit(peerId, outbound);
    Envelope ack;
    if (reason) {
        ack.mutable_hello_ack()->set_reject_reason(*reason);
        stream.write(ack);
        leaveHandshake();
        log()->info("refused {} peer {}: {}", outbound ? "outbound" : "inbound", dialled ? dialled->toString() : peerId,
                    *reason);
        if (dialled && *reason == "connection to self") {
            std::lock_guard lock(mu_);
            selfAddresses_.insert(dialled->toString());
        }
        return false;
    }
    std::array<std::uint8_t, 32> peerChallenge{};
    std::copy(hello.challenge().begin(), hello.challenge().end(), peerChallenge.begin());
    const auto digest = handshakeDigest(options_.self.chainId, peerChallenge, options_.self.nodeKey);
    ack.mutable_hello_ack()->set_signature(stringOf(nodeKey_.sign(digest.span()).span()));
    if (!stream.write(ack) || !stream.read(in) || !in.has_hello_ack()) {
        leaveHandshake();
        return false;
    }
    if (!in.hello_ack().reject_reason().empty()) {
        leaveHandshake();
        log()->info("peer {} refused us: {}", peerId, in.hello_ack().reject_reason());
        return false;
    }
    if (!checkAck(options_.self.chainId, challenge, peerKey, in.hello_ack())) {
        leaveHandshake();
        log()->warn("peer {} failed the handshake signature", peerId);
        return false;
    }
    conn.identify(peerId, peerKey, hello.listen_address(), hello.moniker());
    leaveHandshake();
    if (!registerPeer(conn)) return false;
    conn.startWriter();
    log()->info("connected {} peer {} ({}, {})", outbound ? "outbound" : "inbound", peerId, hello.moniker(),
                hello.listen_address());
    if (auto addr = PeerAddress::parse(peerId + "@" + hello.listen_address())) {
        learnAddress(*addr);
        if (onPeerConnected_ && dialable(addr->hostPort) && !isBlocked(peerId))
            onPeerConnected_(PeerInfo{peerId, addr->hostPort, hello.moniker(), outbound, {}, 0, 0});
    }
    {
        Envelope st;
        const auto pos = handlers_.position ? handlers_.position() : PeerPosition{};
        st.mutable_status()->set_height(pos.height);
        st.mutable_status()->set_round(pos.round);
        st.mutable_status()->set_step(pos.step);
        conn.enqueue(std::move(st), true);
        if (options_.peerExchange) {
            Envelope pex;
            pex.mutable_pex_request();
            conn.enqueue(std::move(pex), true);
        }
    }
    while (!conn.closed() && stream.read(in)) {
        if (handle(conn, in) == Verdict::Invalid) break;
    }
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
    if (peers_.size() >= options_.maxPeers) return false;
    peers_.emplace(conn.nodeId(), &conn);
    return true;
}

void PeerManager::unregisterPeer(PeerConnection& conn) {
    std::lock_guard lock(mu_);
    auto it = peers_.find(conn.nodeId());
    if (it != peers_.end() && it->second == &conn) peers_.erase(it);
}

void PeerManager::punish(PeerConnection& conn, const std::string& reason) {
    {
        std::lock_guard lock(mu_);
        auto& m = misbehaviour_[conn.nodeId()];
        ++m.offences;
        auto ban = options_.banBase * (1LL << std::min<std::uint32_t>(m.offences - 1, 16));
        if (ban > kBanMax) ban = std::chrono::duration_cast<std::chrono::milliseconds>(kBanMax);
        m.bannedUntil = Clock::now() + ban;
        log()->warn("peer {} sent invalid data ({}); disconnected, banned for {} ms (offence {})", conn.nodeId(),
                    reason, ban.count(), m.offences);
    }
    conn.close();
}

// ---- messages --------------------------------------------------------------

namespace {
// Why a proposal's bytes are not the block its signature names, or nothing:
// they must decode as a block whose id (the hash of its header) is the signed
// block id and whose content (txs, certificate, evidence) matches the header.
std::optional<std::string> proposalBlockUnbound(const Proposal& p) {
    auto block = decodeBlock(p.block);
    if (!block) return "proposal block does not decode";
    if (block->id() != p.blockId) return "proposal bytes are not the signed block id";
    if (!block->contentMatchesHeader()) return "proposal block content does not match its header";
    return std::nullopt;
}

// The connection whose tx this thread is handing to the mempool (0: none).
}  // namespace

bool PeerManager::markSeen(const Hash256& hash) {
    std::lock_guard lock(seenMu_);
    if (!seen_.insert(hash).second) return false;
    seenOrder_.push_back(hash);
    if (seenOrder_.size() > kSeenMax) {
        seen_.erase(seenOrder_.front());
        seenOrder_.pop_front();
    }
    return true;
}

PeerManager::Verdict PeerManager::handle(PeerConnection& conn, const Envelope& msg) {
    if (isBlocked(conn.nodeId())) return Verdict::Ok;
    const auto& chainId = options_.self.chainId;
    auto invalid = [&](const std::string& why) {
        punish(conn, why);
        return Verdict::Invalid;
    };
    switch (msg.body_case()) {
        case Envelope::kProposal: {
            auto p = decode<Proposal>(spanOf(msg.proposal()));
            if (!p) return invalid("undecodable proposal");
            if (!p->verifySignature(chainId)) return invalid("proposal signature");
            // The signature does not cover the block bytes: bind them to the
            // signed block id before anything else sees them, or a relay could
            // send an honest proposal with junk bytes first and make us drop the
            // real copy as a duplicate (docs/p2p.md, "Gossip"). Bytes seen
            // before were bound then: the check runs once per distinct message.
            const Hash256 messageHash = sha256(spanOf(msg.proposal()));
            bool seenBefore = false;
            {
                std::lock_guard lock(seenMu_);
                seenBefore = seen_.count(messageHash) != 0;
            }
            if (!seenBefore) {
                if (auto unbound = proposalBlockUnbound(*p)) return invalid(*unbound);
            }
            // Always to consensus (a catch-up re-send may fill a gap the engine
            // skipped earlier; it drops duplicates cheaply), relayed once.
            const bool fresh = markSeen(messageHash);
            if (handlers_.onProposal) handlers_.onProposal(std::move(*p));
            if (fresh) broadcast(msg, false, conn.id());
            return Verdict::Ok;
        }
        case Envelope::kVote: {
            auto v = decode<Vote>(spanOf(msg.vote()));
            if (!v) return invalid("undecodable vote");
            if (!v->verifySignature(chainId)) return invalid("vote signature");
            // Always to consensus (a catch-up re-send may fill a gap the engine
            // skipped earlier; it drops duplicates cheaply), relayed once.
            const bool fresh = markSeen(sha256(spanOf(msg.vote())));
            if (handlers_.onVote) handlers_.onVote(*v);
            if (fresh) broadcast(msg, false, conn.id());
            return Verdict::Ok;
        }
        case Envelope::kTx:
            return receiveTx(conn, spanOf(msg.tx()));
        case Envelope::kTxBatch: {
            const auto& txs = msg.tx_batch().txs();
            if (txs.empty() || static_cast<std::size_t>(txs.size()) > kTxBatchMaxTxs)
                return invalid("tx batch of " + std::to_string(txs.size()) + " txs");
            std::size_t bytes = 0;
            for (const auto& tx : txs) bytes += tx.size();
            if (bytes > kTxBatchMaxBytes) return invalid("tx batch of " + std::to_string(bytes) + " bytes");
            for (const auto& tx : txs)
                if (receiveTx(conn, spanOf(tx)) != Verdict::Ok) return Verdict::Invalid;
            return Verdict::Ok;
        }
        case Envelope::kEvidence: {
            auto e = decode<DuplicateVoteEvidence>(spanOf(msg.evidence()));
            if (!e) return invalid("undecodable evidence");
            if (!e->verify(chainId)) return invalid("evidence signature");
            if (!markSeen(sha256(spanOf(msg.evidence())))) return Verdict::Ok;
            if (handlers_.onEvidence) handlers_.onEvidence(*e);
            broadcast(msg, false, conn.id());
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
            if (msg.pex_addresses().peers_size() > static_cast<int>(kPexMax)) return invalid("oversized peer list");
            if (!options_.peerExchange) return Verdict::Ok;
            for (const auto& text : msg.pex_addresses().peers()) {
                auto addr = PeerAddress::parse(text);
                if (!addr) return invalid("bad peer address");
                learnAddress(*addr);
            }
            return Verdict::Ok;
        }
        case Envelope::kHello:
        case Envelope::kHelloAck:
            return invalid("handshake message after the handshake");
        case Envelope::BODY_NOT_SET:
            return invalid("empty envelope");
    }
    return invalid("unknown message");
}

PeerManager::Verdict PeerManager::receiveTx(PeerConnection& conn, ByteSpan bytes) {
    // A repeat is dropped before decoding (its bytes decoded the first time);
    // the hash travels on with the decoded tx, so the mempool hashes nothing.
    const Hash256 hash = txHash(bytes);
    if (!markSeen(hash)) return Verdict::Ok;
    auto tx = decodeTx(bytes, hash);
    if (!tx) {
        punish(conn, "undecodable tx");
        return Verdict::Invalid;
    }
    if (handlers_.onTx) handlers_.onTx(std::move(*tx), conn.id());
    return Verdict::Ok;
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
        if (conn->id() == exceptConnection || blocked_.count(id) != 0) continue;
        if (!conn->enqueue(msg, droppable)) {
            log()->warn("peer {} send queue full; disconnecting", id);
            conn->close();
        }
    }
}

void PeerManager::broadcastProposal(const Proposal& proposal) {
    const auto bytes = encode(proposal);
    markSeen(sha256(bytes));
    Envelope e;
    e.set_proposal(stringOf(bytes));
    broadcast(e, false);
}

void PeerManager::broadcastVote(const Vote& vote) {
    const auto bytes = encode(vote);
    markSeen(sha256(bytes));
    Envelope e;
    e.set_vote(stringOf(bytes));
    broadcast(e, false);
}

void PeerManager::broadcastEvidence(const DuplicateVoteEvidence& evidence) {
    const auto bytes = encode(evidence);
    if (!markSeen(sha256(bytes))) return;
    Envelope e;
    e.set_evidence(stringOf(bytes));
    broadcast(e, false);
}

void PeerManager::broadcastTx(const DecodedTx& tx, std::uint64_t except) {
    markSeen(tx.hash);
    Envelope e;
    e.set_tx(stringOf(tx.bytes));
    broadcast(e, true, except);
}

// ---- peer exchange and dialling -------------------------------------------

void PeerManager::learnAddress(const PeerAddress& address) {
    if (address.nodeId == selfId_) return;
    if (!dialable(address.hostPort)) return;
    std::lock_guard lock(mu_);
    if (book_.size() >= kBookMax && book_.count(address.nodeId) == 0) return;
    book_[address.nodeId] = address;
}

Envelope PeerManager::pexReply() const {
    Envelope e;
    auto* list = e.mutable_pex_addresses();
    std::lock_guard lock(mu_);
    for (const auto& [id, addr] : book_) {
        if (list->peers_size() >= static_cast<int>(kPexMax)) break;
        if (blocked_.count(id) != 0) continue;
        list->add_peers(addr.toString());
    }
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
            const auto pos = handlers_.position ? handlers_.position() : PeerPosition{};
            Envelope st;
            st.mutable_status()->set_height(pos.height);
            st.mutable_status()->set_round(pos.round);
            st.mutable_status()->set_step(pos.step);
            broadcast(st, true);
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
    std::lock_guard lock(mu_);
    if (stopping_) return;
    // Addresses learnt by peer exchange become (non-persistent) dial targets.
    if (options_.peerExchange && peers_.size() < options_.maxPeers) {
        for (const auto& [id, addr] : book_) {
            if (peers_.count(id) != 0 || dials_.count(addr.toString()) != 0) continue;
            bool known = false;
            for (const auto& [key, d] : dials_)
                if (d.address.nodeId == id) known = true;
            if (known) continue;
            DialState d;
            d.address = addr;
            dials_.emplace(addr.toString(), std::move(d));
        }
    }
    for (auto it = dials_.begin(); it != dials_.end();) {
        auto& d = it->second;
        if (d.active && d.done->load()) {
            d.thread.join();
            d.active = false;
        }
        if (!d.persistent && !d.active && d.failures >= kBookDialFailuresMax) {
            book_.erase(d.address.nodeId);
            it = dials_.erase(it);
            continue;
        }
        const bool connected = peers_.count(d.address.nodeId) != 0;
        auto mb = misbehaviour_.find(d.address.nodeId);
        const bool isBanned = mb != misbehaviour_.end() && now < mb->second.bannedUntil;
        const bool full = peers_.size() >= options_.maxPeers;
        if (!d.active && !connected && !isBanned && !full && now >= d.nextAttempt &&
            selfAddresses_.count(it->first) == 0 && blocked_.count(d.address.nodeId) == 0) {
            d.active = true;
            d.done->store(false);
            auto done = d.done;
            auto address = d.address;
            d.thread = std::thread([this, done, address] {
                bool established = false;
                runGuarded("p2p-dial", [&] { established = dialOnce(address); });
                {
                    std::lock_guard inner(mu_);
                    auto found = dials_.find(address.toString());
                    if (found != dials_.end()) {
                        auto& s = found->second;
                        s.failures = established ? 0 : s.failures + 1;
                        auto backoff = options_.dialBackoffMin * (1LL << std::min<std::uint32_t>(s.failures, 16));
                        if (backoff > options_.dialBackoffMax) backoff = options_.dialBackoffMax;
                        s.nextAttempt = Clock::now() + backoff;
                    }
                }
                done->store(true);
            });
        }
        ++it;
    }
}

bool PeerManager::dialOnce(const PeerAddress& address) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(static_cast<int>(options_.maxMessageBytes));
    args.SetMaxSendMessageSize(static_cast<int>(options_.maxMessageBytes));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5'000);
    // A fresh channel per attempt: our own backoff decides when to retry.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(address.hostPort, grpc::InsecureChannelCredentials(), args);
    auto stub = p2p::v1::Gossip::NewStub(channel);
    grpc::ClientContext ctx;
    auto rw = stub->Connect(&ctx);
    if (!rw) return false;
    ClientPeerStream stream(ctx, *rw);
    const bool established = runConnection(stream, true, address);
    ctx.TryCancel();
    rw->Finish();
    return established;
}

}  // namespace agora::node
