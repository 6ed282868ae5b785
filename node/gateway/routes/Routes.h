#pragma once
// The gateway's routes by domain (docs/api.md). Each add*Routes registers
// its domain's routes on the router; the context outlives the router. Routes
// with state of their own (health's progress clock, the commit-mode waits of
// POST /v1/txs) are classes: HealthRoutes.h, TxRoutes.h.

#include "node/gateway/routes/RouteContext.h"
#include "node/http/Router.h"

namespace agora::node::routes {

// /v1/status, /v1/blocks..., GET /v1/txs/{hash}.
void addChainRoutes(Router& r, const GatewayContext& ctx);
// /v1/accounts/{address}, /v1/client-records/{address}.
void addAccountRoutes(Router& r, const GatewayContext& ctx);
// /v1/providers..., /v1/jobs..., /v1/leases..., /v1/escrow/{lease}, /v1/reputation/{address}.
void addMarketRoutes(Router& r, const GatewayContext& ctx);
// /v1/validators, /v1/evidence.
void addStakingRoutes(Router& r, const GatewayContext& ctx);
// /v1/params, /v1/gov/proposals....
void addGovRoutes(Router& r, const GatewayContext& ctx);
// /v1/events/search.
void addEventRoutes(Router& r, const GatewayContext& ctx);
// / and /explorer/{file} (the embedded explorer), /openapi.json.
void addStaticRoutes(Router& r);

}  // namespace agora::node::routes
