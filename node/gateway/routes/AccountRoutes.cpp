#include "node/gateway/routes/Routes.h"

#include "node/gateway/routes/RouteSupport.h"

namespace agora::node::routes {

void addAccountRoutes(Router& r, const GatewayContext& ctx) {
    Application& app = ctx.app;
    r.add("GET", "/v1/accounts/{address}", [&ctx, &app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        StateQueries q(app.snapshot());
        auto acc = q.account(*addr, [&ctx](const Address& a) { return ctx.mempool.pendingNextNonce(a); });
        if (!acc) return queryError(acc.error());
        return ok(accountJson(*acc));
    });

    r.add("GET", "/v1/client-records/{address}", [&app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        StateQueries q(app.snapshot());
        return ok(clientRecordJson(q.clientRecord(*addr)));
    });
}

}  // namespace agora::node::routes
