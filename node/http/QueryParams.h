#pragma once
// A parsed query string: key/value pairs in their original order, repeated
// keys kept (`attr=a&attr=b`). Keys and values are percent-decoded and '+'
// means a space (application/x-www-form-urlencoded).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/core/Expected.h"

namespace agora::node {

class QueryParams {
public:
    QueryParams() = default;
    // Fails on a malformed escape (`%zz`, `%4`) with a message naming it.
    static Expected<QueryParams, std::string> parse(std::string_view query);

    // First value of key, if present.
    std::optional<std::string> first(std::string_view key) const;
    // Every value of key in order (empty if absent).
    std::vector<std::string> all(std::string_view key) const;
    bool has(std::string_view key) const { return first(key).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// Percent-decodes s; plusIsSpace for query components. Nullopt on a bad escape.
std::optional<std::string> percentDecode(std::string_view s, bool plusIsSpace);

}  // namespace agora::node
