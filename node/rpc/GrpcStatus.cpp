#include "node/rpc/GrpcStatus.h"

#include "node/mempool/Mempool.h"

namespace agora::node {

grpc::StatusCode grpcStatusFor(std::uint16_t code) {
    if (code == 0) return grpc::StatusCode::OK;
    // Ledger codes: 100..199 malformed, 200..299 rejected by state, 300..499 failed in execution.
    if (code < 200) return grpc::StatusCode::INVALID_ARGUMENT;
    if (code < 500) return grpc::StatusCode::FAILED_PRECONDITION;
    if (code >= 600) {
        switch (static_cast<RpcCode>(code)) {
            case RpcCode::WrongMessageKind:
            case RpcCode::UnknownBroadcastMode:
            case RpcCode::MalformedRequest:
            case RpcCode::BatchSize:
                return grpc::StatusCode::INVALID_ARGUMENT;
        }
        return grpc::StatusCode::UNKNOWN;
    }
    switch (static_cast<AdmitCode>(code)) {
        case AdmitCode::Ok:
            return grpc::StatusCode::OK;
        case AdmitCode::Malformed:
        case AdmitCode::BadSignature:
            return grpc::StatusCode::INVALID_ARGUMENT;
        case AdmitCode::Duplicate:
            return grpc::StatusCode::ALREADY_EXISTS;
        case AdmitCode::MempoolFull:
        case AdmitCode::AccountFull:
            return grpc::StatusCode::RESOURCE_EXHAUSTED;
        case AdmitCode::NonceTooLow:
        case AdmitCode::NonceGap:
        case AdmitCode::ReplacementUnderpriced:
        case AdmitCode::FeeTooLow:
        case AdmitCode::InsufficientBalance:
            return grpc::StatusCode::FAILED_PRECONDITION;
    }
    return grpc::StatusCode::UNKNOWN;
}

grpc::Status agoraError(grpc::ServerContextBase* ctx, std::uint16_t code, const std::string& message) {
    if (ctx != nullptr) ctx->AddTrailingMetadata(kAgoraCodeMetadata, std::to_string(code));
    return {grpcStatusFor(code), "code " + std::to_string(code) + ": " + message};
}

}  // namespace agora::node
