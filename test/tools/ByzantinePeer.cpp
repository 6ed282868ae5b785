// agora-byzantine-peer (test only): a process that speaks the p2p protocol
// (version 3, the real StsHandshake and SecureChannel of node/p2p) to honest
// nodes and misbehaves on command, for the hostile-peer process tests
// (test/node/p2p/ByzantinePeerProcessTest.cpp, docs/p2p.md "Hostile peers",
// decision 49). One scenario per run:
//
//   tamper-proposals  re-sends every proposal it sees to the other targets with
//                     other block bytes first, then the real copy
//   junk-flood        self-signed proposals of the largest block and votes for
//                     heights h+1..h+N (h = the height peers report, followed as
//                     it moves), until --max-bytes went to each target
//   oversized         per connection (fresh key) one message above a limit: an
//                     envelope above p2p.max_message_bytes, a proposal block above
//                     the block limit, a tx batch above 1 MiB, a peer list above 32;
//                     then redials with the same key to see whether it is banned
//   lying-status      gossips status = best height + 100 and serves BlockSync on
//                     its advertised address: GetStatus says the same, GetBlocks
//                     serves nothing
//   relay-handshake   dials the first two targets and relays one's handshake to
//                     the other, unchanged ("forward") or with its own ephemeral
//                     keys ("substitute"), trying to be taken for each
//   sybil-flood       --connections inbound connections per target, each with a
//                     fresh node key, held open
//
// It stops at --duration-ms or on SIGINT/SIGTERM and prints what it did
// (counts) as one JSON line on stdout (and to --report FILE). Logs go to stderr.

#include <pthread.h>
#include <signal.h>
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "agora/p2p/v1/p2p.grpc.pb.h"
#include "agora/p2p/v1/sync.grpc.pb.h"
#include "consensus/core/Block.h"
#include "consensus/core/Limits.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/Vote.h"
#include "node/base/NodeId.h"
#include "node/base/PeerAddress.h"
#include "node/config/SizeBudget.h"
#include "node/daemon/PlainKeyFile.h"
#include "node/genesis/GenesisFile.h"
#include "node/p2p/Handshake.h"
#include "node/p2p/PeerConnection.h"
#include "node/p2p/SecureChannel.h"

