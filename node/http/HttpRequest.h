#pragma once
// A request as a route handler sees it: decoded path, path parameters from
// the route pattern, parsed query string, headers (names lower-cased) and body.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/http/QueryParams.h"

namespace agora::node {

struct HttpRequest {
    std::string method;  // upper-case, as sent ("GET", "POST", ...)
    std::string target;  // raw request target, e.g. "/v1/providers?attr=gpu%3Da100"
    std::string path;    // target without the query string (not decoded)
    QueryParams query;
    std::map<std::string, std::string> params;                 // {name} segments of the matched route, percent-decoded
    std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
    std::string body;
    std::string remoteAddress;

    std::optional<std::string> param(std::string_view name) const {
        auto it = params.find(std::string(name));
        if (it == params.end()) return std::nullopt;
        return it->second;
    }
    // First header with this name (case-insensitive).
    std::optional<std::string> header(std::string_view name) const;
};

}  // namespace agora::node
