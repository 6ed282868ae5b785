#pragma once
// GossipRouter: what happens to a gossiped proposal, vote, tx or evidence
// (docs/p2p.md, "Gossip"). An incoming one is decoded with the canonical
// decoder; a proposal or vote must then pass admission (its height in the
// window, its signer in the validator set of that height, a proposal's signer
// the proposer of its round: ConsensusAdmission, docs/p2p.md "Admission")
// before its signature is even checked, else it is dropped, counted by
// reason, and neither handed on nor relayed. Evidence passes its own
// admission (the accused in the set of the evidence's height, the offence new:
// decision 53) before its signatures are checked and is relayed only when the
// evidence pool took it as a new offence. The rest is verified (a proposal
// is also bound to its signed block), handed to its handler and relayed once
// to every peer but the one it came from (a message admitted only for the
// buffer, of a height beyond the next, is not relayed); our own go to every
// peer. A seen-cache of the last `seenMax` payload hashes
// (50,000 by default) drops repeats: a repeated tx before it is decoded, a
// repeated proposal or vote after it went to consensus again (a catch-up
// re-send may fill a gap) but without a second relay.
//
// It knows no connections: peers are the numbers the owner passes as `from`,
// and sending is the owner's `relay` (PeerManager::broadcast, which skips
// blocked peers). Invalid data is reported back as an offence for the owner
// to punish.
//
// Thread-safe: called from every connection's reader thread at once. The
// seen-cache lock is a leaf; handlers and `relay` run without it.

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agora/p2p/v1/p2p.pb.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/Tx.h"
#include "consensus/core/Vote.h"
#include "node/consensus/ConsensusAdmission.h"
#include "node/p2p/PeerConnection.h"

namespace agora::node {

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
    // Verified evidence; returns Pooled when the pool took it as a new
    // offence (only then is it relayed), else why not. Unset: relayed.
    std::function<EvidenceAdmission(DuplicateVoteEvidence)> onEvidence;
    std::function<PeerPosition()> position;
    // The mempool's pending txs in the order a block would take them, at most
    // maxBytes of tx bytes (the node: Mempool::reap). PeerManager queues them
    // to every peer that connects (decision 53). Unset: none.
    std::function<std::vector<TxRef>(std::size_t maxBytes)> pendingTxs;
    std::function<CatchUpMessages(const PeerPosition&)> catchUp;
    // Admission of a decoded proposal or vote before anything else is done
    // with it (the node: ConsensusDriver::admitProposal / admitVote). Unset:
    // everything is admitted and relayed.
    std::function<Admission(const Proposal&)> admitProposal;
    std::function<Admission(const Vote&)> admitVote;
    // Admission of decoded evidence before its signatures are checked (the
    // node: ConsensusDriver::admitEvidence); anything but Admitted drops it.
    // Unset: admitted.
    std::function<EvidenceAdmission(const DuplicateVoteEvidence&)> admitEvidence;
};

class GossipRouter {
public:
    // Sends to every peer but the connection `exceptConnection` (0 = none).
    using Relay = std::function<void(const p2p::v1::Envelope& msg, bool droppable, std::uint64_t exceptConnection)>;

    static constexpr std::size_t kSeenMax = 50'000;

    GossipRouter(std::string chainId, GossipHandlers handlers, Relay relay, std::size_t seenMax = kSeenMax);
    GossipRouter(const GossipRouter&) = delete;
    GossipRouter& operator=(const GossipRouter&) = delete;

    // Whether the envelope's body is one the router handles (proposal, vote,
    // tx, tx_batch, evidence).
    static bool routes(const p2p::v1::Envelope& msg);
    // Handles a gossip envelope from connection `from`; the offence when it
    // is invalid data (the owner disconnects and bans the peer), else nullopt.
    // A proposal or vote that admission refused sets `*refused` (when given)
    // to the reason; the owner scores the peer for scored() ones. Evidence
    // refused as scored (EvidenceAdmission::NotValidator) sets it to
    // Admission::NotValidator: one strike count for both.
    std::optional<std::string> receive(const p2p::v1::Envelope& msg, std::uint64_t from, Admission* refused = nullptr);
    // Proposals and votes refused by admission since start, by reason.
    std::uint64_t refusedCount(Admission reason) const;
    // Evidence dropped since start (not relayed), by reason (not Admitted, Pooled).
    std::uint64_t evidenceRefusedCount(EvidenceAdmission reason) const;

    void broadcastProposal(const Proposal& proposal);
    void broadcastVote(const Vote& vote);
    void broadcastEvidence(const DuplicateVoteEvidence& evidence);
    // To every peer but the connection `except` (the one it came from; 0 = none).
    void broadcastTx(const DecodedTx& tx, std::uint64_t except);

    // True when the hash was not in the seen-cache (it is now).
    bool markSeen(const Hash256& hash);
    bool seen(const Hash256& hash) const;

private:
    std::optional<std::string> receiveTx(ByteSpan bytes, std::uint64_t from);
    // True when admitted; else counts the refusal and reports it.
    bool admit(Admission verdict, Admission* refused);

    const std::string chainId_;
    const GossipHandlers handlers_;
    const Relay relay_;
    const std::size_t seenMax_;
    mutable std::mutex seenMu_;
    std::set<Hash256> seen_;
    std::deque<Hash256> seenOrder_;
    std::array<std::atomic<std::uint64_t>, kAdmissionCount> refused_{};
    std::array<std::atomic<std::uint64_t>, kEvidenceAdmissionCount> evidenceRefused_{};
};

}  // namespace agora::node
