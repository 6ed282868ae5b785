#pragma once
// The pieces every route file shares: the JSON reply, the mapping of a
// QueryError to an HTTP status, and the parsing of path and query values
// (decimal ids, booleans, ?limit=&page_key= pages).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/state/Event.h"
#include "node/http/HttpRequest.h"
#include "node/http/HttpResponse.h"
#include "node/query/StateQueries.h"

namespace agora::node::routes {

using Json = nlohmann::ordered_json;

HttpResponse ok(const Json& j);
// InvalidArgument -> 400 invalid_argument, NotFound -> 404 not_found,
// DataLoss -> 500 data_loss (design decision 39).
HttpResponse queryError(const QueryError& e);
HttpResponse badArgument(const std::string& message);

std::optional<std::uint64_t> parseU64(const std::string& s);
// A decimal path or query value; `field` names it in the error.
QueryResult<std::uint64_t> u64Field(const std::optional<std::string>& text, std::string_view field,
                                    std::uint64_t absent);
QueryResult<bool> boolField(const std::optional<std::string>& text, std::string_view field);
// ?limit=&page_key=<hex of the previous page's next_key>, like PageRequest.
QueryResult<PageSpec> pageOf(const HttpRequest& r);

template <typename T, typename F>
Json pageJson(const char* itemsKey, const Page<T>& page, F&& toJson) {
    Json items = Json::array();
    for (const auto& it : page.items) items.push_back(toJson(it));
    return Json{{itemsKey, std::move(items)}, {"next_key", toHex(page.nextKey)}};
}

// Events as {"type", "attributes": [{"key","value"}...]}, in order.
Json eventsJson(const std::vector<state::Event>& events);

}  // namespace agora::node::routes
