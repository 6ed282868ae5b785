#include "node/gateway/routes/TxRoutes.h"

#include "node/gateway/TxBody.h"
#include "node/gateway/routes/RouteSupport.h"
#include "node/submit/SubmitCodes.h"
#include "node/submit/TxSubmitter.h"

namespace agora::node::routes {

namespace {

// HTTP status of an agora result code: its class (node/submit/SubmitCodes.h), as gRPC's.
unsigned httpStatusFor(std::uint16_t code) {
    switch (errorClassOf(code)) {
        case ErrorClass::Ok:
            return 200;
        case ErrorClass::InvalidArgument:
            return 400;
        case ErrorClass::AlreadyExists:
            return 409;
        case ErrorClass::ResourceExhausted:
            return 503;
        case ErrorClass::FailedPrecondition:
            return 422;
        case ErrorClass::Unknown:
            break;
    }
    return 500;
}

HttpResponse admitError(std::uint16_t code, const std::string& message, const Hash256& hash) {
    HttpResponse r = HttpResponse::error(httpStatusFor(code), nlohmann::json(code), message);
    r.headers.emplace_back("X-Agora-Tx-Hash", hash.toHex());
    return r;
}

}  // namespace

void TxRoutes::stop() {
    std::lock_guard lock(pendingMu_);
    if (closed_) return;
    closed_ = true;
    for (auto& [ticket, reply] : pending_) {
        if (ctx_.waiters.cancel(ticket))
            reply->send(HttpResponse::error(503, nlohmann::json("unavailable"), "node stopping"));
    }
    pending_.clear();
}

void TxRoutes::add(Router& router) {
    router.addAsync("POST", "/v1/txs", [this](const HttpRequest& req, std::shared_ptr<HttpAsyncReply> reply) {
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

}  // namespace agora::node::routes
