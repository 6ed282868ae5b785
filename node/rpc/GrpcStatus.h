#pragma once
// Maps Agora result codes to gRPC status codes. Every error status also
// carries the numeric code in the "agora-code" trailing metadata and starts
// its message with "code N: " so scripts can switch on it.

#include <grpcpp/grpcpp.h>
#include <cstdint>
#include <string>

#include "node/submit/SubmitCodes.h"

namespace agora::node {

inline constexpr const char* kAgoraCodeMetadata = "agora-code";

// The gRPC status of a ledger, mempool or node code (0 = OK): its class
// (node/submit/SubmitCodes.h, which also lists the node's own codes 600..).
grpc::StatusCode grpcStatusFor(std::uint16_t agoraCode);

// Builds the status and adds the trailing metadata to the context.
grpc::Status agoraError(grpc::ServerContextBase* ctx, std::uint16_t agoraCode, const std::string& message);

}  // namespace agora::node
