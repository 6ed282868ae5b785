#include "Simulation.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <sstream>

#include "consensus/core/CodecTypes.h"

namespace agora::sim {

using namespace agora::consensus;

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Keys are deterministic; build each once per process.
const TestKey& testKey(std::size_t i) {
    static std::map<std::size_t, std::unique_ptr<TestKey>> pool;
    auto it = pool.find(i);
    if (it == pool.end()) it = pool.emplace(i, std::make_unique<TestKey>(i)).first;
    return *it->second;
}

std::uint8_t stepOf(const Message& m) {
    if (const auto* v = std::get_if<Vote>(&m)) return v->type == VoteType::Prevote ? 2 : 3;
    return 1;
}

std::uint64_t heightOf(const Message& m) {
    return std::visit([](const auto& x) { return x.height; }, m);
}

class SimSignerStore final : public SignerStateStore {
public:
    explicit SimSignerStore(std::function<void(const SignerState&)> onPersist) : onPersist_(std::move(onPersist)) {}
    bool persist(const SignerState& state) override {
        onPersist_(state);
        return true;
    }

private:
    std::function<void(const SignerState&)> onPersist_;
};

using SlotKey = std::tuple<PublicKey, std::uint64_t, std::uint32_t, std::uint8_t>;

}  // namespace

struct Simulation::Node {
    struct BlockRecord {
        Hash256 id;
        Bytes bytes;
        CommitCertificate cert;
        std::optional<Proposal> proposal;
        std::vector<ValidatorUpdate> updates;
    };

    std::size_t index = 0;
    Role role = Role::Honest;
    const TestKey* key = nullptr;
    std::unique_ptr<TestKeyHandle> keyHandle;
    // Durable: survives crashes.
    std::vector<Input> wal;
    SignerState signerState;
    ChainState chainState;
    std::map<std::uint64_t, BlockRecord> blocks;
    std::map<std::uint64_t, ValidatorSet> validatorSets;
    // Volatile.
    bool up = false;
    std::uint64_t incarnation = 0;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<SimSignerStore> store;
    std::unique_ptr<Signer> signer;
    std::deque<Input> local;
    std::vector<Message> ownSent;
    std::uint64_t ownSentHeight = 0;
    std::map<Hash256, Proposal> proposalsById;
    std::vector<Message> future;  // next-height messages, delivered when we get there
    std::map<std::pair<std::uint64_t, std::uint32_t>, std::pair<Hash256, Bytes>> equivocationBlocks;
    bool crashAfterPersist = false;
    std::uint64_t actionCount = 0;
    std::map<std::pair<std::size_t, std::uint64_t>, std::uint64_t> lastCatchup;
    // PolForger: per height, the round whose precommit it split, the honest
    // node that got the block precommit, and the rounds it proposed a forged
    // block in (its engine's own messages of those rounds are withheld).
    struct Forgery {
        std::uint32_t splitRound = 0;
        std::size_t decider = 0;
        std::set<std::uint32_t> forgedRounds;
    };
    std::map<std::uint64_t, Forgery> forgeries;
    // Messages sent to a subset of the nodes (bit i: node i); gossip re-sends
    // those of the current height to the same subset.
    std::vector<std::pair<Message, std::uint64_t>> targeted;
    // Checker bookkeeping.
    std::map<SlotKey, std::set<std::optional<Hash256>>> walVotes;
    std::set<SlotKey> reported;
};

struct Simulation::Event {
    enum class Kind : std::uint8_t { Deliver, Timer, Restart, Gossip, Stabilise };
    std::uint64_t time = 0;
    std::uint64_t seq = 0;
    Kind kind = Kind::Deliver;
    std::size_t node = 0;
    std::size_t from = SIZE_MAX;
    std::uint64_t incarnation = 0;
    std::optional<Message> message;
    TimeoutFired timer;
};

bool Simulation::EventOrder::operator()(const Event& a, const Event& b) const {
    return std::tie(a.time, a.seq) > std::tie(b.time, b.seq);
}

std::string RunResult::summary() const {
    std::ostringstream o;
    o << "scenario=" << scenario << " seed=" << seed << " validators=" << validators << " byzantine=" << byzantine
      << " heights=" << heights << " commits=" << commits << " maxRound=" << maxRound
      << " maxRoundAfterGst=" << maxRoundAfterGst << " messages=" << messages << " crashes=" << crashes
      << " evidence=" << evidence << " refusals=" << signRefusals;
    if (forgedProposals > 0) {
        o << " forgedProposals=" << forgedProposals << " honestPrevotesForForged=" << honestPrevotesForForged;
    }
    o << " end=" << endTime << " violations=" << violations.size();
    for (const auto& v : violations) o << "\n  violation: " << v;
    return o.str();
}

Simulation::Simulation(Scenario scenario, std::uint64_t seed)
    : scenario_(std::move(scenario)), seed_(seed), rng_(seed) {}

Simulation::~Simulation() = default;

