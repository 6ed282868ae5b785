#pragma once
// Stable error codes of the HTTP server itself (the "code" of its JSON error
// bodies). The strings are part of the API: never rename one.

#include <string_view>

namespace agora::node {

enum class HttpErrorCode {
    BadRequest,          // 400 malformed request line, header or query string
    NotFound,            // 404 no route for the path
    MethodNotAllowed,    // 405 the path exists with other methods (see Allow)
    BodyTooLarge,        // 413 body over max_body_bytes
    HeaderTooLarge,      // 431 header block over the parser limit
    TooManyConnections,  // 429 over max_connections
    Internal,            // 500 a handler threw
};

constexpr std::string_view toString(HttpErrorCode c) {
    switch (c) {
        case HttpErrorCode::BadRequest:
            return "bad_request";
        case HttpErrorCode::NotFound:
            return "not_found";
        case HttpErrorCode::MethodNotAllowed:
            return "method_not_allowed";
        case HttpErrorCode::BodyTooLarge:
            return "body_too_large";
        case HttpErrorCode::HeaderTooLarge:
            return "header_too_large";
        case HttpErrorCode::TooManyConnections:
            return "too_many_connections";
        case HttpErrorCode::Internal:
            return "internal";
    }
    return "internal";
}

}  // namespace agora::node
