#include "node/p2p/GossipRouter.h"

#include "consensus/core/Block.h"

namespace agora::node {
namespace {

using p2p::v1::Envelope;

ByteSpan spanOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
std::string stringOf(ByteSpan b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

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

}  // namespace

GossipRouter::GossipRouter(std::string chainId, GossipHandlers handlers, Relay relay, std::size_t seenMax)
    : chainId_(std::move(chainId)), handlers_(std::move(handlers)), relay_(std::move(relay)), seenMax_(seenMax) {}

bool GossipRouter::routes(const Envelope& msg) {
    switch (msg.body_case()) {
        case Envelope::kProposal:
        case Envelope::kVote:
        case Envelope::kTx:
        case Envelope::kTxBatch:
        case Envelope::kEvidence:
            return true;
        case Envelope::kStatus:
        case Envelope::kPexRequest:
        case Envelope::kPexAddresses:
        case Envelope::kHello:
        case Envelope::kHelloAck:
        case Envelope::kSealed:  // opened by the connection before routing
        case Envelope::BODY_NOT_SET:
            return false;
    }
    return false;
}

bool GossipRouter::markSeen(const Hash256& hash) {
    std::lock_guard lock(seenMu_);
    if (!seen_.insert(hash).second) return false;
    seenOrder_.push_back(hash);
    if (seenOrder_.size() > seenMax_) {
        seen_.erase(seenOrder_.front());
        seenOrder_.pop_front();
    }
    return true;
}

bool GossipRouter::seen(const Hash256& hash) const {
    std::lock_guard lock(seenMu_);
    return seen_.count(hash) != 0;
}

bool GossipRouter::admit(Admission verdict, Admission* refused) {
    if (admitted(verdict)) return true;
    refused_[static_cast<std::size_t>(verdict)].fetch_add(1, std::memory_order_relaxed);
    if (refused) *refused = verdict;
    return false;
}

std::uint64_t GossipRouter::refusedCount(Admission reason) const {
    return refused_[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
}

std::uint64_t GossipRouter::evidenceRefusedCount(EvidenceAdmission reason) const {
    return evidenceRefused_[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
}

std::optional<std::string> GossipRouter::receive(const Envelope& msg, std::uint64_t from, Admission* refused) {
    switch (msg.body_case()) {
        case Envelope::kProposal: {
            auto p = decode<Proposal>(spanOf(msg.proposal()));
            if (!p) return "undecodable proposal";
            // Admission first: a junk proposal of a non-validator costs a
            // decode, no signature check, no copy kept, no relay.
            const Admission verdict = handlers_.admitProposal ? handlers_.admitProposal(*p) : Admission::Relay;
            if (!admit(verdict, refused)) return std::nullopt;
            if (!p->verifySignature(chainId_)) return "proposal signature";
            // The signature does not cover the block bytes: bind them to the
            // signed block id before anything else sees them, or a relay could
            // send an honest proposal with junk bytes first and make us drop the
            // real copy as a duplicate (docs/p2p.md, "Gossip"). Bytes seen
            // before were bound then: the check runs once per distinct message.
            const Hash256 messageHash = sha256(spanOf(msg.proposal()));
            if (!seen(messageHash)) {
                if (auto unbound = proposalBlockUnbound(*p)) return unbound;
            }
            // Always to consensus (a catch-up re-send may fill a gap the engine
            // skipped earlier; it drops duplicates cheaply), relayed once.
            const bool fresh = markSeen(messageHash);
            if (handlers_.onProposal) handlers_.onProposal(std::move(*p));
            if (fresh && verdict == Admission::Relay) relay_(msg, false, from);
            return std::nullopt;
        }
        case Envelope::kVote: {
            auto v = decode<Vote>(spanOf(msg.vote()));
            if (!v) return "undecodable vote";
            const Admission verdict = handlers_.admitVote ? handlers_.admitVote(*v) : Admission::Relay;
            if (!admit(verdict, refused)) return std::nullopt;
            if (!v->verifySignature(chainId_)) return "vote signature";
            // Always to consensus, relayed once (as proposals).
            const bool fresh = markSeen(sha256(spanOf(msg.vote())));
            if (handlers_.onVote) handlers_.onVote(*v);
            if (fresh && verdict == Admission::Relay) relay_(msg, false, from);
            return std::nullopt;
        }
        case Envelope::kTx:
            return receiveTx(spanOf(msg.tx()), from);
        case Envelope::kTxBatch: {
            const auto& txs = msg.tx_batch().txs();
            if (txs.empty() || static_cast<std::size_t>(txs.size()) > kTxBatchMaxTxs)
                return "tx batch of " + std::to_string(txs.size()) + " txs";
            std::size_t bytes = 0;
            for (const auto& tx : txs) bytes += tx.size();
            if (bytes > kTxBatchMaxBytes) return "tx batch of " + std::to_string(bytes) + " bytes";
            for (const auto& tx : txs)
                if (auto offence = receiveTx(spanOf(tx), from)) return offence;
            return std::nullopt;
        }
        case Envelope::kEvidence: {
            // A repeat of these very bytes: handled (and counted) the first time.
            const Hash256 messageHash = sha256(spanOf(msg.evidence()));
            if (seen(messageHash)) return std::nullopt;
            auto e = decode<DuplicateVoteEvidence>(spanOf(msg.evidence()));
            if (!e) return "undecodable evidence";
            // Admission first (decision 53): evidence against a key outside the
            // set of its height, or of an offence already pooled, costs a decode
            // and a lookup, no signature check, and is not relayed.
            auto drop = [&](EvidenceAdmission reason) {
                evidenceRefused_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
                if (refused && scored(reason)) *refused = Admission::NotValidator;
            };
            const EvidenceAdmission verdict =
                handlers_.admitEvidence ? handlers_.admitEvidence(*e) : EvidenceAdmission::Admitted;
            if (verdict != EvidenceAdmission::Admitted) {
                drop(verdict);
                return std::nullopt;
            }
            if (!e->verify(chainId_)) return "evidence signature";
            if (!markSeen(messageHash)) return std::nullopt;
            const EvidenceAdmission pooled =
                handlers_.onEvidence ? handlers_.onEvidence(*e) : EvidenceAdmission::Pooled;
            if (pooled != EvidenceAdmission::Pooled) {
                drop(pooled);
                return std::nullopt;
            }
            relay_(msg, false, from);
            return std::nullopt;
        }
        case Envelope::kStatus:
        case Envelope::kPexRequest:
        case Envelope::kPexAddresses:
        case Envelope::kHello:
        case Envelope::kHelloAck:
        case Envelope::kSealed:
        case Envelope::BODY_NOT_SET:
            return "not a gossip message";
    }
    return "unknown message";
}

std::optional<std::string> GossipRouter::receiveTx(ByteSpan bytes, std::uint64_t from) {
    // A repeat is dropped before decoding (its bytes decoded the first time);
    // the hash travels on with the decoded tx, so the mempool hashes nothing.
    const Hash256 hash = txHash(bytes);
    if (!markSeen(hash)) return std::nullopt;
    auto tx = decodeTx(bytes, hash);
    if (!tx) return "undecodable tx";
    if (handlers_.onTx) handlers_.onTx(std::move(*tx), from);
    return std::nullopt;
}

void GossipRouter::broadcastProposal(const Proposal& proposal) {
    const auto bytes = encode(proposal);
    markSeen(sha256(bytes));
    Envelope e;
    e.set_proposal(stringOf(bytes));
    relay_(e, false, 0);
}

void GossipRouter::broadcastVote(const Vote& vote) {
    const auto bytes = encode(vote);
    markSeen(sha256(bytes));
    Envelope e;
    e.set_vote(stringOf(bytes));
    relay_(e, false, 0);
}

void GossipRouter::broadcastEvidence(const DuplicateVoteEvidence& evidence) {
    const auto bytes = encode(evidence);
    if (!markSeen(sha256(bytes))) return;
    Envelope e;
    e.set_evidence(stringOf(bytes));
    relay_(e, false, 0);
}

void GossipRouter::broadcastTx(const DecodedTx& tx, std::uint64_t except) {
    markSeen(tx.hash);
    Envelope e;
    e.set_tx(stringOf(tx.bytes));
    relay_(e, true, except);
}

}  // namespace agora::node
