#pragma once
// The node's own refusal codes and the one table that classes every code a
// client can get back from a submission (ledger 100..499, mempool 500..599,
// node 600..699) into the kind of failure it is. The transports map a class
// to their own status once: gRPC in node/rpc/GrpcStatus, HTTP in the
// gateway's routes (docs/rpc.md "Errors", docs/api.md). Transport-neutral:
// no gRPC or HTTP type here.

#include <cstdint>

namespace agora::node {

// Codes of the node itself (600..699), stable like the ledger's and the
// mempool's: the request is refused before the tx reaches the mempool.
enum class RpcCode : std::uint16_t {
    WrongMessageKind = 600,      // an action RPC got a message of another kind (TxSubmitter::checkKinds)
    UnknownBroadcastMode = 601,  // BroadcastMode value this node does not know
    MalformedRequest = 602,      // the request bytes are not a protobuf message of the method's type
    BatchSize = 603,             // a tx batch with no txs or more than kBroadcastBatchMax
};

enum class ErrorClass : std::uint8_t {
    Ok,
    InvalidArgument,     // the request or tx itself is wrong: malformed, bad signature, wrong kind
    AlreadyExists,       // the tx is already pending
    ResourceExhausted,   // the mempool or the account's slots are full: retry later
    FailedPrecondition,  // well-formed but the state refuses it (nonce, fee, balance, ledger rules)
    Unknown,             // a code this node does not know
};

// The class of a ledger, mempool or node code (0 = Ok).
ErrorClass errorClassOf(std::uint16_t code);

}  // namespace agora::node
