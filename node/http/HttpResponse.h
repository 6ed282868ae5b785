#pragma once
// What a route handler returns. The server adds Content-Length, Server,
// Connection and CORS headers; handlers set status, type, body and any
// extra headers.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "node/http/HttpErrorCode.h"

namespace agora::node {

struct HttpResponse {
    unsigned status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    static HttpResponse json(unsigned status, const nlohmann::json& body);
    // {"code": <code>, "message": <message>}; code is a stable string or integer.
    static HttpResponse error(unsigned status, const nlohmann::json& code, const std::string& message);
    static HttpResponse error(unsigned status, HttpErrorCode code, const std::string& message);
    static HttpResponse bytes(unsigned status, std::string body, std::string contentType);
};

}  // namespace agora::node
