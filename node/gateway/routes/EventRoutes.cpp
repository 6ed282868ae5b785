#include "node/gateway/routes/Routes.h"

#include "node/events/EventSearch.h"
#include "node/gateway/GatewayEvents.h"
#include "node/gateway/routes/RouteSupport.h"

namespace agora::node::routes {

void addEventRoutes(Router& r, const GatewayContext& ctx) {
    // Stored events, newest first, a bounded number of blocks per page (docs/api.md).
    r.add("GET", "/v1/events/search", [&ctx](const HttpRequest& req) {
        WsEventFilter filter;
        for (const auto& t : req.query.all("type")) {
            if (t.empty()) return badArgument("type must not be empty");
            filter.types.insert(t);
        }
        for (const auto& a : req.query.all("attr")) {
            const auto eq = a.find('=');
            if (eq == std::string::npos || eq == 0) return badArgument("attr must be key=value, got '" + a + "'");
            if (!filter.attributes.emplace(a.substr(0, eq), a.substr(eq + 1)).second)
                return badArgument("attr key '" + a.substr(0, eq) + "' given twice");
        }
        auto minHeight = u64Field(req.query.first("min_height"), "min_height", 1);
        if (!minHeight) return queryError(minHeight.error());
        // 0 or absent: the latest height.
        auto maxHeight = u64Field(req.query.first("max_height"), "max_height", 0);
        if (!maxHeight) return queryError(maxHeight.error());
        if (*maxHeight == 0) *maxHeight = ctx.history.latestHeight();
        if (*minHeight > *maxHeight) return badArgument("min_height is above max_height");
        auto limit = u64Field(req.query.first("limit"), "limit", 100);
        if (!limit) return queryError(limit.error());
        if (*limit == 0 || *limit > kEventSearchLimitMax)
            return badArgument("limit must be 1.." + std::to_string(kEventSearchLimitMax));
        auto page = searchEvents(ctx.history, filter, *minHeight, *maxHeight, static_cast<std::size_t>(*limit),
                                 kEventSearchBlocksMax);
        if (!page) return HttpResponse::error(500, nlohmann::json("data_loss"), page.error());
        // The WebSocket's event JSON (nlohmann::json), so both carry the same shape.
        nlohmann::json items = nlohmann::json::array();
        for (const auto& e : page->events) items.push_back(e.toJson());
        const nlohmann::json body{{"events", std::move(items)},
                                  {"next_max_height", page->nextMaxHeight},
                                  {"lowest_scanned", page->lowestScanned}};
        return HttpResponse::bytes(200, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                   "application/json");
    });
}

}  // namespace agora::node::routes
