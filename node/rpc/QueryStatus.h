#pragma once
// Shared ending of the read RPCs: QueryError -> gRPC status (NOT_FOUND,
// INVALID_ARGUMENT, DATA_LOSS; design decision 39), and a boundary that turns a storage failure thrown by a
// state read (LevelDbStateStore throws StorageFailure) into INTERNAL
// instead of letting it escape into gRPC's thread.

#include <exception>
#include <string>

#include <grpcpp/grpcpp.h>

#include "node/query/QueryTypes.h"

namespace agora::node {

inline grpc::Status toStatus(const QueryError& e) {
    switch (e.kind) {
        case QueryErrorKind::InvalidArgument:
            return {grpc::StatusCode::INVALID_ARGUMENT, e.message};
        case QueryErrorKind::NotFound:
            return {grpc::StatusCode::NOT_FOUND, e.message};
        case QueryErrorKind::DataLoss:
            return {grpc::StatusCode::DATA_LOSS, e.message};
    }
    return {grpc::StatusCode::UNKNOWN, e.message};
}

// Runs body (returning grpc::Status) and finishes the call's default reactor.
template <typename Body>
grpc::ServerUnaryReactor* finishQuery(grpc::CallbackServerContext* ctx, Body&& body) {
    grpc::Status status;
    try {
        status = body();
    } catch (const std::exception& e) {
        status = grpc::Status(grpc::StatusCode::INTERNAL, std::string("state read failed: ") + e.what());
    }
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(std::move(status));
    return reactor;
}

}  // namespace agora::node
