#include "node/http/WsSession.h"

#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

namespace agora::node::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using nlohmann::json;

namespace {
constexpr std::size_t kMaxSubscriptionIdLength = 64;
}

WsSession::WsSession(std::shared_ptr<ServerState> state, beast::tcp_stream stream, ConnectionSlot slot)
    : state_(std::move(state)), ws_(std::move(stream)), slot_(std::move(slot)), closeTimer_(ws_.get_executor()) {}

WsSession::~WsSession() {
    detachFromHub();
    if (trackId_ != 0) state_->untrack(trackId_);
}

void WsSession::run(http::request<http::string_body> upgrade) {
    trackId_ = state_->track(weak_from_this());
    upgrade_ = std::move(upgrade);
    const auto& o = state_->options;
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::milliseconds(o.wsCloseTimeoutMs);
    t.idle_timeout = std::chrono::milliseconds(o.wsIdleTimeoutMs);
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(o.wsMaxMessageBytes);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "agora"); }));
    net::dispatch(ws_.get_executor(), [self = shared_from_this()] {
        self->ws_.async_accept(self->upgrade_, [self](beast::error_code ec) { self->onAccept(ec); });
    });
}

void WsSession::onAccept(beast::error_code ec) {
    if (ec) return;
    if (state_->hub == nullptr) return;
    {
        // Do not join a hub the server is already tearing down.
        std::lock_guard lock(state_->mu);
        if (state_->stopping) return;
    }
    hubId_ = state_->hub->attach(weak_from_this());
    attached_ = true;
    if (state_->metrics) state_->metrics->wsClients.inc();
    doRead();
}

void WsSession::detachFromHub() {
    if (!attached_) return;
    attached_ = false;
    state_->hub->detach(hubId_);
    if (state_->metrics) state_->metrics->wsClients.dec();
}

void WsSession::shutdown() {
    net::post(ws_.get_executor(),
              [self = shared_from_this()] { self->startClose(websocket::close_code::going_away, "server stopping"); });
}

void WsSession::serverStopped() {
    detachFromHub();
}

void WsSession::deliver(std::shared_ptr<const PublishedEvent> event) {
    net::post(ws_.get_executor(), [self = shared_from_this(), ev = std::move(event)] { self->onEvent(ev); });
}

