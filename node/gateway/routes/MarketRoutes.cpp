#include "node/gateway/routes/Routes.h"

#include "node/gateway/routes/RouteSupport.h"

namespace agora::node::routes {

void addMarketRoutes(Router& r, const GatewayContext& ctx) {
    Application& app = ctx.app;
    r.add("GET", "/v1/providers", [&app](const HttpRequest& req) {
        ProviderFilter filter;
        for (const auto& a : req.query.all("attr")) {
            const auto eq = a.find('=');
            if (eq == std::string::npos || eq == 0) return badArgument("attr must be key=value, got '" + a + "'");
            filter.attributes.push_back(Attribute{a.substr(0, eq), a.substr(eq + 1)});
        }
        auto cpu = u64Field(req.query.first("min_free_cpu_millicores"), "min_free_cpu_millicores", 0);
        auto mem = u64Field(req.query.first("min_free_memory_mib"), "min_free_memory_mib", 0);
        auto disk = u64Field(req.query.first("min_free_storage_gib"), "min_free_storage_gib", 0);
        auto gpus = u64Field(req.query.first("min_free_gpus"), "min_free_gpus", 0);
        for (const auto* f : {&cpu, &mem, &disk, &gpus}) {
            if (!*f) return queryError(f->error());
        }
        if (*gpus > UINT32_MAX) return badArgument("min_free_gpus is too large");
        filter.minFreeCpuMillicores = *cpu;
        filter.minFreeMemoryMib = *mem;
        filter.minFreeStorageGib = *disk;
        filter.gpuModel = req.query.first("gpu_model").value_or("");
        filter.minFreeGpus = static_cast<std::uint32_t>(*gpus);
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        auto res = q.providers(filter, *page);
        if (!res) return queryError(res.error());
        return ok(pageJson("providers", *res, [](const ProviderView& p) { return providerJson(p); }));
    });
    r.add("GET", "/v1/providers/{address}", [&app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        StateQueries q(app.snapshot());
        auto p = q.provider(*addr);
        if (!p) return queryError(p.error());
        return ok(providerJson(*p));
    });

    // Open jobs (QueryService.OpenJobs).
    r.add("GET", "/v1/jobs", [&app](const HttpRequest& req) {
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        auto res = q.openJobs(*page);
        if (!res) return queryError(res.error());
        return ok(pageJson("jobs", *res, [](const JobView& j) { return jobJson(j); }));
    });
    r.add("GET", "/v1/jobs/{id}", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("id"), "job id", 0);
        if (!id) return queryError(id.error());
        StateQueries q(app.snapshot());
        auto j = q.job(*id);
        if (!j) return queryError(j.error());
        return ok(jobJson(*j));
    });
    r.add("GET", "/v1/jobs/{id}/bids", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("id"), "job id", 0);
        if (!id) return queryError(id.error());
        auto closed = boolField(req.query.first("include_closed"), "include_closed");
        if (!closed) return queryError(closed.error());
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        auto res = q.bids(*id, *closed, *page);
        if (!res) return queryError(res.error());
        return ok(pageJson("bids", *res, [](const BidView& b) { return bidJson(b); }));
    });

    r.add("GET", "/v1/leases/{id}", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("id"), "lease id", 0);
        if (!id) return queryError(id.error());
        StateQueries q(app.snapshot());
        auto l = q.lease(*id);
        if (!l) return queryError(l.error());
        return ok(leaseJson(*l));
    });
    r.add("GET", "/v1/leases", [&app](const HttpRequest& req) {
        std::optional<Address> client;
        std::optional<Address> provider;
        if (auto c = req.query.first("client")) {
            auto a = parseAddress(*c, "client");
            if (!a) return queryError(a.error());
            client = *a;
        }
        if (auto p = req.query.first("provider")) {
            auto a = parseAddress(*p, "provider");
            if (!a) return queryError(a.error());
            provider = *a;
        }
        if (!client && !provider) return badArgument("give client and/or provider");
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        auto res = q.leases(client, provider, *page);
        if (!res) return queryError(res.error());
        return ok(pageJson("leases", *res, [](const LeaseView& l) { return leaseJson(l); }));
    });
    r.add("GET", "/v1/escrow/{lease}", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("lease"), "lease id", 0);
        if (!id) return queryError(id.error());
        StateQueries q(app.snapshot());
        // State does not hold its block's time: the block store does.
        auto time = app.blockTimeMs(q.height());
        if (!time)
            return queryError(QueryError{QueryErrorKind::NotFound,
                                         "block " + std::to_string(q.height()) + " is not kept: its time is unknown"});
        auto e = q.escrow(*id, *time);
        if (!e) return queryError(e.error());
        const auto& l = e->lease;
        return ok(Json{{"lease_id", l.id},
                       {"lease_state", std::string(contracts::leaseStateName(l.state))},
                       {"deposited", l.deposited.toString()},
                       {"accrued", e->accrued.toString()},
                       {"withdrawn", l.paidOut.toString()},
                       {"refunded", l.refunded.toString()},
                       {"remaining", e->remaining.toString()},
                       {"price_per_second", l.pricePerSecond.toString()},
                       {"paid_through", e->paidThrough},
                       {"dry_time", e->dryTime},
                       {"end_time", l.endTime},
                       {"height", e->height},
                       {"time", e->time}});
    });
    r.add("GET", "/v1/reputation/{address}", [&app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        StateQueries q(app.snapshot());
        auto rep = q.reputation(*addr);
        if (!rep) return queryError(rep.error());
        return ok(reputationJson(*rep));
    });
}

}  // namespace agora::node::routes