void Simulation::setValidators(std::vector<std::uint64_t> powers, std::vector<Role> roles) {
    powers_ = std::move(powers);
    roles_ = std::move(roles);
    customValidators_ = true;
}

void Simulation::inject(std::uint64_t time, std::size_t to, Message m) {
    Event e;
    e.time = time;
    e.kind = Event::Kind::Deliver;
    e.node = to;
    e.message = std::move(m);
    schedule(std::move(e));
}

void Simulation::schedule(Event e) {
    e.seq = seq_++;
    queue_.push_back(std::move(e));
    std::push_heap(queue_.begin(), queue_.end(), EventOrder{});
}

void Simulation::violation(std::string what) {
    if (trace_) std::printf("[t=%llu] VIOLATION %s\n", static_cast<unsigned long long>(now_), what.c_str());
    if (result_.violations.size() < 20) result_.violations.push_back(std::move(what));
}

std::pair<Hash256, Bytes> Simulation::buildBlock(std::uint64_t height, std::uint32_t round, const Hash256& parent,
                                                 const std::optional<CommitCertificate>& lastCommit,
                                                 std::uint64_t nonce) {
    Writer w;
    w.u64(height);
    codec::put(w, parent);
    w.u32(round);
    w.u64(nonce);
    codec::putOptional(w, lastCommit, [](Writer& ww, const CommitCertificate& c) { c.encodeTo(ww); });
    Bytes bytes = w.take();
    const Hash256 id = sha256(bytes);
    builtBlocks_.insert(id);
    return {id, std::move(bytes)};
}

bool Simulation::validateBlock(const Node& n, std::uint64_t height, const Hash256& id, const Bytes& block) const {
    if (sha256(block) != id) return false;
    Reader r(block);
    const std::uint64_t h = r.u64();
    const Hash256 parent = codec::getHash(r);
    (void)r.u32();
    (void)r.u64();
    auto lastCommit =
        codec::getOptional<CommitCertificate>(r, [](Reader& rr) { return CommitCertificate::decodeFrom(rr); });
    r.expectEnd();
    if (!r.ok() || h != height) return false;
    if (height == 1) return parent.isZero() && !lastCommit;
    auto prev = n.blocks.find(height - 1);
    auto prevSet = n.validatorSets.find(height - 1);
    if (prev == n.blocks.end() || prevSet == n.validatorSets.end()) return false;
    if (parent != prev->second.id || !lastCommit || lastCommit->blockId != parent) return false;
    return lastCommit->verify(chainId_, height - 1, prevSet->second).hasValue();
}

std::vector<ValidatorUpdate> Simulation::updatesFor(std::uint64_t height, const ValidatorSet&) const {
    if (scenario_.validatorUpdateEvery == 0 || height % scenario_.validatorUpdateEvery != 0) return {};
    // Raise one honest validator's power: keeps Byzantine power below 1/3.
    std::vector<std::size_t> honest;
    for (std::size_t i = 0; i < roles_.size(); ++i) {
        if (roles_[i] == Role::Honest) honest.push_back(i);
    }
    if (honest.empty()) return {};
    const std::size_t i = honest[(height / scenario_.validatorUpdateEvery) % honest.size()];
    return {ValidatorUpdate{keys_[i]->publicKey(), powers_[i] + height}};
}

bool Simulation::partitioned(std::size_t a, std::size_t b) const {
    for (const auto& p : partitions_) {
        if (now_ < p.start || now_ >= p.end) continue;
        if (((p.groupMask >> a) & 1U) != ((p.groupMask >> b) & 1U)) return true;
    }
    return false;
}

void Simulation::send(std::size_t from, std::size_t to, const Message& m) {
    if (from == to) return;
    ++result_.messages;
    std::uint64_t delay = rng_.range(scenario_.minDelay, scenario_.maxDelay);
    if (before(now_)) {
        if (partitioned(from, to)) return;
        if (rng_.chance(scenario_.dropPpm)) return;
        const bool isProposal = std::holds_alternative<Proposal>(m);
        if (isProposal && rng_.chance(scenario_.proposalDropPpm)) return;
        if (!isProposal && std::get<Vote>(m).type == VoteType::Precommit && rng_.chance(scenario_.precommitDropPpm)) {
            return;
        }
        if (rng_.chance(scenario_.tailPpm)) delay += rng_.range(0, scenario_.tailDelay);
        if (rng_.chance(scenario_.duplicatePpm)) {
            Event d;
            d.time = now_ + rng_.range(scenario_.minDelay, scenario_.maxDelay + scenario_.tailDelay);
            d.node = to;
            d.from = from;
            d.message = m;
            schedule(std::move(d));
        }
    }
    Event e;
    e.time = now_ + delay;
    e.node = to;
    e.from = from;
    e.message = m;
    schedule(std::move(e));
}

void Simulation::broadcast(std::size_t from, const Message& m) {
    for (std::size_t to = 0; to < nodes_.size(); ++to) send(from, to, m);
}

