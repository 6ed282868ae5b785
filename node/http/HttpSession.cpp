#include "node/http/HttpSession.h"

#include <array>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket.hpp>

#include "node/http/WsSession.h"

namespace agora::node::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

// The HttpAsyncReply of one asynchronous request. Holds its session until
// answered or abandoned (server stopping), then only the server state, which
// owns no I/O objects: a reply kept by a waiter may outlive the io_context.
// done_ and the session's timer are touched on the session's strand only.
class PendingReply final : public HttpAsyncReply, public std::enable_shared_from_this<PendingReply> {
public:
    PendingReply(std::shared_ptr<HttpSession> session, std::string route, std::string methodLabel, bool closeAfter,
                 std::vector<std::pair<std::string, std::string>> headers)
        : state_(session->state_),
          session_(std::move(session)),
          route_(std::move(route)),
          methodLabel_(std::move(methodLabel)),
          closeAfter_(closeAfter),
          headers_(std::move(headers)) {}

    void send(HttpResponse response) override {
        post([self = shared_from_this(), r = std::move(response)]() mutable { self->complete(std::move(r)); });
    }

    void setTimeout(std::chrono::milliseconds after, std::function<HttpResponse()> onTimeout) override {
        post([self = shared_from_this(), after, fn = std::move(onTimeout)] {
            auto session = self->currentSession();
            if (self->done_ || !session) return;
            session->asyncTimer_.expires_after(after);
            session->asyncTimer_.async_wait([self, fn](beast::error_code ec) {
                if (ec || self->done_) return;
                HttpResponse r = HttpResponse::error(504, nlohmann::json("timeout"), "no reply in time");
                try {
                    r = fn();
                } catch (const std::exception& e) {
                    spdlog::error("http: timeout handler of {} threw: {}", self->route_, e.what());
                }
                self->complete(std::move(r));
            });
        });
    }

    // Strand: the server is stopping; let go of the session.
    void abandon() {
        done_ = true;
        std::lock_guard lock(mu_);
        session_.reset();
    }

private:
    std::shared_ptr<HttpSession> currentSession() {
        std::lock_guard lock(mu_);
        return session_;
    }

    // Posts to the session's strand unless the reply was abandoned or the
    // server is stopping (then the context may be torn down: nothing is posted).
    template <typename F>
    void post(F&& f) {
        std::lock_guard lock(mu_);
        if (!session_) return;
        std::lock_guard stateLock(state_->mu);
        if (state_->stopping) return;
        net::post(session_->stream_.get_executor(), std::forward<F>(f));
    }

    void complete(HttpResponse r) {
        if (done_) return;
        done_ = true;
        std::shared_ptr<HttpSession> session;
        {
            std::lock_guard lock(mu_);
            session = std::move(session_);
        }
        if (!session) return;
        session->asyncTimer_.cancel();
        session->pending_.reset();
        for (auto& h : headers_) r.headers.push_back(std::move(h));
        session->send(std::move(r), route_, methodLabel_, closeAfter_);
    }

    std::shared_ptr<ServerState> state_;
    std::mutex mu_;                         // guards session_
    std::shared_ptr<HttpSession> session_;  // null once answered or abandoned
    std::string route_;
    std::string methodLabel_;
    bool closeAfter_;
    std::vector<std::pair<std::string, std::string>> headers_;
    bool done_ = false;
};

HttpSession::HttpSession(std::shared_ptr<ServerState> state, net::ip::tcp::socket socket, ConnectionSlot slot,
                         bool reject)
    : state_(std::move(state)),
      stream_(std::move(socket)),
      slot_(std::move(slot)),
      reject_(reject),
      asyncTimer_(stream_.get_executor()) {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
}

HttpSession::~HttpSession() {
    if (trackId_ != 0) state_->untrack(trackId_);
}

void HttpSession::run() {
    trackId_ = state_->track(weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->doRead(); });
}

void HttpSession::shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        self->asyncTimer_.cancel();
        if (self->pending_) {
            self->pending_->abandon();
            self->pending_.reset();
        }
        beast::error_code ec;
        self->stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
        self->stream_.close();
    });
}

void HttpSession::doRead() {
    parser_.emplace();
    parser_->body_limit(state_->options.maxBodyBytes);
    buffer_.max_size(std::size_t{64} * 1024);  // bounds a header block that never ends
    stream_.expires_after(std::chrono::milliseconds(state_->options.requestTimeoutMs));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
}

void HttpSession::onRead(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    if (ec == http::error::end_of_stream) {
        lingerClose();
        return;
    }
    // A timeout has already closed the socket (tcp_stream does that): nothing to answer on.
    if (ec == beast::error::timeout || ec == net::error::operation_aborted) return;
    if (reject_) {
        if (ec && ec != http::error::body_limit) return;
        send(HttpResponse::error(429, HttpErrorCode::TooManyConnections, "too many connections, retry later"),
             "rejected", "OTHER", true);
        return;
    }
    if (ec == http::error::body_limit) {
        send(HttpResponse::error(413, HttpErrorCode::BodyTooLarge,
                                 "body over " + std::to_string(state_->options.maxBodyBytes) + " bytes"),
             "", "OTHER", true);
        return;
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
        send(HttpResponse::error(431, HttpErrorCode::HeaderTooLarge, "request header too large"), "", "OTHER", true);
        return;
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
        send(HttpResponse::error(400, HttpErrorCode::BadRequest, "malformed request: " + ec.message()), "", "OTHER",
             true);
        return;
    }
    if (ec) return;  // socket error: the peer is gone
    handle();
}

