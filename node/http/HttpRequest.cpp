#include "node/http/HttpRequest.h"

#include <algorithm>
#include <cctype>

namespace agora::node {

std::optional<std::string> HttpRequest::header(std::string_view name) const {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& [k, v] : headers) {
        if (k == lower) return v;
    }
    return std::nullopt;
}

}  // namespace agora::node