void Simulation::recordSigned(std::size_t node, const Message& m) {
    if (nodes_[node]->role != Role::Honest) return;
    const PublicKey key = keys_[node]->publicKey();
    const Hash256 digest = std::visit([&](const auto& x) { return x.signDigest(chainId_); }, m);
    const std::uint32_t round = std::visit([](const auto& x) { return x.round; }, m);
    const SlotKey slot{key, heightOf(m), round, stepOf(m)};
    if (const auto* v = std::get_if<Vote>(&m);
        v && v->type == VoteType::Prevote && v->blockId && forgedBlocks_.count(*v->blockId)) {
        ++result_.honestPrevotesForForged;
    }
    auto [it, fresh] = honestSigned_.emplace(slot, digest);
    if (!fresh && it->second != digest) {
        violation("honest double-sign by node " + std::to_string(node) + " at height " + std::to_string(heightOf(m)) +
                  " round " + std::to_string(round) + " step " + std::to_string(stepOf(m)));
    }
}

void Simulation::sendForged(Node& n, const Message& m, std::uint64_t targets) {
    // An attacker does not leave its forgery to a lossy network: it sends
    // each copy several times (each copy is lost or delayed on its own).
    constexpr int kCopies = 3;
    for (std::size_t to = 0; to < nodes_.size(); ++to) {
        if (((targets >> to) & 1U) == 0) continue;
        for (int c = 0; c < kCopies; ++c) send(n.index, to, m);
    }
    n.targeted.emplace_back(m, targets);
}

bool Simulation::forgeVote(Node& n, const Vote& vote) {
    auto f = n.forgeries.find(vote.height);
    // The forged round's prevote and precommit (for B) are out already.
    if (f != n.forgeries.end() && f->second.forgedRounds.count(vote.round)) return true;
    if (f != n.forgeries.end() || vote.type != VoteType::Precommit || !vote.blockId) return false;
    // Our engine saw a quorum of prevotes for A: the honest nodes that saw it
    // too are locked on A. Let one of them decide A (our precommit may be the
    // one its quorum lacks) and keep A from the others: nil to them.
    std::vector<std::size_t> honest;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (roles_[i] == Role::Honest) honest.push_back(i);
    }
    if (honest.empty()) return false;
    const std::size_t decider = honest[rng_.below(honest.size())];
    Vote nil = vote;
    nil.blockId.reset();
    nil.signature = n.key->sign(nil.signDigest(chainId_));
    const std::uint64_t all = (std::uint64_t{1} << nodes_.size()) - 1;
    const std::uint64_t deciderBit = std::uint64_t{1} << decider;
    sendForged(n, vote, deciderBit);
    sendForged(n, nil, all & ~deciderBit);
    Node::Forgery& forgery = n.forgeries[vote.height];
    forgery.splitRound = vote.round;
    forgery.decider = decider;
    if (trace_) {
        std::printf(
            "[t=%llu] node %zu (PolForger) precommits %s at height %llu round %u to node %zu only, nil to "
            "the others\n",
            static_cast<unsigned long long>(now_), n.index, vote.blockId->toHex().substr(0, 12).c_str(),
            static_cast<unsigned long long>(vote.height), vote.round, decider);
    }
    // The next round is ours: forge it now, so the forged proposal and votes
    // wait at the others when they get there (before the decider's commit
    // reaches them as catch-up).
    if (n.engine->proposerOf(vote.round + 1) == n.key->publicKey()) forgeRound(n, vote.height, vote.round + 1);
    return true;
}

bool Simulation::forgeProposal(Node& n, const Proposal& proposal) {
    auto f = n.forgeries.find(proposal.height);
    if (f == n.forgeries.end() || proposal.round <= f->second.splitRound) return false;
    if (!f->second.forgedRounds.count(proposal.round)) forgeRound(n, proposal.height, proposal.round);
    return true;  // our engine's own proposal (A re-proposed, or a fresh block) is withheld
}

void Simulation::forgeRound(Node& n, std::uint64_t height, std::uint32_t round) {
    Node::Forgery& forgery = n.forgeries.at(height);
    forgery.forgedRounds.insert(round);
    Hash256 parent;
    if (height > 1) parent = n.blocks.at(height - 1).id;
    // A valid block of our own application, other than any honest node's.
    const std::uint64_t nonce = (std::uint64_t{n.index} << 40) ^ (height << 8) ^ round;
    auto [id, bytes] = buildBlock(height, round, parent, n.engine->chainState().lastCommit, (nonce << 1) | 1);
    Proposal p;
    p.height = height;
    p.round = round;
    p.polRound = round - 1;  // at least every honest lock round: no quorum prevoted B there
    p.blockId = id;
    p.proposer = n.key->publicKey();
    p.block = std::move(bytes);
    p.signature = n.key->sign(p.signDigest(chainId_));
    forgedBlocks_.insert(id);
    ++result_.forgedProposals;
    if (trace_) {
        std::printf("[t=%llu] node %zu (PolForger) proposes %s at height %llu round %u with forged pol_round %u\n",
                    static_cast<unsigned long long>(now_), n.index, id.toHex().substr(0, 12).c_str(),
                    static_cast<unsigned long long>(height), round, round - 1);
    }
    auto vote = [&](VoteType type) {
        Vote v;
        v.type = type;
        v.height = height;
        v.round = round;
        v.blockId = id;
        v.validator = n.key->publicKey();
        v.signature = n.key->sign(v.signDigest(chainId_));
        return v;
    };
    const std::uint64_t all = (std::uint64_t{1} << nodes_.size()) - 1;
    const std::uint64_t targets = all & ~(std::uint64_t{1} << forgery.decider) & ~(std::uint64_t{1} << n.index);
    sendForged(n, p, targets);
    sendForged(n, vote(VoteType::Prevote), targets);
    sendForged(n, vote(VoteType::Precommit), targets);
}