void WsSession::doRead() {
    ws_.async_read(readBuffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
}

void WsSession::onRead(beast::error_code ec) {
    if (ec) {
        // Closed by the peer, by a timeout (no pong), by our close, or too big a message.
        if (ec == websocket::error::message_too_big && !closing_) {
            startClose(websocket::close_code::too_big, "message too big");
        }
        detachFromHub();
        closeTimer_.cancel();
        return;
    }
    if (!ws_.got_text()) {
        sendError(nullptr, "bad_message", "messages must be JSON text frames");
    } else {
        onMessage(beast::buffers_to_string(readBuffer_.data()));
    }
    readBuffer_.consume(readBuffer_.size());
    if (!closing_) doRead();
}

void WsSession::onMessage(const std::string& text) {
    const json msg = json::parse(text, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) {
        sendError(nullptr, "bad_message", "message is not a JSON object");
        return;
    }
    const auto op = msg.find("op");
    if (op == msg.end() || !op->is_string()) {
        sendError(msg.value("id", json()), "bad_message", "missing string field 'op'");
        return;
    }
    if (*op == "subscribe") {
        subscribe(msg);
    } else if (*op == "unsubscribe") {
        unsubscribe(msg);
    } else {
        sendError(msg.value("id", json()), "unknown_op", "unknown op '" + op->get<std::string>() + "'");
    }
}

void WsSession::subscribe(const json& msg) {
    const json idJson = msg.value("id", json());
    if (!idJson.is_string() || idJson.get<std::string>().empty() ||
        idJson.get<std::string>().size() > kMaxSubscriptionIdLength) {
        sendError(idJson, "bad_message", "subscribe needs a string 'id' of 1..64 characters");
        return;
    }
    const std::string id = idJson.get<std::string>();
    for (const auto& [key, value] : msg.items()) {
        if (key != "op" && key != "id" && key != "filter" && key != "from_height") {
            sendError(idJson, "bad_message", "unknown field '" + key + "'");
            return;
        }
    }
    auto filter = WsEventFilter::fromJson(msg.value("filter", json()));
    if (!filter) {
        sendError(idJson, "bad_filter", filter.error());
        return;
    }
    if (subscriptions_.count(id) != 0) {
        sendError(idJson, "duplicate_subscription", "subscription '" + id + "' already exists");
        return;
    }
    if (subscriptions_.size() >= state_->options.wsMaxSubscriptions) {
        sendError(idJson, "too_many_subscriptions",
                  "at most " + std::to_string(state_->options.wsMaxSubscriptions) + " subscriptions per client");
        return;
    }
    Subscription sub;
    sub.filter = std::move(filter.value());
    const auto from = msg.find("from_height");
    if (from == msg.end()) {
        subscriptions_.emplace(id, std::move(sub));
        sendControl(json{{"type", "subscribed"}, {"id", id}});
        return;
    }
    if (!from->is_number_unsigned()) {
        sendError(idJson, "bad_message", "from_height must be a non-negative integer");
        return;
    }
    const std::uint64_t fromHeight = from->get<std::uint64_t>();
    const ReplayFn& replay = state_->hub->replay();
    if (!replay) {
        sendError(idJson, "replay_unavailable", "this node does not replay events");
        return;
    }
    // Synchronous on this strand: events the hub publishes meanwhile are
    // queued behind this handler and meet the throughHeight rule below.
    Expected<ReplayResult, std::string> result = Unexpected(std::string("replay failed"));
    try {
        result = replay(fromHeight, sub.filter);
    } catch (const std::exception& e) {
        spdlog::error("ws: replay from {} threw: {}", fromHeight, e.what());
        result = Unexpected(std::string("internal error"));
    }
    if (!result) {
        sendError(idJson, "replay_failed", result.error());
        return;
    }
    sub.resumed = true;
    sub.throughHeight = result->throughHeight;
    std::size_t sent = 0;
    std::vector<std::shared_ptr<const std::string>> frames;
    const std::string prefix = R"({"type":"event","subscription":)" + json(id).dump() + R"(,"event":)";
    for (const auto& ev : result->events) {
        if (ev.height < fromHeight || ev.height > result->throughHeight || !sub.filter.matches(ev)) continue;
        frames.push_back(std::make_shared<const std::string>(
            prefix + ev.toJson().dump(-1, ' ', false, json::error_handler_t::replace) + "}"));
    }
    sent = frames.size();
    subscriptions_.emplace(id, std::move(sub));
    sendControl(json{{"type", "subscribed"},
                     {"id", id},
                     {"from_height", fromHeight},
                     {"through_height", result->throughHeight},
                     {"replayed", sent}});
    for (auto& f : frames) {
        if (!enqueue(std::move(f), false)) return;
    }
    if (state_->metrics) state_->metrics->wsEventsSent.inc(sent);
}

void WsSession::unsubscribe(const json& msg) {
    const json idJson = msg.value("id", json());
    if (!idJson.is_string()) {
        sendError(idJson, "bad_message", "unsubscribe needs a string 'id'");
        return;
    }
    if (subscriptions_.erase(idJson.get<std::string>()) == 0) {
        sendError(idJson, "unknown_subscription", "no subscription '" + idJson.get<std::string>() + "'");
        return;
    }
    sendControl(json{{"type", "unsubscribed"}, {"id", idJson}});
}

void WsSession::onEvent(const std::shared_ptr<const PublishedEvent>& event) {
    if (closing_) return;
    for (const auto& [id, sub] : subscriptions_) {
        if (sub.resumed && event->event.height <= sub.throughHeight) continue;
        if (!sub.filter.matches(event->event)) continue;
        auto frame = std::make_shared<const std::string>(R"({"type":"event","subscription":)" + json(id).dump() +
                                                         R"(,"event":)" + event->json + "}");
        if (!enqueue(std::move(frame), true)) return;
        if (state_->metrics) state_->metrics->wsEventsSent.inc();
    }
}

void WsSession::sendControl(const json& msg) {
    enqueue(std::make_shared<const std::string>(msg.dump(-1, ' ', false, json::error_handler_t::replace)), true);
}

void WsSession::sendError(const json& id, const std::string& code, const std::string& message) {
    sendControl(json{{"type", "error"}, {"id", id}, {"code", code}, {"message", message}});
}

bool WsSession::enqueue(std::shared_ptr<const std::string> text, bool counted) {
    if (closing_) return false;
    if (counted && countedQueued_ >= state_->options.wsQueueMax) {
        state_->hub->noteSlowConsumer();
        if (state_->metrics) state_->metrics->wsSlowConsumers.inc();
        spdlog::info("ws: closing slow consumer (queue of {} full)", state_->options.wsQueueMax);
        startClose(websocket::close_code::policy_error, "slow consumer");
        return false;
    }
    queue_.push_back({std::move(text), counted});
    if (counted) ++countedQueued_;
    doWrite();
    return true;
}

void WsSession::doWrite() {
    if (writing_ || queue_.empty() || closing_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front().text),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onWrite(ec); });
}

void WsSession::onWrite(beast::error_code ec) {
    writing_ = false;
    if (!queue_.empty()) {
        if (queue_.front().counted && countedQueued_ > 0) --countedQueued_;
        queue_.pop_front();
    }
    if (ec) {
        detachFromHub();
        return;
    }
    doWrite();
}

void WsSession::startClose(websocket::close_code code, const std::string& reason) {
    if (closing_) return;
    closing_ = true;
    detachFromHub();
    subscriptions_.clear();
    // Keep only a frame already being written (Beast finishes it before the close frame).
    while (queue_.size() > (writing_ ? 1U : 0U)) queue_.pop_back();
    countedQueued_ = 0;
    // A client that does not read never lets the close frame out: cut the socket after the deadline.
    closeTimer_.expires_after(std::chrono::milliseconds(state_->options.wsCloseTimeoutMs));
    closeTimer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) return;  // cancelled: the close finished
        beast::get_lowest_layer(self->ws_).close();
    });
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = shared_from_this()](beast::error_code) { self->closeTimer_.cancel(); });
}

}  // namespace agora::node::detail
