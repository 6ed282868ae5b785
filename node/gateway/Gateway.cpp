#include "node/gateway/Gateway.h"

#include <charconv>
#include <optional>

#include <spdlog/spdlog.h>

#include "consensus/core/Tx.h"
#include "contracts/Bank.h"
#include "contracts/Keys.h"
#include "node/chain/TxLookup.h"
#include "node/gateway/ChainMetrics.h"
#include "node/gateway/EmbeddedFiles.h"
#include "node/gateway/GatewayEvents.h"
#include "node/gateway/TxBody.h"
#include "node/http/HttpServerMetrics.h"
#include "node/rpc/GrpcStatus.h"
#include "node/rpc/QueryEvidence.h"
#include "node/rpc/StateJson.h"
#include "node/rpc/StateQueries.h"
#include "node/submit/TxSubmitter.h"

namespace agora::node {

using Json = json::Json;

namespace {

HttpResponse ok(const Json& j) {
    return HttpResponse::bytes(200, json::dump(j), "application/json");
}

HttpResponse queryError(const QueryError& e) {
    switch (e.kind) {
        case QueryErrorKind::InvalidArgument:
            return HttpResponse::error(400, nlohmann::json("invalid_argument"), e.message);
        case QueryErrorKind::NotFound:
            return HttpResponse::error(404, nlohmann::json("not_found"), e.message);
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

template <typename T, typename F>
Json pageJson(const char* itemsKey, const Page<T>& page, F&& toJson) {
    Json items = Json::array();
    for (const auto& it : page.items) items.push_back(toJson(it));
    return Json{{itemsKey, std::move(items)}, {"next_key", toHex(page.nextKey)}};
}

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

Json eventsJson(const std::vector<state::Event>& events) {
    Json out = Json::array();
    for (const auto& e : events) out.push_back(json::event(e));
    return out;
}

HttpResponse blockAt(const Application& app, std::uint64_t height) {
    auto block = app.blocks().block(height);
    if (!block)
        return HttpResponse::error(404, nlohmann::json("not_found"), "no block at height " + std::to_string(height));
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

std::string contentTypeOf(std::string_view name) {
    const auto dot = name.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json") return "application/json";
    if (ext == "svg") return "image/svg+xml";
    return "application/octet-stream";
}

std::string textOf(const EmbeddedFile& f) {
    return std::string(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
}

// HTTP status of an agora result code, through the same classes as gRPC.
unsigned httpStatusFor(std::uint16_t code) {
    switch (grpcStatusFor(code)) {
        case grpc::StatusCode::OK:
            return 200;
        case grpc::StatusCode::INVALID_ARGUMENT:
            return 400;
        case grpc::StatusCode::ALREADY_EXISTS:
            return 409;
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
            return 503;
        case grpc::StatusCode::FAILED_PRECONDITION:
            return 422;
        default:
            return 500;
    }
}

HttpResponse admitError(std::uint16_t code, const std::string& message, const Hash256& hash) {
    HttpResponse r = HttpResponse::error(httpStatusFor(code), nlohmann::json(code), message);
    r.headers.emplace_back("X-Agora-Tx-Hash", hash.toHex());
    return r;
}

}  // namespace

Gateway::Gateway(const HttpConfig& config, GatewayContext ctx)
    : ctx_(std::move(ctx)), options_(HttpServerOptions::fromConfig(config)) {
    chainMetrics_ = std::make_unique<ChainMetrics>(metrics_, ctx_.mempool, ctx_.consensus);
    // Seeded here, before consensus starts: from now on only commits move the gauges.
    chainMetrics_->seed(*ctx_.app.snapshot(), ctx_.app.lastHeight(), ctx_.app.lastTimeMs(),
                        ctx_.app.chainState().validators);
    lastProgress_ = std::chrono::steady_clock::now();
    hub_.setReplay([this](std::uint64_t from, const WsEventFilter& filter) {
        return replayEvents(ctx_.history, ctx_.app.blocks(), from, filter, kMaxReplayBlocks);
    });
    addRoutes();
    addTxRoute();
    addMetricsRoute(router_, metrics_);
    addStaticRoutes();
    server_ = std::make_unique<HttpServer>(options_, router_, &hub_, &metrics_);
}

Gateway::~Gateway() {
    stop();
}

Expected<std::uint16_t, std::string> Gateway::start() {
    return server_->start();
}

void Gateway::stop() {
    {
        std::lock_guard lock(pendingMu_);
        if (closed_) return;
        closed_ = true;
        for (auto& [ticket, reply] : pending_) {
            if (ctx_.waiters.cancel(ticket))
                reply->send(HttpResponse::error(503, nlohmann::json("unavailable"), "node stopping"));
        }
        pending_.clear();
    }
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

bool Gateway::consensusHealthy() {
    const ConsensusStatus s = ctx_.consensus();
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(healthMu_);
    if (s.height != lastStatus_.height || s.round != lastStatus_.round || s.step != lastStatus_.step) {
        lastStatus_ = s;
        lastProgress_ = now;
    }
    return now - lastProgress_ <= ctx_.stallAfter;
}

void Gateway::addRoutes() {
    Application& app = ctx_.app;
    auto& r = router_;

    r.add("GET", "/health", [this, &app](const HttpRequest&) {
        const bool alive = consensusHealthy();
        const bool catchingUp = ctx_.consensus().catchingUp;  // block sync running (docs/sync.md)
        std::int64_t sinceMs = 0;
        {
            std::lock_guard lock(healthMu_);
            sinceMs =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - lastProgress_)
                    .count();
        }
        const bool healthy = alive && !catchingUp;
        return HttpResponse::json(healthy ? 200 : 503, nlohmann::json{{"status", healthy ? "ok" : "unavailable"},
                                                                      {"height", app.lastHeight()},
                                                                      {"consensus_alive", alive},
                                                                      {"catching_up", catchingUp},
                                                                      {"ms_since_progress", sinceMs}});
    });

    r.add("GET", "/v1/status", [this, &app](const HttpRequest&) {
        const ConsensusStatus c = ctx_.consensus();
        return ok(Json{{"chain_id", app.genesis().genesis.chainId},
                       {"node_id", ctx_.nodeId},
                       {"latest_height", app.lastHeight()},
                       {"latest_block_id", app.lastBlockId().toHex()},
                       {"latest_app_hash", app.lastAppHash().toHex()},
                       {"latest_time_ms", app.lastTimeMs()},
                       {"earliest_height", app.blocks().baseHeight()},
                       {"catching_up", c.catchingUp},
                       {"version", "agorad 0.1.0"},
                       {"consensus", Json{{"height", c.height}, {"round", c.round}, {"step", c.step}}},
                       {"mempool", Json{{"txs", ctx_.mempool.size()}, {"bytes", ctx_.mempool.bytes()}}}});
    });

    r.add("GET", "/v1/blocks/latest", [&app](const HttpRequest&) {
        const std::uint64_t h = app.blocks().latestHeight();
        if (h == 0) return HttpResponse::error(404, nlohmann::json("not_found"), "no block committed yet");
        return blockAt(app, h);
    });
    // Newest first, without tx bytes: ?max_height (0 or absent: latest), ?limit (default 20, at most 100).
    r.add("GET", "/v1/blocks", [&app](const HttpRequest& req) {
        const std::uint64_t latest = app.blocks().latestHeight();
        auto maxHeight = u64Field(req.query.first("max_height"), "max_height", 0);
        if (!maxHeight) return queryError(maxHeight.error());
        if (*maxHeight == 0) *maxHeight = latest;  // 0 or absent: the latest height
        auto limit = u64Field(req.query.first("limit"), "limit", 20);
        if (!limit) return queryError(limit.error());
        if (*limit == 0 || *limit > kMaxBlockListLimit)
            return badArgument("limit must be 1.." + std::to_string(kMaxBlockListLimit));
        const std::uint64_t base = std::max<std::uint64_t>(app.blocks().baseHeight(), 1);
        Json items = Json::array();
        std::uint64_t h = std::min(*maxHeight, latest);
        for (; h >= base && h > 0 && items.size() < *limit; --h) {
            auto block = app.blocks().block(h);
            if (!block)
                return HttpResponse::error(500, nlohmann::json("data_loss"),
                                           "block " + std::to_string(h) + " is not readable");
            items.push_back(blockSummaryJson(*block));
        }
        return ok(Json{{"blocks", std::move(items)}, {"next_max_height", h >= base ? h : 0}});
    });
    r.add("GET", "/v1/blocks/{height}", [&app](const HttpRequest& req) {
        auto h = u64Field(req.param("height"), "height", 0);
        if (!h) return queryError(h.error());
        return blockAt(app, *h);
    });
    r.add("GET", "/v1/blocks/hash/{hash}", [&app](const HttpRequest& req) {
        auto bytes = fromHex(req.param("hash").value_or(""));
        auto id = bytes ? Hash256::fromSpan(*bytes) : std::nullopt;
        if (!id) return badArgument("hash must be 64 hex characters");
        auto h = app.blocks().heightOf(*id);
        if (!h) return HttpResponse::error(404, nlohmann::json("not_found"), "no block with hash " + id->toHex());
        return blockAt(app, *h);
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

    r.add("GET", "/v1/accounts/{address}", [this, &app](const HttpRequest& req) {
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
        if (auto p = ctx_.mempool.pendingNextNonce(*addr)) pending = std::max(pending, *p);
        body["pending_nonce"] = pending;
        return ok(std::move(body));
    });

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
        return ok(
            pageJson("providers", *res, [](const ProviderView& p) { return json::provider(p.provider, p.offers); }));
    });
    r.add("GET", "/v1/providers/{address}", [&app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        StateQueries q(app.snapshot());
        auto p = q.provider(*addr);
        if (!p) return queryError(p.error());
        return ok(json::provider(p->provider, p->offers));
    });

    // Open jobs, from the ledger's open-jobs index (key 0x31 || bidding_end_height || job_id).
    r.add("GET", "/v1/jobs", [&app](const HttpRequest& req) {
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        Json items = Json::array();
        Bytes next;
        std::size_t count = 0;
        const Bytes prefix = contracts::keys::one(contracts::keys::prefix::kJobExpiry);
        q.snapshot()->scan(prefix, page->start, [&](ByteSpan key, ByteSpan) {
            if (count == page->limit) {
                next.assign(key.begin(), key.end());
                return false;
            }
            if (key.size() != 17) return true;
            std::uint64_t id = 0;
            for (std::size_t i = 9; i < 17; ++i) id = (id << 8) | key[i];
            if (auto j = q.job(id)) {
                items.push_back(json::job(*j));
                ++count;
            }
            return true;
        });
        return ok(Json{{"jobs", std::move(items)}, {"next_key", toHex(next)}});
    });
    r.add("GET", "/v1/jobs/{id}", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("id"), "job id", 0);
        if (!id) return queryError(id.error());
        StateQueries q(app.snapshot());
        auto j = q.job(*id);
        if (!j) return queryError(j.error());
        return ok(json::job(*j));
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
        return ok(pageJson("bids", *res, [](const contracts::Bid& b) { return json::bid(b); }));
    });

    r.add("GET", "/v1/leases/{id}", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("id"), "lease id", 0);
        if (!id) return queryError(id.error());
        StateQueries q(app.snapshot());
        auto l = q.lease(*id);
        if (!l) return queryError(l.error());
        return ok(json::lease(l->lease, l->usage));
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
        return ok(pageJson("leases", *res, [](const LeaseView& l) { return json::lease(l.lease, l.usage); }));
    });
    r.add("GET", "/v1/escrow/{lease}", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("lease"), "lease id", 0);
        if (!id) return queryError(id.error());
        StateQueries q(app.snapshot());
        auto e = q.escrow(*id);
        if (!e) return queryError(e.error());
        const auto& l = e->lease;
        return ok(Json{{"lease_id", l.id},
                       {"lease_state", std::string(contracts::leaseStateName(l.state))},
                       {"deposited", l.deposited.toString()},
                       {"accrued", e->accrued.toString()},
                       {"withdrawn", l.paidOut.toString()},
                       {"refunded", l.refunded.toString()},
                       {"remaining", e->remaining.toString()},
                       {"price_per_block", l.pricePerBlock.toString()},
                       {"paid_through", e->paidThrough},
                       {"dry_height", e->dryHeight},
                       {"end_height", l.endHeight},
                       {"height", e->height}});
    });
    r.add("GET", "/v1/reputation/{address}", [&app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        StateQueries q(app.snapshot());
        auto rep = q.reputation(*addr);
        if (!rep) return queryError(rep.error());
        return ok(json::reputation(*addr, *rep));
    });
    r.add("GET", "/v1/client-records/{address}", [&app](const HttpRequest& req) {
        auto addr = parseAddress(req.param("address").value_or(""), "address");
        if (!addr) return queryError(addr.error());
        StateQueries q(app.snapshot());
        return ok(json::clientRecord(*addr, q.clientRecord(*addr)));
    });
    r.add("GET", "/v1/validators", [&app](const HttpRequest& req) {
        auto jailed = req.query.has("include_jailed") ? boolField(req.query.first("include_jailed"), "include_jailed")
                                                      : QueryResult<bool>(true);
        if (!jailed) return queryError(jailed.error());
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        auto res = q.validators(*jailed, *page);
        if (!res) return queryError(res.error());
        return ok(pageJson("validators", *res, [](const contracts::Validator& v) { return json::validator(v); }));
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
    // Stored events, newest first, a bounded number of blocks per page (docs/api.md).
    r.add("GET", "/v1/events/search", [this](const HttpRequest& req) {
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
        if (*maxHeight == 0) *maxHeight = ctx_.history.latestHeight();
        if (*minHeight > *maxHeight) return badArgument("min_height is above max_height");
        auto limit = u64Field(req.query.first("limit"), "limit", 100);
        if (!limit) return queryError(limit.error());
        if (*limit == 0 || *limit > kMaxPageLimit)
            return badArgument("limit must be 1.." + std::to_string(kMaxPageLimit));
        auto page = searchEvents(ctx_.history, filter, *minHeight, *maxHeight, static_cast<std::size_t>(*limit),
                                 kMaxEventSearchBlocks);
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
    r.add("GET", "/v1/params", [&app](const HttpRequest&) {
        StateQueries q(app.snapshot());
        return ok(json::params(q.params()));
    });
    r.add("GET", "/v1/gov/proposals/{id}", [&app](const HttpRequest& req) {
        auto id = u64Field(req.param("id"), "proposal id", 0);
        if (!id) return queryError(id.error());
        StateQueries q(app.snapshot());
        auto p = q.proposal(*id);
        if (!p) return queryError(p.error());
        return ok(json::proposal(p->proposal, p->tally));
    });
    r.add("GET", "/v1/gov/proposals", [&app](const HttpRequest& req) {
        auto status = proposalStatusFilter(req.query.first("status").value_or(""));
        if (!status) return queryError(status.error());
        auto page = pageOf(req);
        if (!page) return queryError(page.error());
        StateQueries q(app.snapshot());
        auto res = q.proposals(*status, *page);
        if (!res) return queryError(res.error());
        return ok(
            pageJson("proposals", *res, [](const ProposalView& p) { return json::proposal(p.proposal, p.tally); }));
    });
}

void Gateway::addStaticRoutes() {
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> files;  // name -> (bytes, type)
    for (const auto& f : explorerFiles())
        files.emplace(std::string(f.name), std::pair(textOf(f), contentTypeOf(f.name)));
    if (auto index = files.find("index.html"); index != files.end())
        router_.addStatic("/", index->second.first, index->second.second);
    // One pattern rather than a route per file: a bounded metrics label, one OpenAPI path.
    auto shared = std::make_shared<const decltype(files)>(std::move(files));
    router_.add("GET", "/explorer/{file}", [shared](const HttpRequest& req) {
        const auto it = shared->find(req.param("file").value_or(""));
        if (it == shared->end())
            return HttpResponse::error(404, nlohmann::json("not_found"),
                                       "no explorer file " + req.param("file").value_or(""));
        return HttpResponse::bytes(200, it->second.first, it->second.second);
    });
    for (const auto& f : openApiFiles()) router_.addStatic("/openapi.json", textOf(f), "application/json");
}

void Gateway::addTxRoute() {
    router_.addAsync("POST", "/v1/txs", [this](const HttpRequest& req, std::shared_ptr<HttpAsyncReply> reply) {
        auto body = parseTxBody(req.body, kMaxCommitWaitMs);
        if (!body) {
            reply->send(badArgument(body.error()));
            return;
        }
        // Decoded and hashed once (node/submit/TxSubmitter); the decoded tx goes on to the mempool.
        auto decoded = TxSubmitter::decode(body->tx);
        if (!decoded) {
            reply->send(admitError(decoded.error().code, decoded.error().message, txHash(body->tx)));
            return;
        }
        const TxRef tx = std::move(*decoded);
        const Hash256 hash = tx->hash;
        if (!body->commit) {
            const AdmitResult r = ctx_.admit(tx);
            if (!r.ok()) {
                reply->send(admitError(r.code, r.message, hash));
                return;
            }
            reply->send(ok(Json{{"tx_hash", r.txHash.toHex()}, {"mode", "sync"}, {"code", 0}}));
            return;
        }
        // Commit mode: the waiter is registered before admission so a fast commit is not missed.
        auto ticketBox = std::make_shared<std::uint64_t>(0);
        {
            std::lock_guard lock(pendingMu_);
            if (closed_) {
                reply->send(HttpResponse::error(503, nlohmann::json("unavailable"), "node stopping"));
                return;
            }
            *ticketBox = ctx_.waiters.wait(hash, [this, reply, hash, ticketBox](const CommittedTx& c) {
                {
                    std::lock_guard l(pendingMu_);
                    pending_.erase(*ticketBox);
                }
                reply->send(ok(Json{{"tx_hash", hash.toHex()},
                                    {"mode", "commit"},
                                    {"code", c.code},
                                    {"message", c.message},
                                    {"height", c.height},
                                    {"index", c.index},
                                    {"fee_charged", std::to_string(c.feeCharged)},
                                    {"events", eventsJson(c.events)}}));
            });
            pending_.emplace(*ticketBox, reply);
        }
        const std::uint64_t ticket = *ticketBox;
        const AdmitResult r = ctx_.admit(tx);
        // Already pending (e.g. a retry): keep waiting for the same tx.
        if (!r.ok() && r.code != static_cast<std::uint16_t>(AdmitCode::Duplicate)) {
            std::lock_guard lock(pendingMu_);
            if (ctx_.waiters.cancel(ticket)) {
                pending_.erase(ticket);
                reply->send(admitError(r.code, r.message, hash));
            }
            return;
        }
        reply->setTimeout(std::chrono::milliseconds(body->timeoutMs), [this, ticket, hash] {
            std::lock_guard lock(pendingMu_);
            ctx_.waiters.cancel(ticket);
            pending_.erase(ticket);
            HttpResponse t = HttpResponse::error(504, nlohmann::json("commit_timeout"),
                                                 "tx " + hash.toHex() + " admitted but not committed in time");
            t.headers.emplace_back("X-Agora-Tx-Hash", hash.toHex());
            return t;
        });
    });
}

}  // namespace agora::node
