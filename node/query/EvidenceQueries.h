#pragma once
// The evidence read of the service layer (QueryService.Evidence, `agora
// query evidence`, GET /v1/evidence): committed duplicate-vote evidence from
// the block store's evidence index, with the offending validator's operator
// address resolved from the ledger. Its protobuf and JSON forms are in
// node/rpc/QueryEvidence.h, shared by the gRPC service, the gateway and the CLI.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Vote.h"
#include "consensus/state/StateStore.h"
#include "node/chain/BlockStore.h"
#include "node/query/QueryTypes.h"

namespace agora::node {

// Prefix of the bech32 form of a consensus key's address (like Cosmos valcons).
inline constexpr std::string_view kConsensusPrefix = "agoravalcons";

struct EvidenceVoteView {
    std::optional<Hash256> blockId;  // nullopt = a vote for nil
    std::uint32_t round = 0;
    Signature signature;
};

struct EvidenceView {
    Hash256 hash;
    std::uint64_t height = 0;  // inclusion
    std::uint32_t index = 0;
    std::uint64_t infractionHeight = 0;
    std::optional<Address> operatorAddress;  // nullopt when the ledger has no validator with that key
    PublicKey consensusKey;
    VoteType voteType = VoteType::Prevote;
    EvidenceVoteView first;
    EvidenceVoteView second;
};

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
