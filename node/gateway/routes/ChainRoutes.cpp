#include "node/gateway/routes/Routes.h"

#include "consensus/core/Tx.h"
#include "node/chain/TxLookup.h"
#include "node/gateway/routes/RouteSupport.h"
#include "node/query/ChainQueries.h"

namespace agora::node::routes {

namespace {

Json blockJson(const Block& b) {
    const auto& h = b.header;
    Json txs = Json::array();
    for (const auto& tx : b.txs) txs.push_back(Json{{"hash", sha256(tx).toHex()}, {"bytes", toHex(tx)}});
    Json lastCommit = nullptr;
    if (b.lastCommit) {
        Json signers = Json::array();
        for (const auto& s : b.lastCommit->signatures) signers.push_back(s.validator.toHex());
        lastCommit = Json{{"height", b.lastCommit->height},
                          {"round", b.lastCommit->round},
                          {"block_id", b.lastCommit->blockId.toHex()},
                          {"signers", std::move(signers)}};
    }
    return Json{{"height", h.height},
                {"block_id", h.id().toHex()},
                {"header", Json{{"chain_id", h.chainId},
                                {"height", h.height},
                                {"time_ms", h.timeMs},
                                {"last_block_id", h.lastBlockId.toHex()},
                                {"data_hash", h.dataHash.toHex()},
                                {"validators_hash", h.validatorsHash.toHex()},
                                {"next_validators_hash", h.nextValidatorsHash.toHex()},
                                {"app_hash", h.appHash.toHex()},
                                {"results_hash", h.resultsHash.toHex()},
                                {"proposer", h.proposer.toBech32(kValidatorPrefix)}}},
                {"num_txs", b.txs.size()},
                {"txs", std::move(txs)},
                {"last_commit", std::move(lastCommit)},
                {"evidence_count", b.evidence.size()}};
}

HttpResponse blockReply(const QueryResult<Block>& block) {
    if (!block) return queryError(block.error());
    return ok(blockJson(*block));
}

// The signed body of a committed tx, decoded: who sent what. Message fields are
// not mapped to JSON (no such mapping exists yet); each message's effects are in
// the result's events, which carry its msg_index.
Json txBodyJson(ByteSpan tx) {
    auto stx = decodeSignedTx(tx);
    if (!stx) return nullptr;
    Json msgs = Json::array();
    for (std::size_t i = 0; i < stx->body.msgs.size(); ++i)
        msgs.push_back(Json{{"index", i}, {"type", std::string(msgTypeName(msgType(stx->body.msgs[i])))}});
    return Json{{"chain_id", stx->body.chainId}, {"signer", stx->body.signerAddress().toBech32()},
                {"nonce", stx->body.nonce},      {"fee", stx->body.fee.toString()},
                {"memo", stx->body.memo},        {"messages", std::move(msgs)}};
}

// A block without its tx bytes: the rows of the explorer's block list and the
// input of its network figures (block time, tx/s) and validator uptime.
Json blockSummaryJson(const Block& b) {
    const auto& h = b.header;
    Json txs = Json::array();
    for (const auto& tx : b.txs) txs.push_back(sha256(tx).toHex());
    Json signers = Json::array();
    if (b.lastCommit) {
        for (const auto& s : b.lastCommit->signatures) signers.push_back(s.validator.toHex());
    }
    return Json{{"height", h.height},
                {"block_id", h.id().toHex()},
                {"time_ms", h.timeMs},
                {"proposer", h.proposer.toBech32(kValidatorPrefix)},
                {"num_txs", b.txs.size()},
                {"tx_hashes", std::move(txs)},
                {"last_commit_signers", std::move(signers)},
                {"evidence_count", b.evidence.size()}};
}

}  // namespace

void addChainRoutes(Router& r, const GatewayContext& ctx) {
    Application& app = ctx.app;
    r.add("GET", "/v1/status", [&ctx, &app](const HttpRequest&) {
        const NodeStatusView s = nodeStatus(app, ctx.consensus(), ctx.nodeId);
        const ConsensusStatus& c = s.consensus;
        return ok(Json{{"chain_id", s.chainId},
                       {"node_id", s.nodeId},
                       {"latest_height", s.latestHeight},
                       {"latest_block_id", s.latestBlockId.toHex()},
                       {"latest_app_hash", s.latestAppHash.toHex()},
                       {"latest_time_ms", s.latestTimeMs},
                       {"earliest_height", s.earliestHeight},
                       {"catching_up", s.catchingUp},
                       {"version", std::string(kNodeVersion)},
                       {"consensus", Json{{"height", c.height}, {"round", c.round}, {"step", c.step}}},
                       {"mempool", Json{{"txs", ctx.mempool.size()}, {"bytes", ctx.mempool.bytes()}}}});
    });

    r.add("GET", "/v1/blocks/latest", [&app](const HttpRequest&) {
        const std::uint64_t h = app.blocks().latestHeight();
        if (h == 0) return HttpResponse::error(404, nlohmann::json("not_found"), "no block committed yet");
        return blockReply(blockAt(app.blocks(), h));
    });
    // Newest first, without tx bytes: ?max_height (0 or absent: latest), ?limit (default 20, at most 100).
    r.add("GET", "/v1/blocks", [&app](const HttpRequest& req) {
        auto maxHeight = u64Field(req.query.first("max_height"), "max_height", 0);
        if (!maxHeight) return queryError(maxHeight.error());
        auto limit = u64Field(req.query.first("limit"), "limit", kDefaultBlockListLimit);
        if (!limit) return queryError(limit.error());
        auto list = listBlocks(app.blocks(), *maxHeight, *limit);
        if (!list) return queryError(list.error());
        Json items = Json::array();
        for (const auto& b : list->blocks) items.push_back(blockSummaryJson(b));
        return ok(Json{{"blocks", std::move(items)}, {"next_max_height", list->nextMaxHeight}});
    });
    r.add("GET", "/v1/blocks/{height}", [&app](const HttpRequest& req) {
        auto h = u64Field(req.param("height"), "height", 0);
        if (!h) return queryError(h.error());
        return blockReply(blockAt(app.blocks(), *h));
    });
    r.add("GET", "/v1/blocks/hash/{hash}", [&app](const HttpRequest& req) {
        auto bytes = fromHex(req.param("hash").value_or(""));
        auto id = bytes ? Hash256::fromSpan(*bytes) : std::nullopt;
        if (!id) return badArgument("hash must be 64 hex characters");
        return blockReply(blockById(app.blocks(), *id));
    });

    r.add("GET", "/v1/txs/{hash}", [&app](const HttpRequest& req) {
        auto bytes = fromHex(req.param("hash").value_or(""));
        auto hash = bytes ? Hash256::fromSpan(*bytes) : std::nullopt;
        if (!hash) return badArgument("hash must be the 64 hex characters of the signed tx's SHA-256");
        auto rec = findCommittedTx(app.blocks(), *hash);
        if (!rec) {
            switch (rec.error().kind) {
                case TxLookupError::NotFound:
                    return HttpResponse::error(404, nlohmann::json("not_found"), rec.error().message);
                case TxLookupError::DataLoss:
                    return HttpResponse::error(500, nlohmann::json("data_loss"), rec.error().message);
            }
        }
        const auto& out = rec->outcome;
        return ok(Json{{"hash", hash->toHex()},
                       {"height", rec->height},
                       {"index", rec->index},
                       {"tx", toHex(rec->tx)},
                       {"body", txBodyJson(rec->tx)},
                       {"result", Json{{"code", out.code},
                                       {"message", out.message},
                                       {"fee_charged", std::to_string(out.feeCharged)},
                                       {"events", eventsJson(out.events)}}}});
    });
}

}  // namespace agora::node::routes
