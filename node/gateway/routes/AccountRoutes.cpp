#include "node/gateway/routes/Routes.h"

#include <algorithm>

#include "contracts/Bank.h"
#include "contracts/Keys.h"
#include "node/gateway/routes/RouteSupport.h"

namespace agora::node::routes {

void addAccountRoutes(Router& r, const GatewayContext& ctx) {
    Application& app = ctx.app;
    r.add("GET", "/v1/accounts/{address}", [&ctx, &app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        contracts::Account acc;
        if (auto raw = app.snapshot()->get(contracts::keys::account(*addr))) {
            auto decoded = decode<contracts::Account>(*raw);
            if (!decoded)
                return HttpResponse::error(500, nlohmann::json("data_loss"), "stored account does not decode");
            acc = *decoded;
        }
        auto body = json::account(*addr, acc);
        // As QueryService.Account: one past the sender's highest mempool nonce.
        std::uint64_t pending = acc.nonce;
        if (auto p = ctx.mempool.pendingNextNonce(*addr)) pending = std::max(pending, *p);
        body["pending_nonce"] = pending;
        return ok(std::move(body));
    });

    r.add("GET", "/v1/client-records/{address}", [&app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        StateQueries q(app.snapshot());
        return ok(json::clientRecord(*addr, q.clientRecord(*addr)));
    });
}

}  // namespace agora::node::routes
