#include "node/query/EvidenceQueries.h"

#include "contracts/Keys.h"
#include "contracts/Staking.h"

namespace agora::node {

namespace {

EvidenceVoteView voteView(const Vote& v) {
    return EvidenceVoteView{v.blockId, v.round, v.signature};
}

}  // namespace

QueryResult<std::vector<EvidenceView>> queryEvidence(const BlockStore& blocks, const state::StateSnapshot& snapshot,
                                                     const EvidenceQuery& query) {
    EvidenceFilter filter;
    filter.minHeight = query.minHeight;
    filter.maxHeight = query.maxHeight;
    filter.limit = kMaxPageLimit;
    if (query.maxHeight != 0 && query.minHeight > query.maxHeight)
        return Unexpected(QueryError{QueryErrorKind::InvalidArgument, "min_height is above max_height"});
    if (!query.validator.empty()) {
        auto op = Address::fromBech32(query.validator, kValidatorPrefix);
        if (!op)
            return Unexpected(QueryError{
                QueryErrorKind::InvalidArgument,
                "validator is not a bech32 agoravaloper1... address: " + std::string(errorName(op.error()))});
        auto raw = snapshot.get(contracts::keys::validator(*op));
        if (!raw) return std::vector<EvidenceView>{};
        auto v = decode<contracts::Validator>(*raw);
        if (!v) return std::vector<EvidenceView>{};
        filter.validator = v->consensusKey;
    }
    std::vector<EvidenceView> out;
    for (const auto& e : blocks.evidence(filter)) {
        EvidenceView view;
        view.hash = e.hash();
        view.height = e.height;
        view.index = e.index;
        view.infractionHeight = e.evidence.first.height;
        view.consensusKey = e.evidence.validator();
        view.voteType = e.evidence.first.type;
        view.first = voteView(e.evidence.first);
        view.second = voteView(e.evidence.second);
        if (auto raw = snapshot.get(contracts::keys::consensusKey(view.consensusKey)))
            view.operatorAddress = Address::fromSpan(*raw);
        out.push_back(std::move(view));
    }
    return out;
}

}  // namespace agora::node