void Simulation::deliver(Node& n, std::size_t from, const Message& m) {
    if (!n.up || !n.engine) return;
    const std::uint64_t h = heightOf(m);
    if (h < n.engine->height() && from < nodes_.size()) {
        // The sender is behind: send it the decision of that height.
        auto rec = n.blocks.find(h);
        auto& last = n.lastCatchup[{from, h}];
        if (scenario_.catchUp && rec != n.blocks.end() && (last == 0 || now_ >= last + scenario_.gossipInterval)) {
            last = now_ + 1;
            if (rec->second.proposal) send(n.index, from, *rec->second.proposal);
            for (std::size_t i = 0; i < rec->second.cert.signatures.size(); ++i) {
                send(n.index, from, rec->second.cert.precommitOf(i));
            }
        }
        return;
    }
    if (h == n.engine->height() + 1) {
        // Peers that decided first already talk about the next height; a
        // node keeps those messages instead of waiting for their re-gossip.
        if (n.future.size() < 4096) n.future.push_back(m);
        return;
    }
    Input in;
    in.now = now_;
    if (const auto* p = std::get_if<Proposal>(&m)) {
        n.proposalsById.emplace(p->blockId, *p);
        in.body = ProposalReceived{*p};
    } else {
        in.body = VoteReceived{std::get<Vote>(m)};
    }
    n.local.push_back(std::move(in));
    pump(n);
}

void Simulation::pump(Node& n) {
    while (n.up && !n.local.empty()) {
        Input in = std::move(n.local.front());
        n.local.pop_front();
        const std::uint64_t before = n.engine->height();
        execute(n, n.engine->handle(in));
        if (n.up && n.engine->height() != before) {
            std::vector<Message> held;
            held.swap(n.future);
            for (const auto& m : held) {
                if (heightOf(m) != n.engine->height()) continue;
                Input next;
                next.now = now_;
                if (const auto* p = std::get_if<Proposal>(&m)) {
                    next.body = ProposalReceived{*p};
                } else {
                    next.body = VoteReceived{std::get<Vote>(m)};
                }
                n.local.push_back(std::move(next));
            }
        }
    }
}

void Simulation::execute(Node& n, std::vector<Action> actions) {
    for (auto& a : actions) {
        if (!n.up) return;
        ++n.actionCount;
        if (scenario_.crashAtAction != 0 && n.index == scenario_.crashNode &&
            n.actionCount == scenario_.crashAtAction) {
            crash(n);
            return;
        }
        if (n.role == Role::Honest && before(now_) && rng_.chance(scenario_.crashPpm)) {
            crash(n);
            return;
        }
        if (!executeOne(n, a)) return;
    }
}

