#include "node/gateway/routes/Routes.h"

#include "node/gateway/routes/RouteSupport.h"

namespace agora::node::routes {

void addGovRoutes(Router& r, const GatewayContext& ctx) {
    Application& app = ctx.app;
    r.add("GET", "/v1/params", [&app](const HttpRequest&) {
        StateQueries q(app.snapshot());
        return ok(paramsJson(q.paramsView()));
    });
    r.add("GET", "/v1/gov/proposals/{id}", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("id"), "proposal id", 0);
        if (!id) return queryError(id.error());
        StateQueries q(app.snapshot());
        auto p = q.proposal(*id);
        if (!p) return queryError(p.error());
        return ok(proposalJson(*p));
    });
    r.add("GET", "/v1/gov/proposals", [&app](const HttpRequest& req) {
        auto status = proposalStatusFilter(req.query.first("status").value_or(""));
        if (!status) return queryError(status.error());
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        auto res = q.proposals(*status, *page);
        if (!res) return queryError(res.error());
        return ok(pageJson("proposals", *res, [](const ProposalView& p) { return proposalJson(p); }));
    });
}

}  // namespace agora::node::routes
