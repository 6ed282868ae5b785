#pragma once
// Gives a request that is not a protobuf message of the method's request
// type a clear error. Left alone, gRPC's callback server answers such a
// call with UNIMPLEMENTED and an empty message, which reads like a missing
// method. This server interceptor notices the failed deserialization of
// the single request of a unary or server-streaming call and rewrites the
// final status to INVALID_ARGUMENT, code 602 (`agora-code` trailer), naming
// the method. Streams of client messages are not touched: there a missing
// message also means a normal end of stream.

#include <grpcpp/support/server_interceptor.h>

namespace agora::node {

class MalformedRequestInterceptor final : public grpc::experimental::Interceptor {
public:
    explicit MalformedRequestInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}
    void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override;

private:
    grpc::experimental::ServerRpcInfo* info_;
    bool malformed_ = false;
};

class MalformedRequestInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
public:
    grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace agora::node