bool Simulation::executeOne(Node& n, Action& action) {
    const std::uint64_t height = n.engine->height();
    if (height != n.ownSentHeight) {
        n.ownSent.clear();
        n.ownSentHeight = height;
    }
    return std::visit(
        Overloaded{
            [&](AppendWal& a) {
                if (const auto* v = std::get_if<VoteReceived>(&a.input.body)) {
                    n.walVotes[{v->vote.validator, v->vote.height, v->vote.round,
                                static_cast<std::uint8_t>(v->vote.type)}]
                        .insert(v->vote.blockId);
                }
                if (const auto* p = std::get_if<ProposalReceived>(&a.input.body))
                    n.proposalsById.emplace(p->proposal.blockId, p->proposal);
                if (const auto* p = std::get_if<OwnProposalSigned>(&a.input.body))
                    n.proposalsById.emplace(p->proposal.blockId, p->proposal);
                // Mutant: the host skips the append (the entry is lost at the next restart).
                if (n.role == Role::Honest && rng_.chance(scenario_.skipWalAppendPpm)) return true;
                n.wal.push_back(std::move(a.input));
                return true;
            },
            [&](BroadcastProposal& a) {
                n.proposalsById.emplace(a.proposal.blockId, a.proposal);
                if (n.role == Role::PolForger && forgeProposal(n, a.proposal)) return true;
                auto eq = n.equivocationBlocks.find({a.proposal.height, a.proposal.round});
                if (n.role == Role::Equivocator && eq != n.equivocationBlocks.end()) {
                    Proposal other = a.proposal;
                    other.blockId = eq->second.first;
                    other.block = eq->second.second;
                    other.signature = n.key->sign(other.signDigest(chainId_));
                    for (std::size_t to = 0; to < nodes_.size(); ++to) {
                        send(n.index, to, rng_.below(2) == 0 ? Message(a.proposal) : Message(other));
                    }
                    n.ownSent.emplace_back(a.proposal);
                    n.ownSent.emplace_back(other);
                    return true;
                }
                recordSigned(n.index, a.proposal);
                broadcast(n.index, a.proposal);
                n.ownSent.emplace_back(a.proposal);
                return true;
            },
            [&](BroadcastVote& a) {
                if (n.role == Role::PolForger && forgeVote(n, a.vote)) return true;
                if (n.role == Role::Equivocator) {
                    Vote other = a.vote;
                    if (a.vote.blockId) {
                        other.blockId.reset();
                    } else {
                        Writer w;
                        w.string("fake");
                        w.u64(a.vote.height);
                        w.u32(a.vote.round);
                        other.blockId = sha256(w.data());
                    }
                    other.signature = n.key->sign(other.signDigest(chainId_));
                    for (std::size_t to = 0; to < nodes_.size(); ++to) {
                        send(n.index, to, rng_.below(2) == 0 ? Message(a.vote) : Message(other));
                    }
                    n.ownSent.emplace_back(a.vote);
                    n.ownSent.emplace_back(other);
                    return true;
                }
                recordSigned(n.index, a.vote);
                broadcast(n.index, a.vote);
                n.ownSent.emplace_back(a.vote);
                return true;
            },
            [&](ScheduleTimeout& a) {
                Event e;
                e.time = now_ + a.ticks;
                e.kind = Event::Kind::Timer;
                e.node = n.index;
                e.incarnation = n.incarnation;
                e.timer = TimeoutFired{a.height, a.round, a.step};
                schedule(std::move(e));
                return true;
            },
            [&](RequestBlock& a) {
                Hash256 parent;
                if (a.height > 1) parent = n.blocks.at(a.height - 1).id;
                // Deterministic per (node, height, round): a rebuilt block after
                // a crash is the same block.
                const std::uint64_t nonce = (std::uint64_t{n.index} << 40) ^ (a.height << 8) ^ a.round;
                auto [id, bytes] = buildBlock(a.height, a.round, parent, n.engine->chainState().lastCommit, nonce << 1);
                if (n.role == Role::Equivocator) {
                    n.equivocationBlocks[{a.height, a.round}] =
                        buildBlock(a.height, a.round, parent, n.engine->chainState().lastCommit, (nonce << 1) | 1);
                }
                n.local.push_back(Input{now_, BlockReady{a.height, a.round, id, std::move(bytes)}});
                return true;
            },
            [&](ValidateBlock& a) {
                const bool valid = validateBlock(n, a.height, a.blockId, a.block);
                n.local.push_back(Input{now_, BlockValidated{a.height, a.blockId, valid}});
                return true;
            },
            [&](SignProposal& a) {
                if (n.role != Role::Honest || scenario_.signerBypass) {
                    a.proposal.signature = n.key->sign(a.proposal.signDigest(chainId_));
                    n.local.push_back(Input{now_, OwnProposalSigned{a.proposal}});
                    return true;
                }
                auto signedP = n.signer->signProposal(a.proposal);
                if (n.crashAfterPersist) {
                    crash(n);
                    return false;
                }
                if (!signedP) {
                    // Regressions are expected while replaying the WAL (old
                    // requests re-emitted); a conflict means replay diverged.
                    ++result_.signRefusals;
                    if (signedP.error() == SignError::Conflict) {
                        violation("engine of node " + std::to_string(n.index) + " requested a conflicting signature");
                    }
                    return true;
                }
                n.local.push_back(Input{now_, OwnProposalSigned{*signedP}});
                return true;
            },
            [&](SignVote& a) {
                if (n.role != Role::Honest || scenario_.signerBypass) {
                    a.vote.signature = n.key->sign(a.vote.signDigest(chainId_));
                    n.local.push_back(Input{now_, OwnVoteSigned{a.vote}});
                    return true;
                }
                auto signedV = n.signer->signVote(a.vote);
                if (n.crashAfterPersist) {
                    crash(n);
                    return false;
                }
                if (!signedV) {
                    // Regressions are expected while replaying the WAL (old
                    // requests re-emitted); a conflict means replay diverged.
                    ++result_.signRefusals;
                    if (signedV.error() == SignError::Conflict) {
                        violation("engine of node " + std::to_string(n.index) + " requested a conflicting signature");
                    }
                    return true;
                }
                n.local.push_back(Input{now_, OwnVoteSigned{*signedV}});
                return true;
            },
            [&](ReportEvidence& a) {
                const Vote& v = a.evidence.first;
                if (!a.evidence.verify(chainId_))
                    violation("unverifiable evidence from node " + std::to_string(n.index));
                n.reported.insert({v.validator, v.height, v.round, static_cast<std::uint8_t>(v.type)});
                result_.accused.insert(v.validator);
                if (n.role == Role::Honest) ++result_.evidence;
                for (std::size_t i = 0; i < keys_.size(); ++i) {
                    if (keys_[i]->publicKey() == v.validator && roles_[i] == Role::Honest) {
                        violation("evidence against honest validator " + std::to_string(i));
                    }
                }
                return true;
            },
            [&](CommitBlock& a) {
                onCommit(n, a);
                const auto& rec = n.blocks.at(a.height);
                n.local.push_back(Input{now_, BlockFinalized{a.height, rec.updates}});
                return true;
            },
            [&](PersistChainState& a) {
                n.chainState = a.state;
                n.validatorSets[a.state.height] = a.state.validators;
                std::erase_if(n.wal, [&](const Input& in) { return in.height() < a.state.height; });
                return true;
            },
        },
        action);
}

