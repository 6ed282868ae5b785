#include "consensus/engine/Input.h"

#include "consensus/core/CodecTypes.h"
#include "consensus/core/ValidatorSet.h"

namespace agora::consensus {
namespace {

// Tags are the variant indexes + 1; stable, never renumber.
enum class Kind : std::uint8_t {
    Proposal = 1,
    Vote = 2,
    Timeout = 3,
    BlockReady = 4,
    BlockValidated = 5,
    OwnProposal = 6,
    OwnVote = 7,
    Finalized = 8,
};

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::uint64_t Input::height() const {
    return std::visit(Overloaded{
                          [](const ProposalReceived& e) { return e.proposal.height; },
                          [](const VoteReceived& e) { return e.vote.height; },
                          [](const TimeoutFired& e) { return e.height; },
                          [](const BlockReady& e) { return e.height; },
                          [](const BlockValidated& e) { return e.height; },
                          [](const OwnProposalSigned& e) { return e.proposal.height; },
                          [](const OwnVoteSigned& e) { return e.vote.height; },
                          [](const BlockFinalized& e) { return e.height; },
                      },
                      body);
}

void Input::encodeTo(Writer& w) const {
    w.u64(now);
    std::visit(Overloaded{
                   [&](const ProposalReceived& e) {
                       w.u8(static_cast<std::uint8_t>(Kind::Proposal));
                       e.proposal.encodeTo(w);
                   },
                   [&](const VoteReceived& e) {
                       w.u8(static_cast<std::uint8_t>(Kind::Vote));
                       e.vote.encodeTo(w);
                   },
                   [&](const TimeoutFired& e) {
                       w.u8(static_cast<std::uint8_t>(Kind::Timeout));
                       w.u64(e.height);
                       w.u32(e.round);
                       w.u8(static_cast<std::uint8_t>(e.step));
                   },
                   [&](const BlockReady& e) {
                       w.u8(static_cast<std::uint8_t>(Kind::BlockReady));
                       w.u64(e.height);
                       w.u32(e.round);
                       codec::put(w, e.blockId);
                       w.bytes(e.block);
                   },
                   [&](const BlockValidated& e) {
                       w.u8(static_cast<std::uint8_t>(Kind::BlockValidated));
                       w.u64(e.height);
                       codec::put(w, e.blockId);
                       w.boolean(e.valid);
                   },
                   [&](const OwnProposalSigned& e) {
                       w.u8(static_cast<std::uint8_t>(Kind::OwnProposal));
                       e.proposal.encodeTo(w);
                   },
                   [&](const OwnVoteSigned& e) {
                       w.u8(static_cast<std::uint8_t>(Kind::OwnVote));
                       e.vote.encodeTo(w);
                   },
                   [&](const BlockFinalized& e) {
                       w.u8(static_cast<std::uint8_t>(Kind::Finalized));
                       w.u64(e.height);
                       w.varint(e.updates.size());
                       for (const auto& u : e.updates) u.encodeTo(w);
                   },
               },
               body);
}

Input Input::decodeFrom(Reader& r) {
    Input in;
    in.now = r.u64();
    const std::uint8_t kind = r.u8();
    if (!r.ok()) return in;
    switch (kind) {
        case static_cast<std::uint8_t>(Kind::Proposal):
            in.body = ProposalReceived{Proposal::decodeFrom(r)};
            break;
        case static_cast<std::uint8_t>(Kind::Vote):
            in.body = VoteReceived{Vote::decodeFrom(r)};
            break;
        case static_cast<std::uint8_t>(Kind::Timeout): {
            TimeoutFired t;
            t.height = r.u64();
            t.round = r.u32();
            const std::uint8_t s = r.u8();
            if (r.ok() && !isStep(s)) r.fail(CodecError::InvalidEnum);
            t.step = isStep(s) ? static_cast<Step>(s) : Step::Propose;
            in.body = t;
            break;
        }
        case static_cast<std::uint8_t>(Kind::BlockReady): {
            BlockReady b;
            b.height = r.u64();
            b.round = r.u32();
            b.blockId = codec::getHash(r);
            b.block = r.bytes(Proposal::kBlockBytesMax);
            in.body = std::move(b);
            break;
        }
        case static_cast<std::uint8_t>(Kind::BlockValidated): {
            BlockValidated b;
            b.height = r.u64();
            b.blockId = codec::getHash(r);
            b.valid = r.boolean();
            in.body = b;
            break;
        }
        case static_cast<std::uint8_t>(Kind::OwnProposal):
            in.body = OwnProposalSigned{Proposal::decodeFrom(r)};
            break;
        case static_cast<std::uint8_t>(Kind::OwnVote):
            in.body = OwnVoteSigned{Vote::decodeFrom(r)};
            break;
        case static_cast<std::uint8_t>(Kind::Finalized): {
            BlockFinalized f;
            f.height = r.u64();
            const std::size_t n = r.count(ValidatorSet::kMaxValidators * 2);
            for (std::size_t i = 0; i < n && r.ok(); ++i) f.updates.push_back(ValidatorUpdate::decodeFrom(r));
            in.body = std::move(f);
            break;
        }
        default:
            r.fail(CodecError::UnknownTag);
            break;
    }
    return in;
}

}  // namespace agora::consensus
