#include "node/rpc/GrpcStatus.h"

namespace agora::node {

grpc::StatusCode grpcStatusFor(std::uint16_t code) {
    switch (errorClassOf(code)) {
        case ErrorClass::Ok:
            return grpc::StatusCode::OK;
        case ErrorClass::InvalidArgument:
            return grpc::StatusCode::INVALID_ARGUMENT;
        case ErrorClass::AlreadyExists:
            return grpc::StatusCode::ALREADY_EXISTS;
        case ErrorClass::ResourceExhausted:
            return grpc::StatusCode::RESOURCE_EXHAUSTED;
        case ErrorClass::FailedPrecondition:
            return grpc::StatusCode::FAILED_PRECONDITION;
        case ErrorClass::Unknown:
            break;
    }
    return grpc::StatusCode::UNKNOWN;
}

grpc::Status agoraError(grpc::ServerContextBase* ctx, std::uint16_t code, const std::string& message) {
    if (ctx != nullptr) ctx->AddTrailingMetadata(kAgoraCodeMetadata, std::to_string(code));
    return {grpcStatusFor(code), "code " + std::to_string(code) + ": " + message};
}

}  // namespace agora::node