void Simulation::onCommit(Node& n, const CommitBlock& c) {
    auto existing = n.blocks.find(c.height);
    if (existing != n.blocks.end()) {
        // Re-decided while replaying the WAL: must be the same block.
        if (existing->second.id != c.blockId) {
            violation("node " + std::to_string(n.index) + " committed two blocks at height " +
                      std::to_string(c.height));
        }
        return;
    }
    if (!builtBlocks_.count(c.blockId)) violation("committed a block no application built");
    auto set = n.validatorSets.find(c.height);
    if (set == n.validatorSets.end() || !c.certificate.verify(chainId_, c.height, set->second)) {
        violation("commit certificate does not verify at node " + std::to_string(n.index));
    }
    if (n.role == Role::Honest) {
        auto [it, fresh] = decided_.emplace(c.height, c.blockId);
        if (!fresh && it->second != c.blockId) {
            result_.agreementBroken = true;
            violation("agreement: two blocks decided at height " + std::to_string(c.height));
        }
        ++result_.commits;
        result_.maxRound = std::max(result_.maxRound, c.certificate.round);
        result_.rounds += std::uint64_t{c.certificate.round} + 1;
        // Heights every honest node began after GST (the one in progress at
        // GST may have used many rounds already).
        if (stabilised_ && c.height > heightAtGst_ + 1) {
            result_.maxRoundAfterGst = std::max(result_.maxRoundAfterGst, c.certificate.round);
            // Bounded rounds after healing: every round with an honest
            // proposer succeeds, and Byzantine proposers (each below 1/3 of
            // the power) hold at most two rounds in a row each.
            const std::uint32_t bound = 3 + 2 * result_.byzantine;
            if (c.certificate.round > bound) {
                violation("liveness: height " + std::to_string(c.height) + " begun after GST needed round " +
                          std::to_string(c.certificate.round) + " > " + std::to_string(bound));
            }
        }
    }
    Node::BlockRecord rec;
    rec.id = c.blockId;
    rec.bytes = c.block;
    rec.cert = c.certificate;
    auto p = n.proposalsById.find(c.blockId);
    if (p != n.proposalsById.end()) rec.proposal = p->second;
    rec.updates = updatesFor(c.height, n.chainState.validators);
    n.blocks.emplace(c.height, std::move(rec));
    if (trace_) {
        std::printf("[t=%llu] node %zu commits height %llu round %u block %s\n", static_cast<unsigned long long>(now_),
                    n.index, static_cast<unsigned long long>(c.height), c.certificate.round,
                    c.blockId.toHex().substr(0, 12).c_str());
    }
}

void Simulation::crash(Node& n) {
    if (trace_) std::printf("[t=%llu] node %zu crashes\n", static_cast<unsigned long long>(now_), n.index);
    ++result_.crashes;
    n.up = false;
    n.crashAfterPersist = false;
    n.engine.reset();
    n.signer.reset();
    n.local.clear();
    n.future.clear();
    Event e;
    e.kind = Event::Kind::Restart;
    e.node = n.index;
    e.time = std::min(now_ + rng_.range(50, std::max<std::uint64_t>(scenario_.maxDowntime, 51)),
                      std::max(scenario_.gst, now_ + 1));
    schedule(std::move(e));
}

