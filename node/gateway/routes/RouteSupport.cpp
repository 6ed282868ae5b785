#include "node/gateway/routes/RouteSupport.h"

#include <algorithm>
#include <charconv>

#include "node/http/HttpErrorCode.h"

namespace agora::node::routes {

HttpResponse ok(const Json& j) {
    return HttpResponse::bytes(200, jsonText(j), "application/json");
}

HttpResponse queryError(const QueryError& e) {
    switch (e.kind) {
        case QueryErrorKind::InvalidArgument:
            return HttpResponse::error(400, nlohmann::json("invalid_argument"), e.message);
        case QueryErrorKind::NotFound:
            return HttpResponse::error(404, nlohmann::json("not_found"), e.message);
        case QueryErrorKind::DataLoss:
            return HttpResponse::error(500, nlohmann::json("data_loss"), e.message);
    }
    return HttpResponse::error(500, HttpErrorCode::Internal, e.message);
}

HttpResponse badArgument(const std::string& message) {
    return queryError(QueryError{QueryErrorKind::InvalidArgument, message});
}

std::optional<std::uint64_t> parseU64(const std::string& s) {
    std::uint64_t v = 0;
    if (s.empty()) return std::nullopt;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

// A decimal path or query value; `field` names it in the error.
QueryResult<std::uint64_t> u64Field(const std::optional<std::string>& text, std::string_view field,
                                    std::uint64_t absent) {
    if (!text) return absent;
    auto v = parseU64(*text);
    if (!v)
        return Unexpected(QueryError{QueryErrorKind::InvalidArgument,
                                     std::string(field) + " must be a decimal unsigned integer, got '" + *text + "'"});
    return *v;
}

QueryResult<bool> boolField(const std::optional<std::string>& text, std::string_view field) {
    if (!text) return false;
    if (*text == "true" || *text == "1") return true;
    if (*text == "false" || *text == "0") return false;
    return Unexpected(QueryError{QueryErrorKind::InvalidArgument,
                                 std::string(field) + " must be true or false, got '" + *text + "'"});
}

// ?limit=&page_key=<hex of the previous page's next_key>, like PageRequest.
QueryResult<PageSpec> pageOf(const HttpRequest& r) {
    auto limit = u64Field(r.query.first("limit"), "limit", 0);
    if (!limit) return Unexpected(limit.error());
    Bytes key;
    if (auto k = r.query.first("page_key"); k && !k->empty()) {
        auto b = fromHex(*k);
        if (!b) return Unexpected(QueryError{QueryErrorKind::InvalidArgument, "page_key must be hex"});
        key = std::move(*b);
    }
    const auto capped = static_cast<std::uint32_t>(std::min<std::uint64_t>(*limit, kMaxPageLimit));
    return pageSpec(key, capped);
}

Json eventsJson(const std::vector<state::Event>& events) {
    Json out = Json::array();
    for (const auto& e : events) {
        Json attrs = Json::array();
        for (const auto& a : e.attributes) attrs.push_back(Json{{"key", a.key}, {"value", a.value}});
        out.push_back(Json{{"type", e.type}, {"attributes", std::move(attrs)}});
    }
    return out;
}

}  // namespace agora::node::routes
