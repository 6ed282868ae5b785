#include "node/rpc/MalformedRequestInterceptor.h"

#include <string>

#include "node/rpc/GrpcStatus.h"

namespace agora::node {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

void MalformedRequestInterceptor::Intercept(grpc::experimental::InterceptorBatchMethods* methods) {
    const auto type = info_->type();
    const bool singleRequest = type == ServerRpcInfo::Type::UNARY || type == ServerRpcInfo::Type::SERVER_STREAMING;
    if (singleRequest && methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr)
        malformed_ = true;
    if (malformed_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
        const auto code = static_cast<std::uint16_t>(RpcCode::MalformedRequest);
        methods->ModifySendStatus(grpc::Status(
            grpcStatusFor(code), "code " + std::to_string(code) + ": request is not a valid protobuf message for " +
                                     std::string(info_->method())));
        methods->GetSendTrailingMetadata()->emplace(kAgoraCodeMetadata, std::to_string(code));
    }
    methods->Proceed();
}

grpc::experimental::Interceptor* MalformedRequestInterceptorFactory::CreateServerInterceptor(ServerRpcInfo* info) {
    return new MalformedRequestInterceptor(info);
}

}  // namespace agora::node