void Simulation::restart(Node& n) {
    if (n.up || n.role == Role::Silent) return;
    if (trace_ && n.incarnation > 0) {
        std::printf("[t=%llu] node %zu restarts at height %llu replaying %zu WAL entries\n",
                    static_cast<unsigned long long>(now_), n.index,
                    static_cast<unsigned long long>(n.chainState.height), n.wal.size());
    }
    n.up = true;
    ++n.incarnation;
    EngineConfig cfg;
    cfg.chainId = chainId_;
    cfg.self = n.key->publicKey();
    cfg.timeouts = scenario_.timeouts;
    cfg.testOnlyIgnoreLock = scenario_.ignoreLock && n.role == Role::Honest;
    cfg.testOnlyHalfQuorum = scenario_.halfQuorum && n.role == Role::Honest;
    cfg.testOnlySkipPolCheck = scenario_.skipPolCheck && n.role == Role::Honest;
    n.engine = std::make_unique<Engine>(cfg, n.chainState, verifier_);
    Node* np = &n;
    n.store = std::make_unique<SimSignerStore>([this, np](const SignerState& s) {
        np->signerState = s;
        if (before(now_) && rng_.chance(scenario_.crashAfterPersistPpm)) np->crashAfterPersist = true;
    });
    n.signer = std::make_unique<Signer>(chainId_, n.signerState, *n.store, *n.keyHandle);
    n.ownSent.clear();
    n.ownSentHeight = n.chainState.height;
    execute(n, n.engine->start());
    if (scenario_.amnesiaOnRestart && n.role == Role::Honest && n.incarnation > 1) n.wal.clear();
    const std::vector<Input> wal = n.wal;
    for (const auto& in : wal) {
        if (!n.up) return;
        execute(n, n.engine->replay(in));
    }
    pump(n);
}

void Simulation::gossip(Node& n) {
    if (n.up && n.engine) {
        if (n.engine->height() != n.ownSentHeight) {
            n.ownSent.clear();
            n.ownSentHeight = n.engine->height();
        }
        const std::vector<Message> msgs = n.ownSent;
        for (const auto& m : msgs) broadcast(n.index, m);
        const std::uint64_t height = n.engine->height();
        std::erase_if(n.targeted, [&](const auto& t) { return heightOf(t.first) != height; });
        const auto targeted = n.targeted;
        for (const auto& [m, targets] : targeted) {
            for (std::size_t to = 0; to < nodes_.size(); ++to) {
                if ((targets >> to) & 1U) send(n.index, to, m);
            }
        }
    }
    Event e;
    e.kind = Event::Kind::Gossip;
    e.node = n.index;
    e.time = now_ + scenario_.gossipInterval;
    schedule(std::move(e));
}

void Simulation::setup() {
    if (!customValidators_) {
        const std::size_t count = rng_.range(scenario_.minValidators, scenario_.maxValidators);
        powers_.clear();
        for (std::size_t i = 0; i < count; ++i) powers_.push_back(rng_.range(scenario_.minPower, scenario_.maxPower));
        roles_.assign(count, Role::Honest);
        std::uint64_t total = 0;
        for (auto p : powers_) total += p;
        std::uint64_t byz = 0;
        std::vector<std::size_t> order(count);
        for (std::size_t i = 0; i < count; ++i) order[i] = i;
        for (std::size_t i = count; i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);
        std::uint32_t made = 0;
        for (std::size_t i : order) {
            if (made >= scenario_.maxByzantine) break;
            if (3 * (byz + powers_[i]) >= total) continue;
            if (scenario_.polForgingByzantine) {
                roles_[i] = Role::PolForger;
                byz += powers_[i];
                ++made;
                continue;
            }
            const bool silent = scenario_.silentByzantine && (!scenario_.equivocatingByzantine || rng_.below(2) == 0);
            if (!silent && !scenario_.equivocatingByzantine) continue;
            roles_[i] = silent ? Role::Silent : Role::Equivocator;
            byz += powers_[i];
            ++made;
        }
    }
    const std::size_t count = powers_.size();
    std::vector<ValidatorUpdate> members;
    for (std::size_t i = 0; i < count; ++i) {
        keys_.push_back(&testKey(i));
        members.push_back(ValidatorUpdate{keys_[i]->publicKey(), powers_[i]});
    }
    genesis_ = ChainState::genesis(*ValidatorSet::fromUpdates(members));
    for (std::uint32_t p = 0; p < scenario_.partitions && scenario_.gst > 10; ++p) {
        Partition part;
        part.start = rng_.range(0, scenario_.gst * 3 / 4);
        part.end = std::min(scenario_.gst, part.start + rng_.range(scenario_.gst / 10, scenario_.gst / 3));
        const std::uint64_t full = (std::uint64_t{1} << count) - 1;
        part.groupMask = rng_.range(1, full - 1);
        partitions_.push_back(part);
    }
    result_.validators = static_cast<std::uint32_t>(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto n = std::make_unique<Node>();
        n->index = i;
        n->role = roles_[i];
        n->key = keys_[i];
        n->keyHandle = std::make_unique<TestKeyHandle>(*keys_[i]);
        n->chainState = genesis_;
        n->validatorSets[1] = genesis_.validators;
        if (roles_[i] != Role::Honest) ++result_.byzantine;
        nodes_.push_back(std::move(n));
        Event start;
        start.kind = Event::Kind::Restart;
        start.node = i;
        start.time = rng_.range(0, 20);
        schedule(std::move(start));
        Event g;
        g.kind = Event::Kind::Gossip;
        g.node = i;
        g.time = rng_.range(1, scenario_.gossipInterval);
        schedule(std::move(g));
    }
    Event stable;
    stable.kind = Event::Kind::Stabilise;
    stable.time = scenario_.gst;
    schedule(std::move(stable));
}