namespace {

using namespace agora;
using namespace agora::node;
using p2p::v1::Envelope;
using Clock = std::chrono::steady_clock;

std::string stringOf(ByteSpan b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
ByteSpan spanOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

struct Options {
    std::string scenario;
    std::vector<PeerAddress> targets;
    LocalIdentity self;  // nodeKey / listenAddress filled per key and server
    std::string listen = "127.0.0.1:0";
    std::uint32_t maxMessageBytes = budget::kDefaultP2pMessageBytes;
    std::uint64_t maxBytes = 256ULL << 20;
    std::uint32_t heights = 4;
    std::uint32_t connections = 50;
};

// Counts by name, the JSON report.
class Counters {
public:
    void add(const std::string& name, std::uint64_t n = 1) {
        std::lock_guard lock(mu_);
        counts_[name] += n;
    }
    nlohmann::json json() const {
        std::lock_guard lock(mu_);
        nlohmann::json j = nlohmann::json::object();
        for (const auto& [k, v] : counts_) j[k] = v;
        return j;
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, std::uint64_t> counts_;
};

// The run's stop flag: set at the deadline or on a signal; waits end early.
class StopFlag {
public:
    void set() {
        {
            std::lock_guard lock(mu_);
            stopped_ = true;
        }
        cv_.notify_all();
    }
    bool stopped() const {
        std::lock_guard lock(mu_);
        return stopped_;
    }
    // Waits up to `d`; true when stopped.
    bool waitFor(std::chrono::milliseconds d) const {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, d, [this] { return stopped_; });
    }

private:
    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    bool stopped_ = false;
};

// One Gossip.Connect stream we dialled. connect() opens it; handshake() runs
// the real STS handshake as the dialler; then send() seals and read() opens.
// sendRaw()/readRaw() move envelopes as they are (the relay, hand-built frames).
class Session {
public:
    using Key = std::shared_ptr<const wallet::SecretKey>;
    Session(const Options& opt, const PeerAddress& target, Key key,
            std::optional<std::chrono::milliseconds> lifetime = std::nullopt)
        : target_(target), key_(std::move(key)) {
        grpc::ChannelArguments args;
        args.SetMaxReceiveMessageSize(static_cast<int>(opt.maxMessageBytes + kSealedFrameOverhead));
        args.SetMaxSendMessageSize(-1);                      // oversized messages are the point of one scenario
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a TCP connection of its own
        channel_ = grpc::CreateCustomChannel(target.hostPort, grpc::InsecureChannelCredentials(), args);
        stub_ = p2p::v1::Gossip::NewStub(channel_);
        if (lifetime) ctx_.set_deadline(std::chrono::system_clock::now() + *lifetime);
        rw_ = stub_->Connect(&ctx_);
    }
    ~Session() {
        cancel();
        if (rw_) rw_->Finish();
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // The STS handshake as the dialler with our key; a reason when it failed
    // ("peer refused us: banned", ...).
    std::optional<std::string> handshake(const Options& opt) {
        LocalIdentity self = opt.self;
        self.nodeKey = key_->publicKey();
        hs_ = std::make_unique<StsHandshake>(self, *key_, true, target_.nodeId);
        Envelope in;
        if (!rw_ || !rw_->Write(hs_->hello()) || !rw_->Read(&in)) return std::string("no handshake");
        if (!in.has_hello()) return std::string("no hello");
        if (auto reason = hs_->acceptHello(in.hello())) {
            rw_->Write(StsHandshake::refusal(*reason));
            return reason;
        }
        // A refusal may already be on its way (the peer then ends the stream,
        // and our ack may not go out): read the reply either way.
        rw_->Write(hs_->ack());
        if (!rw_->Read(&in)) return std::string("stream ended in the handshake");
        if (auto failed = hs_->finish(in)) return failed;
        established_.store(true);
        return std::nullopt;
    }

    bool send(const Envelope& msg) {
        std::lock_guard lock(writeMu_);
        return established_.load() && rw_->Write(hs_->channel().seal(msg));
    }
    bool sendRaw(const Envelope& msg) {
        std::lock_guard lock(writeMu_);
        return rw_ && rw_->Write(msg);
    }
    // Reader thread only.
    bool read(Envelope& out) {
        Envelope frame;
        if (!rw_->Read(&frame)) return false;
        return !hs_->channel().open(frame, out);
    }
    bool readRaw(Envelope& out) { return rw_ && rw_->Read(&out); }
    void cancel() { ctx_.TryCancel(); }

    const PeerAddress& target() const { return target_; }

private:
    PeerAddress target_;
    Key key_;
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<p2p::v1::Gossip::Stub> stub_;
    grpc::ClientContext ctx_;
    std::unique_ptr<grpc::ClientReaderWriter<Envelope, Envelope>> rw_;
    std::unique_ptr<StsHandshake> hs_;
    std::mutex writeMu_;
    std::atomic<bool> established_{false};
};

// The open sessions, so one thread can send to the others and the stop can
// cancel them all. Shared: a sender may still hold a session its reader
// thread has given up (the last holder destroys it).
class LiveSessions {
public:
    void add(const std::shared_ptr<Session>& s) {
        std::lock_guard lock(mu_);
        live_.emplace(s.get(), s);
    }
    void remove(const std::shared_ptr<Session>& s) {
        std::lock_guard lock(mu_);
        live_.erase(s.get());
    }
    // Calls f on every live session, outside the lock (a write may block).
    void forEach(const std::function<void(Session&)>& f) {
        for (const auto& s : snapshot()) f(*s);
    }
    void cancelAll() {
        for (const auto& s : snapshot()) s->cancel();
    }

private:
    std::vector<std::shared_ptr<Session>> snapshot() {
        std::lock_guard lock(mu_);
        std::vector<std::shared_ptr<Session>> out;
        for (const auto& [raw, s] : live_) out.push_back(s);
        return out;
    }
    std::mutex mu_;
    std::map<Session*, std::shared_ptr<Session>> live_;
};

class ByzantinePeer {
public:
    ByzantinePeer(Options opt, wallet::SecretKey key)
        : opt_(std::move(opt)), key_(std::make_shared<const wallet::SecretKey>(std::move(key))) {
        opt_.self.listenAddress.clear();
        opt_.self.moniker = "byzantine";
    }

    // Runs the scenario until `stop` is set; false on a bad scenario name.
    bool run(StopFlag& stop) {
        stop_ = &stop;
        const std::string& s = opt_.scenario;
        std::vector<std::thread> threads;
        if (s == "tamper-proposals") {
            for (const auto& t : opt_.targets)
                threads.emplace_back(
                    [this, t] { keep(t, [this](Session& from, const Envelope& m) { tamper(from, m); }); });
        } else if (s == "junk-flood") {
            for (const auto& t : opt_.targets)
                threads.emplace_back([this, t] { keep(t, [this](Session&, const Envelope& m) { noteHeight(m); }); });
            threads.emplace_back([this] { floodJunk(); });
        } else if (s == "oversized") {
            for (const auto& t : opt_.targets) threads.emplace_back([this, t] { sendOversized(t); });
        } else if (s == "lying-status") {
            if (!startSyncServer()) {
                stop.set();
                return false;
            }
            for (const auto& t : opt_.targets)
                threads.emplace_back([this, t] { keep(t, [this](Session&, const Envelope& m) { noteHeight(m); }); });
            threads.emplace_back([this] { lie(); });
        } else if (s == "relay-handshake") {
            if (opt_.targets.size() < 2) {
                stop.set();
                return false;
            }
            threads.emplace_back([this] { relayHandshakes(); });
        } else if (s == "sybil-flood") {
            for (const auto& t : opt_.targets)
                for (std::uint32_t i = 0; i < opt_.connections; ++i) threads.emplace_back([this, t] { sybil(t); });
        } else {
            stop.set();
            return false;
        }
        while (!stop.waitFor(std::chrono::seconds(1))) {
        }
        live_.cancelAll();
        for (auto& th : threads) th.join();
        if (syncServer_) syncServer_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        return true;
    }

    nlohmann::json report() const {
        return {{"scenario", opt_.scenario}, {"node_id", nodeIdOf(key_->publicKey())}, {"counts", counts_.json()}};
    }

private:
    using OnMessage = std::function<void(Session&, const Envelope&)>;
    // Between rounds of the connection-churning scenarios: thousands of
    // rounds a minute would prove nothing more and eat the test machine.
    static constexpr auto kPause = std::chrono::milliseconds(100);

    static Session::Key fresh() { return std::make_shared<const wallet::SecretKey>(wallet::SecretKey::generate()); }

    // Keeps one connection to `target` with our key until the stop: redials
    // at once after a disconnect and 200 ms after a refusal, counting both.
    void keep(const PeerAddress& target, const OnMessage& onMessage) {
        while (!stop_->stopped()) {
            auto session = std::make_shared<Session>(opt_, target, key_);
            live_.add(session);
            if (auto reason = session->handshake(optWithAddress())) {
                live_.remove(session);
                counts_.add("refused: " + *reason);
                stop_->waitFor(std::chrono::milliseconds(200));
                continue;
            }
            counts_.add("handshakes");
            Envelope m;
            while (!stop_->stopped() && session->read(m)) onMessage(*session, m);
            live_.remove(session);
            if (!stop_->stopped()) counts_.add("disconnected by peer");
        }
    }

    Options optWithAddress() const {
        std::lock_guard lock(mu_);
        return opt_;
    }

    void noteHeight(const Envelope& m) {
        if (!m.has_status()) return;
        std::uint64_t seen = bestHeight_.load();
        while (m.status().height() > seen && !bestHeight_.compare_exchange_weak(seen, m.status().height())) {
        }
    }

    // ---- tamper-proposals ----------------------------------------------------

    void tamper(Session& from, const Envelope& m) {
        noteHeight(m);
        if (!m.has_proposal()) return;
        {
            std::lock_guard lock(mu_);
            if (!seenProposals_.insert(sha256(spanOf(m.proposal()))).second) return;
        }
        auto p = decode<Proposal>(spanOf(m.proposal()));
        if (!p) return;
        // Other bytes under the same signature: alternately the block with one
        // byte flipped, and the previous block seen (a valid block, another id).
        Proposal forged = *p;
        {
            std::lock_guard lock(mu_);
            if (++tampered_ % 2 == 0 && !lastBlock_.empty() && lastBlock_ != p->block) {
                forged.block = lastBlock_;
            } else {
                forged.block[forged.block.size() / 2] ^= 0x01;
            }
            lastBlock_ = p->block;
        }
        Envelope forgedMsg;
        forgedMsg.set_proposal(stringOf(encode(forged)));
        live_.forEach([&](Session& s) {
            if (&s == &from) return;
            if (s.send(forgedMsg)) counts_.add("tampered proposals sent");
            if (s.send(m)) counts_.add("real proposals relayed after");
        });
    }

    // ---- junk-flood ----------------------------------------------------------

    Bytes junkBlock(std::uint64_t height) const {
        Block b;
        b.header.chainId = opt_.self.chainId;
        b.header.height = height;
        b.header.timeMs = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        b.header.proposer = key_->address();
        Bytes tx(limits::kTxBytesMax, 0x5a);
        for (std::size_t used = 0; used + tx.size() <= limits::kBlockTxBytesMax; used += tx.size()) {
            tx[0] = static_cast<std::uint8_t>(b.txs.size());
            tx[1] = static_cast<std::uint8_t>(height);
            b.txs.push_back(tx);
        }
        b.sealContentHashes();
        return encode(b);
    }

    // Proposals for the heights the targets will decide next (h+1..h+N with h
    // the height they report now, so every one is in their look-ahead window
    // for as long as possible), each round a new signature over the same
    // block, with a prevote and a precommit for it.
    void floodJunk() {
        std::map<std::uint64_t, std::pair<Hash256, Bytes>> blocks;  // by height
        std::uint64_t offeredEach = 0;
        for (std::uint32_t round = 0; !stop_->stopped() && offeredEach < opt_.maxBytes; ++round) {
            while (bestHeight_.load() == 0)
                if (stop_->waitFor(std::chrono::milliseconds(50))) return;
            const std::uint64_t h = bestHeight_.load();
            blocks.erase(blocks.begin(), blocks.lower_bound(h + 1));
            for (std::uint64_t height = h + 1; height <= h + opt_.heights; ++height) {
                if (stop_->stopped() || offeredEach >= opt_.maxBytes) break;
                auto it = blocks.find(height);
                if (it == blocks.end()) {
                    Bytes bytes = junkBlock(height);
                    auto decoded = decodeBlock(bytes);
                    it = blocks.emplace(height, std::make_pair(decoded ? decoded->id() : Hash256{}, std::move(bytes)))
                             .first;
                }
                Proposal p;
                p.height = height;
                p.round = round;
                p.blockId = it->second.first;
                p.proposer = key_->publicKey();
                p.block = it->second.second;
                p.signature = key_->sign(p.signDigest(opt_.self.chainId).span());
                Envelope pm;
                pm.set_proposal(stringOf(encode(p)));
                std::vector<Envelope> votes;
                for (auto type : {VoteType::Prevote, VoteType::Precommit}) {
                    Vote v;
                    v.type = type;
                    v.height = height;
                    v.round = round;
                    v.blockId = it->second.first;
                    v.validator = key_->publicKey();
                    v.signature = key_->sign(v.signDigest(opt_.self.chainId).span());
                    votes.emplace_back().set_vote(stringOf(encode(v)));
                }
                // Whoever is connected now gets it; a refused or banned
                // target simply misses it (keep() counts the refusals).
                offeredEach += pm.proposal().size();
                live_.forEach([&](Session& s) {
                    if (s.send(pm)) {
                        counts_.add("junk proposals sent");
                        counts_.add("junk proposal bytes sent", pm.proposal().size());
                    }
                    for (const auto& v : votes)
                        if (s.send(v)) counts_.add("junk votes sent");
                });
            }
        }
        counts_.add("junk bytes offered to each target", offeredEach);
    }

    // ---- oversized -----------------------------------------------------------

    enum class Oversize : std::uint8_t { Envelope, Block, TxBatch, PeerList };
    static constexpr Oversize kOversizes[] = {Oversize::Envelope, Oversize::Block, Oversize::TxBatch,
                                              Oversize::PeerList};
    static std::string nameOf(Oversize k) {
        switch (k) {
            case Oversize::Envelope:
                return "envelope above p2p.max_message_bytes";
            case Oversize::Block:
                return "proposal block above the block limit";
            case Oversize::TxBatch:
                return "tx batch above 1 MiB";
            case Oversize::PeerList:
                return "peer list above 32 entries";
        }
        return "?";
    }

    Envelope oversized(Oversize k, const wallet::SecretKey& key) const {
        Envelope e;
        switch (k) {
            case Oversize::Envelope:
                e.set_tx(std::string(opt_.maxMessageBytes + 1024, 'x'));
                break;
            case Oversize::Block: {
                Proposal p;
                p.height = std::max<std::uint64_t>(bestHeight_.load(), 1);
                p.proposer = key.publicKey();
                p.block = Bytes(limits::kBlockBytesMax + 1, 0x5a);
                p.blockId = sha256(p.block);
                p.signature = key.sign(p.signDigest(opt_.self.chainId).span());
                Writer w;
                p.encodeTo(w);
                e.set_proposal(stringOf(w.take()));
                break;
            }
            case Oversize::TxBatch:
                for (std::size_t i = 0; i * limits::kTxBytesMax <= kTxBatchMaxBytes; ++i)
                    e.mutable_tx_batch()->add_txs(std::string(limits::kTxBytesMax, 't'));
                break;
            case Oversize::PeerList:
                for (std::size_t i = 0; i <= 32; ++i)
                    e.mutable_pex_addresses()->add_peers(std::string(40, 'a' + static_cast<char>(i % 6)) +
                                                         "@127.0.0.1:" + std::to_string(20000 + i));
                break;
        }
        return e;
    }

    void sendOversized(const PeerAddress& target) {
        for (std::size_t n = 0; !stop_->stopped(); ++n) {
            const Oversize kind = kOversizes[n % std::size(kOversizes)];
            const std::string name = nameOf(kind);
            auto key = fresh();
            constexpr auto kLifetime = std::chrono::seconds(5);
            {
                auto session = std::make_shared<Session>(opt_, target, key, kLifetime);
                Session& s = *session;
                live_.add(session);
                if (auto reason = s.handshake(optWithAddress())) {
                    live_.remove(session);
                    counts_.add("refused: " + *reason);
                    stop_->waitFor(std::chrono::milliseconds(200));
                    continue;
                }
                const auto started = Clock::now();
                if (!s.send(oversized(kind, *key))) counts_.add(name + ": send failed");
                counts_.add(name + ": sent");
                Envelope m;
                while (s.read(m)) {
                }
                live_.remove(session);
                if (stop_->stopped()) break;
                if (Clock::now() - started < kLifetime - std::chrono::milliseconds(500))
                    counts_.add(name + ": disconnected by peer");
                else
                    counts_.add(name + ": still connected after 4.5 s");
            }
            // Same key again: is it banned?
            auto again = std::make_shared<Session>(opt_, target, key, std::chrono::seconds(5));
            live_.add(again);
            const auto reason = again->handshake(optWithAddress());
            live_.remove(again);
            if (stop_->stopped()) break;
            if (reason && reason->find("banned") != std::string::npos)
                counts_.add(name + ": banned");
            else if (!reason)
                counts_.add(name + ": readmitted");
            else
                counts_.add(name + ": redial refused: " + *reason);
            stop_->waitFor(kPause);
        }
    }

    // ---- lying-status --------------------------------------------------------

    class LyingSync final : public p2p::v1::BlockSync::Service {
    public:
        explicit LyingSync(ByzantinePeer& p) : p_(p) {}
        grpc::Status GetStatus(grpc::ServerContext*, const p2p::v1::SyncStatusRequest*,
                               p2p::v1::SyncStatusResponse* resp) override {
            resp->set_chain_id(p_.opt_.self.chainId);
            resp->set_genesis_hash(stringOf(p_.opt_.self.genesisHash.span()));
            resp->set_height(p_.claimedHeight());
            resp->set_latest_block_id(std::string(32, '\x42'));
            resp->set_earliest_height(1);
            p_.counts_.add("GetStatus answered with a lie");
            return grpc::Status::OK;
        }
        grpc::Status GetBlocks(grpc::ServerContext*, const p2p::v1::GetBlocksRequest*,
                               grpc::ServerWriter<p2p::v1::SyncedBlock>*) override {
            p_.counts_.add("GetBlocks served nothing");
            return grpc::Status::OK;
        }
        grpc::Status SubmitEvidence(grpc::ServerContext*, const p2p::v1::SubmitEvidenceRequest*,
                                    p2p::v1::SubmitEvidenceResponse*) override {
            return grpc::Status::OK;
        }

    private:
        ByzantinePeer& p_;
    };

    std::uint64_t claimedHeight() const { return bestHeight_.load() + 100; }

    bool startSyncServer() {
        syncService_ = std::make_unique<LyingSync>(*this);
        grpc::ServerBuilder b;
        int port = 0;
        b.AddListeningPort(opt_.listen, grpc::InsecureServerCredentials(), &port);
        b.RegisterService(syncService_.get());
        syncServer_ = b.BuildAndStart();
        if (!syncServer_ || port == 0) return false;
        const auto host = opt_.listen.substr(0, opt_.listen.rfind(':'));
        std::lock_guard lock(mu_);
        opt_.self.listenAddress = host + ":" + std::to_string(port);
        return true;
    }

    void lie() {
        while (!stop_->waitFor(std::chrono::milliseconds(200))) {
            if (bestHeight_.load() == 0) continue;
            Envelope st;
            st.mutable_status()->set_height(claimedHeight());
            live_.forEach([&](Session& s) {
                if (s.send(st)) counts_.add("lying status sent");
            });
        }
    }

    // ---- relay-handshake -----------------------------------------------------

    // Reads until the stream ends (the victim hangs up, or the session's
    // lifetime passes); the frames read.
    static std::uint64_t drain(Session& s) {
        std::uint64_t frames = 0;
        Envelope m;
        while (s.readRaw(m)) ++frames;
        return frames;
    }

    void relayHandshakes() {
        const PeerAddress& a = opt_.targets[0];
        const PeerAddress& b = opt_.targets[1];
        for (std::uint64_t n = 0; !stop_->stopped(); ++n) {
            const bool substitute = n % 2 == 1;
            const std::string mode = substitute ? "substitute" : "forward";
            constexpr auto kLifetime = std::chrono::seconds(3);
            auto sessionA = std::make_shared<Session>(opt_, a, fresh(), kLifetime);
            auto sessionB = std::make_shared<Session>(opt_, b, fresh(), kLifetime);
            Session& toA = *sessionA;
            Session& toB = *sessionB;
            live_.add(sessionA);
            live_.add(sessionB);
            Envelope helloA, helloB;
            // Each listener speaks first: its Hello.
            if (!toA.readRaw(helloA) || !toB.readRaw(helloB) || !helloA.has_hello() || !helloB.has_hello()) {
                live_.remove(sessionA);
                live_.remove(sessionB);
                counts_.add(mode + ": no hellos");
                stop_->waitFor(std::chrono::milliseconds(200));
                continue;
            }
            counts_.add(mode + ": attempts");
            const auto started = Clock::now();
            // A is shown B's Hello and B is shown A's: each takes us for the other.
            Envelope showA = helloB, showB = helloA;
            SecureChannel chanA, chanB;
            if (substitute) {
                // Our own ephemeral keys in the Hellos we pass on, so we hold
                // the session keys of both legs and can open what they sign.
                auto mine = [](Envelope& hello, const Envelope& peerHello, SecureChannel& chan) {
                    std::array<std::uint8_t, 32> pk{}, sk{}, rx{}, tx{};
                    crypto_kx_keypair(pk.data(), sk.data());
                    hello.mutable_hello()->set_ephemeral_key(stringOf(ByteSpan(pk.data(), pk.size())));
                    const auto* theirs =
                        reinterpret_cast<const unsigned char*>(peerHello.hello().ephemeral_key().data());
                    if (peerHello.hello().ephemeral_key().size() == 32 &&
                        crypto_kx_client_session_keys(rx.data(), tx.data(), pk.data(), sk.data(), theirs) == 0)
                        chan.setKeys(rx, tx);
                };
                mine(showA, helloA, chanA);
                mine(showB, helloB, chanB);
            }
            toA.sendRaw(showA);
            toB.sendRaw(showB);
            Envelope ackA, ackB;
            const bool gotA = toA.readRaw(ackA);
            const bool gotB = toB.readRaw(ackB);
            if (gotA && gotB) {
                if (substitute) {
                    // Open each victim's signed ack (we hold its session keys)
                    // and pass the signature to the other, sealed for it.
                    Envelope openedA, openedB;
                    const bool okA = chanA.ready() && !chanA.open(ackA, openedA);
                    const bool okB = chanB.ready() && !chanB.open(ackB, openedB);
                    if (okA && okB) counts_.add("substitute: victims' acks opened");
                    if (okA && chanB.ready()) toB.sendRaw(chanB.seal(openedA));
                    if (okB && chanA.ready()) toA.sendRaw(chanA.seal(openedB));
                } else {
                    toA.sendRaw(ackB);
                    toB.sendRaw(ackA);
                }
                // A victim that took us for its peer would now send its status
                // and peer-exchange request; one that saw through us hangs up.
                Envelope injected;
                injected.mutable_status()->set_height(1);
                if (substitute) {
                    toA.sendRaw(chanA.seal(injected));
                    toB.sendRaw(chanB.seal(injected));
                } else {
                    toA.sendRaw(injected);
                    toB.sendRaw(injected);
                }
                const std::uint64_t afterA = drain(toA);
                const std::uint64_t afterB = drain(toB);
                const bool cut = Clock::now() - started < kLifetime - std::chrono::milliseconds(500);
                counts_.add(mode + ": frames from victims after the relayed handshake", afterA + afterB);
                if (afterA == 0 && afterB == 0 && cut) counts_.add(mode + ": both victims hung up");
            } else {
                counts_.add(mode + ": no acks");
            }
            live_.remove(sessionA);
            live_.remove(sessionB);
            stop_->waitFor(kPause);
        }
    }

    // ---- sybil-flood ---------------------------------------------------------

    void sybil(const PeerAddress& target) {
        while (!stop_->stopped()) {
            auto session = std::make_shared<Session>(opt_, target, fresh());
            Session& s = *session;
            live_.add(session);
            if (auto reason = s.handshake(optWithAddress())) {
                live_.remove(session);
                counts_.add("refused: " + *reason);
                stop_->waitFor(std::chrono::milliseconds(500));
                continue;
            }
            counts_.add("sybils admitted");
            Envelope m;
            while (!stop_->stopped() && s.read(m)) {
            }
            live_.remove(session);
            if (!stop_->stopped()) counts_.add("sybils disconnected by peer");
        }
    }

    Options opt_;
    Session::Key key_;
    StopFlag* stop_ = nullptr;
    Counters counts_;
    LiveSessions live_;
    mutable std::mutex mu_;
    std::set<Hash256> seenProposals_;
    Bytes lastBlock_;
    std::uint64_t tampered_ = 0;
    std::atomic<std::uint64_t> bestHeight_{0};
    std::unique_ptr<LyingSync> syncService_;
    std::unique_ptr<grpc::Server> syncServer_;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"agora-byzantine-peer: a misbehaving p2p peer for tests (docs/p2p.md, \"Hostile peers\")"};
    std::string scenario, genesisFile, nodeKeyFile, reportFile;
    std::vector<std::string> peers;
    std::uint64_t durationMs = 10'000;
    Options opt;
    std::optional<wallet::SecretKey> givenKey;
    app.add_option("--scenario", scenario,
                   "tamper-proposals | junk-flood | oversized | lying-status | relay-handshake | sybil-flood")
        ->required();
    app.add_option("--peer", peers, "NODEID@host:port of a target (repeat)")->required();
    app.add_option("--genesis", genesisFile, "the chain's genesis.json (chain id and genesis hash)")->required();
    app.add_option("--node-key", nodeKeyFile, "node_key.json to use (default: a fresh key)");
    app.add_option("--duration-ms", durationMs, "stop after this long");
    app.add_option("--listen", opt.listen, "BlockSync listen address (lying-status), advertised in the Hello");
    app.add_option("--max-message-bytes", opt.maxMessageBytes, "the targets' p2p.max_message_bytes");
    app.add_option("--max-bytes", opt.maxBytes, "junk-flood: proposal bytes to offer each target");
    app.add_option("--heights", opt.heights, "junk-flood: heights h+1..h+N");
    app.add_option("--connections", opt.connections, "sybil-flood: connections per target");
    app.add_option("--report", reportFile, "also write the JSON report here");
    CLI11_PARSE(app, argc, argv);

    opt.scenario = scenario;
    for (const auto& text : peers) {
        auto addr = PeerAddress::parse(text);
        if (!addr) {
            std::cerr << "--peer " << text << ": " << addr.error() << "\n";
            return 2;
        }
        opt.targets.push_back(*addr);
    }
    auto genesis = GenesisDoc::load(genesisFile);
    if (!genesis) {
        std::cerr << "--genesis: " << genesis.error() << "\n";
        return 2;
    }
    opt.self.chainId = genesis->genesis.chainId;
    opt.self.genesisHash = genesis->hash();
    if (!nodeKeyFile.empty()) {
        auto key = loadKeyFile(nodeKeyFile);
        if (!key) {
            std::cerr << "--node-key: " << key.error() << "\n";
            return 2;
        }
        givenKey = std::move(*key);
    }
    if (!sodiumReady()) return 2;

    // Signals are taken by sigtimedwait on this thread only.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    StopFlag stop;
    ByzantinePeer peer(opt, givenKey ? std::move(*givenKey) : wallet::SecretKey::generate());
    bool ok = true;
    std::thread runner([&] { ok = peer.run(stop); });
    const auto deadline = Clock::now() + std::chrono::milliseconds(durationMs);
    while (!stop.stopped()) {
        const auto left = deadline - Clock::now();
        if (left <= Clock::duration::zero()) break;
        const auto ms =
            std::min<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1, 100);
        timespec ts{0, static_cast<long>(ms) * 1'000'000L};
        if (sigtimedwait(&set, nullptr, &ts) > 0) break;
    }
    stop.set();
    runner.join();
    if (!ok) {
        std::cerr << "unknown scenario or bad arguments for it: " << scenario << "\n";
        return 2;
    }
    const std::string line = peer.report().dump();
    std::cout << line << std::endl;
    if (!reportFile.empty()) std::ofstream(reportFile) << line << "\n";
    return 0;
}
