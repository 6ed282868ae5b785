// Fuzz target: one p2p message as a peer sends it (the protobuf Envelope on
// the Gossip stream), converted to core types the way PeerManager::handle
// does: canonical Proposal / Vote / SignedTx / DuplicateVoteEvidence bytes,
// tx batches, peer-exchange addresses, handshake fields.
// Properties: every payload that decodes is canonical; signature checks on
// arbitrary keys reject without crashing; a peer address that parses prints
// back to the same text.
#include "agora/p2p/v1/p2p.pb.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/Tx.h"
#include "consensus/core/Vote.h"
#include "node/base/PeerAddress.h"
#include "test/fuzz/FuzzCheck.h"

namespace {
using namespace agora;

ByteSpan spanOf(const std::string& s) {
    return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

constexpr std::string_view kChainId = "fuzz-chain";

void signedTx(const std::string& bytes) {
    auto tx = decodeSignedTx(spanOf(bytes));
    if (!tx) return;
    fuzz::require(tx->bytes() == Bytes(bytes.begin(), bytes.end()), "p2p tx re-encodes differently");
    (void)tx->verifySignature();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using p2p::v1::Envelope;
    Envelope msg;
    if (!msg.ParseFromArray(data, static_cast<int>(size))) return 0;
    switch (msg.body_case()) {
        case Envelope::kProposal: {
            fuzz::checkCanonical<Proposal>(spanOf(msg.proposal()));
            if (auto p = decode<Proposal>(spanOf(msg.proposal()))) (void)p->verifySignature(kChainId);
            break;
        }
        case Envelope::kVote: {
            fuzz::checkCanonical<Vote>(spanOf(msg.vote()));
            if (auto v = decode<Vote>(spanOf(msg.vote()))) (void)v->verifySignature(kChainId);
            break;
        }
        case Envelope::kTx:
            signedTx(msg.tx());
            break;
        case Envelope::kTxBatch:
            for (const auto& tx : msg.tx_batch().txs()) signedTx(tx);
            break;
        case Envelope::kEvidence: {
            fuzz::checkCanonical<DuplicateVoteEvidence>(spanOf(msg.evidence()));
            if (auto e = decode<DuplicateVoteEvidence>(spanOf(msg.evidence()))) (void)e->verify(kChainId);
            break;
        }
        case Envelope::kPexAddresses:
            for (const auto& text : msg.pex_addresses().peers()) {
                auto addr = node::PeerAddress::parse(text);
                if (addr) fuzz::require(addr->toString() == text, "peer address does not print back to its text");
            }
            break;
        case Envelope::kHello: {
            auto key = PublicKey::fromSpan(spanOf(msg.hello().node_key()));
            if (key) (void)key->isValid();
            break;
        }
        case Envelope::kHelloAck:
            (void)Signature::fromSpan(spanOf(msg.hello_ack().signature()));
            break;
        case Envelope::kSealed:  // opaque without the session keys (SecureChannel's tests cover opening)
        case Envelope::kStatus:
        case Envelope::kPexRequest:
        case Envelope::BODY_NOT_SET:
            break;
    }
    return 0;
}
