#pragma once
// A committed duplicate-vote evidence record as the node serves it
// (QueryService.Evidence, GET /v1/evidence) and the CLI prints it
// (`agora query evidence`): the view, its protobuf form both ways and its one
// JSON mapping, so all three print the same record. The query that fills the
// view from the block store is node/query/EvidenceQueries.h. This folder links
// core and proto only: the client library (agora_cli) carries it.

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agora/query/v1/query.pb.h"
#include "consensus/core/Address.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/Vote.h"

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

void toProto(const EvidenceView& view, agora::query::v1::EvidenceRecord* out);
// The inverse of toProto for the CLI; nullopt when a field is malformed.
std::optional<EvidenceView> fromProto(const agora::query::v1::EvidenceRecord& record);

nlohmann::ordered_json evidenceJson(const EvidenceView& view);

}  // namespace agora::node
