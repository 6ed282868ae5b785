#pragma once
// The evidence read of the service layer (QueryService.Evidence, `agora
// query evidence`, GET /v1/evidence): committed duplicate-vote evidence from
// the block store's evidence index, with the offending validator's operator
// address resolved from the ledger. The view it fills, with its protobuf and
// JSON forms, is node/views/EvidenceView.h, which the CLI shares.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Vote.h"
#include "consensus/state/StateStore.h"
#include "node/chain/BlockStore.h"
#include "node/query/QueryTypes.h"
#include "node/views/EvidenceView.h"

namespace agora::node {

struct EvidenceQuery {
    std::string validator;  // operator address (agoravaloper1..); empty = any
    std::uint64_t minHeight = 0;
    std::uint64_t maxHeight = 0;
};

// At most kMaxPageLimit entries, oldest first. InvalidArgument for a malformed
// operator address or min > max; an operator unknown to the ledger matches nothing.
QueryResult<std::vector<EvidenceView>> queryEvidence(const BlockStore& blocks, const state::StateSnapshot& snapshot,
                                                     const EvidenceQuery& query);

}  // namespace agora::node