RunResult Simulation::run() {
    result_ = RunResult{};
    result_.scenario = scenario_.name;
    result_.seed = seed_;
    setup();
    std::uint64_t target = scenario_.targetHeight;
    bool stabilised = false;
    std::uint64_t events = 0;
    const std::uint64_t deadline = scenario_.gst + scenario_.livenessWindow;
    auto reached = [&]() {
        for (const auto& n : nodes_) {
            if (n->role == Role::Honest && n->blocks.size() < target) return false;
        }
        return true;
    };
    bool done = false;
    while (!queue_.empty() && !done) {
        std::pop_heap(queue_.begin(), queue_.end(), EventOrder{});
        Event e = std::move(queue_.back());
        queue_.pop_back();
        if (e.time > deadline) break;
        now_ = e.time;
        if (++events > 3'000'000) {
            violation("event budget exhausted");
            break;
        }
        Node& n = *nodes_[e.node];
        switch (e.kind) {
            case Event::Kind::Deliver:
                if (e.message) deliver(n, e.from, *e.message);
                break;
            case Event::Kind::Timer:
                if (n.up && n.incarnation == e.incarnation) {
                    n.local.push_back(Input{now_, e.timer});
                    pump(n);
                }
                break;
            case Event::Kind::Restart:
                restart(n);
                break;
            case Event::Kind::Gossip:
                gossip(n);
                break;
            case Event::Kind::Stabilise: {
                stabilised = true;
                stabilised_ = true;
                std::uint64_t highest = 0;
                for (const auto& m : nodes_) {
                    if (m->role == Role::Honest) highest = std::max<std::uint64_t>(highest, m->blocks.size());
                }
                heightAtGst_ = highest;
                // Liveness is judged on progress made after the network heals.
                target = std::max(target, highest + 2);
                for (auto& m : nodes_) restart(*m);
                break;
            }
        }
        done = stabilised && reached();
    }
    result_.endTime = now_;
    if (!done) {
        for (const auto& n : nodes_) {
            if (n->role == Role::Honest && n->blocks.size() < target) {
                violation("liveness: node " + std::to_string(n->index) + " committed " +
                          std::to_string(n->blocks.size()) + " of " + std::to_string(target) +
                          " heights by t=" + std::to_string(deadline));
            }
        }
    }
    check();
    return result_;
}

void Simulation::check() {
    std::uint64_t lowest = UINT64_MAX;
    for (const auto& n : nodes_) {
        if (n->role != Role::Honest) continue;
        lowest = std::min<std::uint64_t>(lowest, n->blocks.size());
        // Every equivocation an honest node logged must have been reported.
        for (const auto& [slot, ids] : n->walVotes) {
            if (ids.size() >= 2 && !n->reported.count(slot)) {
                violation("node " + std::to_string(n->index) + " saw an equivocation at height " +
                          std::to_string(std::get<1>(slot)) + " without reporting evidence");
            }
        }
    }
    result_.heights = lowest == UINT64_MAX ? 0 : lowest;
}

RunResult runScenario(const Scenario& scenario, std::uint64_t seed, bool trace) {
    Simulation sim(scenario, seed);
    sim.setTrace(trace);
    return sim.run();
}

std::vector<Scenario> standardScenarios() {
    std::vector<Scenario> out;
    Scenario clean;
    clean.name = "clean";
    out.push_back(clean);

    Scenario lossy;
    lossy.name = "lossy";
    lossy.gst = 4000;
    lossy.dropPpm = 200'000;
    lossy.duplicatePpm = 100'000;
    lossy.tailPpm = 100'000;
    out.push_back(lossy);

    Scenario partition;
    partition.name = "partition";
    partition.gst = 5000;
    partition.partitions = 3;
    partition.dropPpm = 20'000;
    partition.tailPpm = 50'000;
    out.push_back(partition);

    Scenario crash;
    crash.name = "crash";
    crash.gst = 5000;
    crash.crashPpm = 8'000;
    crash.crashAfterPersistPpm = 60'000;
    crash.dropPpm = 20'000;
    out.push_back(crash);

    Scenario byz;
    byz.name = "byzantine";
    byz.gst = 3000;
    byz.maxByzantine = 3;
    byz.dropPpm = 50'000;
    byz.tailPpm = 50'000;
    out.push_back(byz);

    Scenario mixed;
    mixed.name = "mixed";
    mixed.gst = 5000;
    mixed.maxByzantine = 3;
    mixed.dropPpm = 100'000;
    mixed.duplicatePpm = 50'000;
    mixed.tailPpm = 50'000;
    mixed.partitions = 2;
    mixed.crashPpm = 4'000;
    mixed.crashAfterPersistPpm = 30'000;
    out.push_back(mixed);
    return out;
}

std::optional<Scenario> scenarioByName(const std::string& name) {
    for (auto& s : standardScenarios()) {
        if (s.name == name) return s;
    }
    return std::nullopt;
}

}  // namespace agora::sim
