#include "node/rpc/QueryEvidence.h"

#include "contracts/Keys.h"

namespace agora::node {

namespace {

std::string str(ByteSpan b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

void voteProto(const EvidenceVoteView& v, agora::query::v1::EvidenceVote* out) {
    if (v.blockId) out->set_block_id(str(v.blockId->span()));
    out->set_round(v.round);
    out->set_signature(str(v.signature.span()));
}

std::optional<EvidenceVoteView> voteFromProto(const agora::query::v1::EvidenceVote& v) {
    EvidenceVoteView out;
    if (!v.block_id().empty()) {
        out.blockId = Hash256::fromSpan(asBytes(v.block_id()));
        if (!out.blockId) return std::nullopt;
    }
    out.round = v.round();
    auto sig = Signature::fromSpan(asBytes(v.signature()));
    if (!sig) return std::nullopt;
    out.signature = *sig;
    return out;
}

json::Json voteJson(const EvidenceVoteView& v) {
    return json::Json{{"block_id", v.blockId ? json::Json(v.blockId->toHex()) : json::Json(nullptr)},
                      {"round", v.round},
                      {"signature", v.signature.toHex()}};
}

}  // namespace

void toProto(const EvidenceView& view, agora::query::v1::EvidenceRecord* out) {
    out->set_hash(str(view.hash.span()));
    out->set_height(view.height);
    out->set_index(view.index);
    out->set_infraction_height(view.infractionHeight);
    if (view.operatorAddress) out->set_validator_operator(view.operatorAddress->toBech32(kValidatorPrefix));
    out->set_consensus_key(view.consensusKey.toHex());
    out->set_consensus_address(Address::fromPublicKey(view.consensusKey).toBech32(kConsensusPrefix));
    out->set_kind("duplicate_vote");
    out->set_vote_type(std::string(voteTypeName(view.voteType)));
    voteProto(view.first, out->mutable_first());
    voteProto(view.second, out->mutable_second());
}

std::optional<EvidenceView> fromProto(const agora::query::v1::EvidenceRecord& record) {
    EvidenceView view;
    auto hash = Hash256::fromSpan(asBytes(record.hash()));
    auto key = PublicKey::fromHex(record.consensus_key());
    auto first = voteFromProto(record.first());
    auto second = voteFromProto(record.second());
    if (!hash || !key || !first || !second) return std::nullopt;
    view.hash = *hash;
    view.height = record.height();
    view.index = record.index();
    view.infractionHeight = record.infraction_height();
    if (!record.validator_operator().empty()) {
        auto op = Address::fromBech32(record.validator_operator(), kValidatorPrefix);
        if (!op) return std::nullopt;
        view.operatorAddress = *op;
    }
    view.consensusKey = *key;
    if (record.vote_type() == voteTypeName(VoteType::Prevote))
        view.voteType = VoteType::Prevote;
    else if (record.vote_type() == voteTypeName(VoteType::Precommit))
        view.voteType = VoteType::Precommit;
    else
        return std::nullopt;
    view.first = *first;
    view.second = *second;
    return view;
}

json::Json evidenceJson(const EvidenceView& view) {
    return json::Json{
        {"hash", view.hash.toHex()},
        {"height", view.height},
        {"index", view.index},
        {"infraction_height", view.infractionHeight},
        {"kind", "duplicate_vote"},
        {"vote_type", std::string(voteTypeName(view.voteType))},
        {"validator",
         view.operatorAddress ? json::Json(view.operatorAddress->toBech32(kValidatorPrefix)) : json::Json(nullptr)},
        {"consensus_key", view.consensusKey.toHex()},
        {"consensus_address", Address::fromPublicKey(view.consensusKey).toBech32(kConsensusPrefix)},
        {"first", voteJson(view.first)},
        {"second", voteJson(view.second)},
    };
}

}  // namespace agora::node
