#include "node/gateway/routes/Routes.h"

#include "node/gateway/routes/RouteSupport.h"
#include "node/query/EvidenceQueries.h"
#include "node/views/EvidenceView.h"

namespace agora::node::routes {

void addStakingRoutes(Router& r, const GatewayContext& ctx) {
    Application& app = ctx.app;
    r.add("GET", "/v1/validators", [&app](const HttpRequest& req) {
        auto jailed = req.query.has("include_jailed") ? boolField(req.query.first("include_jailed"), "include_jailed")
                                                      : QueryResult<bool>(true);
        if (!jailed) return queryError(jailed.error());
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        auto res = q.validators(*jailed, *page);
        if (!res) return queryError(res.error());
        return ok(pageJson("validators", *res, [](const ValidatorView& v) { return validatorJson(v); }));
    });
    r.add("GET", "/v1/evidence", [&app](const HttpRequest& req) {
        auto minHeight = u64Field(req.query.first("min_height"), "min_height", 0);
        if (!minHeight) return queryError(minHeight.error());
        auto maxHeight = u64Field(req.query.first("max_height"), "max_height", 0);
        if (!maxHeight) return queryError(maxHeight.error());
        const auto snap = app.snapshot();
        auto list = queryEvidence(app.blocks(), *snap,
                                  EvidenceQuery{req.query.first("validator").value_or(""), *minHeight, *maxHeight});
        if (!list) return queryError(list.error());
        Json items = Json::array();
        for (const auto& e : *list) items.push_back(evidenceJson(e));
        return ok(Json{{"evidence", items}});
    });
}

}  // namespace agora::node::routes
