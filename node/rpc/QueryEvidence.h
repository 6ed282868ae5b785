#pragma once
// The protobuf and JSON forms of the evidence view (node/query/EvidenceQueries.h):
// one mapping shared by the gRPC service, the gateway and the CLI, so all
// three print the same record.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agora/query/v1/query.pb.h"
#include "node/query/EvidenceQueries.h"
#include "node/rpc/StateJson.h"

namespace agora::node {

void toProto(const EvidenceView& view, agora::query::v1::EvidenceRecord* out);
// The inverse of toProto for the CLI; nullopt when a field is malformed.
std::optional<EvidenceView> fromProto(const agora::query::v1::EvidenceRecord& record);

json::Json evidenceJson(const EvidenceView& view);

}  // namespace agora::node