void HttpSession::handle() {
    auto& req = parser_->get();
    const auto& opts = state_->options;
    const std::string methodLabel =
        req.method() == http::verb::unknown ? std::string("OTHER") : std::string(http::to_string(req.method()));
    const std::string target(req.target());
    const auto q = target.find('?');
    const std::string path = target.substr(0, q);

    if (beast::websocket::is_upgrade(req) && state_->hub != nullptr && !opts.wsPath.empty() && path == opts.wsPath) {
        stream_.expires_never();
        auto ws = std::make_shared<WsSession>(state_, std::move(stream_), std::move(slot_));
        if (state_->metrics) state_->metrics->request(opts.wsPath, methodLabel, 101, 0.0);
        ws->run(parser_->release());
        return;  // this session ends here; the socket lives on in ws
    }

    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = target;
    r.path = path;
    r.remoteAddress = remote_;
    for (const auto& field : req) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    r.body = std::move(req.body());
    const bool clientKeepAlive = req.keep_alive();
    const bool close = !opts.keepAlive || !clientKeepAlive;

    if (q != std::string::npos) {
        auto parsed = QueryParams::parse(std::string_view(target).substr(q + 1));
        if (!parsed) {
            send(HttpResponse::error(400, HttpErrorCode::BadRequest, parsed.error()), "", methodLabel, close);
            return;
        }
        r.query = std::move(parsed.value());
    }

    const auto origin = r.header("origin");
    const bool corsOn = !opts.corsAllowedOrigins.empty();
    const bool originOk = corsOn && origin && state_->originAllowed(*origin);

    if (corsOn && r.method == "OPTIONS" && origin && r.header("access-control-request-method")) {
        auto methods = state_->router.allowedMethods(r.path);
        if (!methods.empty()) {
            HttpResponse pre = HttpResponse::bytes(204, "", "text/plain");
            if (originOk) {
                std::string allow;
                for (const auto& m : methods) allow += m + ", ";
                allow += "OPTIONS";
                pre.headers.emplace_back("Access-Control-Allow-Origin", *origin);
                pre.headers.emplace_back("Access-Control-Allow-Methods", allow);
                pre.headers.emplace_back("Access-Control-Allow-Headers",
                                         r.header("access-control-request-headers").value_or("Content-Type"));
                pre.headers.emplace_back("Access-Control-Max-Age", "600");
            }
            pre.headers.emplace_back("Vary", "Origin");
            send(std::move(pre), "preflight", methodLabel, close);
            return;
        }
    }

    auto result = state_->router.dispatch(r);
    std::vector<std::pair<std::string, std::string>> cors;
    if (corsOn) {
        if (originOk) cors.emplace_back("Access-Control-Allow-Origin", *origin);
        cors.emplace_back("Vary", "Origin");
    }
    if (result.async != nullptr) {
        startAsync(*result.async, r, result.route, methodLabel, close, std::move(cors));
        return;
    }
    for (auto& h : cors) result.response.headers.push_back(std::move(h));
    send(std::move(result.response), result.route, methodLabel, close);
}

void HttpSession::startAsync(const AsyncHttpHandler& handler, const HttpRequest& req, std::string route,
                             std::string methodLabel, bool closeAfter,
                             std::vector<std::pair<std::string, std::string>> headers) {
    pending_ = std::make_shared<PendingReply>(shared_from_this(), route, std::move(methodLabel), closeAfter,
                                              std::move(headers));
    auto reply = pending_;
    try {
        handler(req, reply);
    } catch (const std::exception& e) {
        spdlog::error("http: handler {} {} threw: {}", req.method, route, e.what());
        reply->send(HttpResponse::error(500, HttpErrorCode::Internal, "internal error"));
    } catch (...) {
        spdlog::error("http: handler {} {} threw a non-exception", req.method, route);
        reply->send(HttpResponse::error(500, HttpErrorCode::Internal, "internal error"));
    }
}

void HttpSession::send(HttpResponse response, const std::string& route, const std::string& methodLabel,
                       bool closeAfter) {
    const unsigned version = parser_ ? parser_->get().version() : 11;
    response_ = std::make_shared<Response>(static_cast<http::status>(response.status), version == 10 ? 10 : 11);
    response_->set(http::field::server, "agora");
    response_->set(http::field::content_type, response.contentType);
    for (const auto& [k, v] : response.headers) response_->insert(k, v);
    response_->body() = std::move(response.body);
    response_->keep_alive(!closeAfter);
    response_->prepare_payload();
    if (state_->metrics) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        state_->metrics->request(route, methodLabel, response.status, secs);
    }
    stream_.expires_after(std::chrono::milliseconds(state_->options.requestTimeoutMs));
    http::async_write(stream_, *response_, [self = shared_from_this(), closeAfter](beast::error_code ec, std::size_t) {
        self->onWrite(closeAfter, ec);
    });
}

void HttpSession::onWrite(bool close, beast::error_code ec) {
    response_.reset();
    if (ec) return;
    if (close) {
        lingerClose();
        return;
    }
    doRead();
}

void HttpSession::lingerClose() {
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    if (ec) {
        stream_.close();
        return;
    }
    // One absolute deadline for the whole drain.
    stream_.expires_after(std::chrono::milliseconds(std::min<std::uint32_t>(state_->options.requestTimeoutMs, 2000)));
    drain();
}

void HttpSession::drain() {
    stream_.async_read_some(net::buffer(drain_), [self = shared_from_this()](beast::error_code e, std::size_t) {
        if (e) {
            self->stream_.close();
            return;
        }
        self->drain();
    });
}

}  // namespace agora::node::detail
