#pragma once
// Maps Agora result codes to gRPC status codes. Every error status also
// carries the numeric code in the "agora-code" trailing metadata and starts
// its message with "code N: " so scripts can switch on it.

#include <grpcpp/grpcpp.h>
#include <cstdint>
#include <string>

namespace agora::node {

inline constexpr const char* kAgoraCodeMetadata = "agora-code";

// Codes of the RPC layer itself (600..699), stable like the ledger's and the
// mempool's: the request is refused before the tx reaches the mempool.
enum class RpcCode : std::uint16_t {
    WrongMessageKind = 600,      // an action RPC got a message of another kind
    UnknownBroadcastMode = 601,  // BroadcastMode value this node does not know
    MalformedRequest = 602,      // the request bytes are not a protobuf message of the method's type
    BatchSize = 603,             // a tx batch with no txs or more than kBroadcastBatchMax
};

// The gRPC status class of a ledger or mempool code (0 = OK).
grpc::StatusCode grpcStatusFor(std::uint16_t agoraCode);

// Builds the status and adds the trailing metadata to the context.
grpc::Status agoraError(grpc::ServerContextBase* ctx, std::uint16_t agoraCode, const std::string& message);

}  // namespace agora::node
