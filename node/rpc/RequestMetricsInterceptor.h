#pragma once
// Reports every finished gRPC call (full method name and final status code)
// to an observer, e.g. the `agora_grpc_requests_total{method,code}` counter
// of /metrics. Installed after MalformedRequestInterceptor, so a rewritten
// status (code 602) is what gets counted.

#include <functional>
#include <memory>
#include <string_view>

#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>

namespace agora::node {

using RequestObserver = std::function<void(std::string_view method, grpc::StatusCode code)>;

// The Prometheus label value for a status code ("OK", "INVALID_ARGUMENT", ...).
const char* grpcCodeName(grpc::StatusCode code);

class RequestMetricsInterceptor final : public grpc::experimental::Interceptor {
public:
    RequestMetricsInterceptor(grpc::experimental::ServerRpcInfo* info, std::shared_ptr<const RequestObserver> observer)
        : info_(info), observer_(std::move(observer)) {}
    void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override;

private:
    grpc::experimental::ServerRpcInfo* info_;
    std::shared_ptr<const RequestObserver> observer_;
};

class RequestMetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
public:
    explicit RequestMetricsInterceptorFactory(std::shared_ptr<const RequestObserver> observer)
        : observer_(std::move(observer)) {}
    grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

private:
    std::shared_ptr<const RequestObserver> observer_;
};

}  // namespace agora::node
