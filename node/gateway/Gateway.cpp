#include "node/gateway/Gateway.h"

#include "node/gateway/ChainMetrics.h"
#include "node/gateway/GatewayEvents.h"
#include "node/gateway/routes/HealthRoutes.h"
#include "node/gateway/routes/Routes.h"
#include "node/gateway/routes/TxRoutes.h"
#include "node/http/HttpServerMetrics.h"

namespace agora::node {

Gateway::Gateway(const HttpConfig& config, GatewayContext ctx)
    : ctx_(std::move(ctx)), options_(HttpServerOptions::fromConfig(config)) {
    chainMetrics_ = std::make_unique<ChainMetrics>(metrics_, ctx_.mempool, ctx_.consensus);
    // Seeded here, before consensus starts: from now on only commits move the gauges.
    chainMetrics_->seed(*ctx_.app.snapshot(), ctx_.app.lastHeight(), ctx_.app.lastTimeMs(),
                        ctx_.app.chainState().validators);
    hub_.setReplay([this](std::uint64_t from, const WsEventFilter& filter) {
        return replayEvents(ctx_.history, ctx_.app.blocks(), from, filter, kMaxReplayBlocks);
    });
    health_ = std::make_unique<routes::HealthRoutes>(ctx_);
    health_->add(router_);
    routes::addChainRoutes(router_, ctx_);
    routes::addAccountRoutes(router_, ctx_);
    routes::addMarketRoutes(router_, ctx_);
    routes::addStakingRoutes(router_, ctx_);
    routes::addEventRoutes(router_, ctx_);
    routes::addGovRoutes(router_, ctx_);
    txRoutes_ = std::make_unique<routes::TxRoutes>(ctx_);
    txRoutes_->add(router_);
    addMetricsRoute(router_, metrics_);
    routes::addStaticRoutes(router_);
    server_ = std::make_unique<HttpServer>(options_, router_, &hub_, &metrics_);
}

Gateway::~Gateway() {
    stop();
}

Expected<std::uint16_t, std::string> Gateway::start() {
    return server_->start();
}

void Gateway::stop() {
    if (stopped_.exchange(true)) return;
    txRoutes_->stop();
    if (server_) server_->stop();
}

void Gateway::onCommit(const CommitOutcome& o, std::shared_ptr<const BlockEvents> events) {
    const auto chain = ctx_.app.chainState();
    if (chain.lastCommit) {
        chainMetrics_->onCommit(o.height, ctx_.app.lastTimeMs(), o.txHashes.size(), *chain.lastCommit,
                                chain.validators);
    }
    ctx_.events.post([this, events = std::move(events), block = o.block] { publishBlock(*events, block.get()); });
}

void Gateway::publishBlock(const BlockEvents& events, const Block* block) {
    chainMetrics_->onBlockEvents(events);
    for (auto& e : wsEventsOf(events, block)) hub_.publish(std::move(e));
}

}  // namespace agora::node
