#include "node/http/HttpServer.h"

#include <pthread.h>
#include <charconv>
#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "node/base/PeerAddress.h"
#include "node/http/HttpSession.h"
#include "node/http/ServerState.h"

namespace agora::node {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Expected<std::pair<std::string, std::uint16_t>, std::string> splitHostPort(const std::string& address) {
    // The one host:port rule set of node/base/PeerAddress (port 0 = any free port).
    if (auto valid = parseHostPort(address, PortRule::Listen); !valid) return Unexpected(valid.error());
    const auto colon = address.rfind(':');
    std::string host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    std::from_chars(address.data() + colon + 1, address.data() + address.size(), port);
    return std::make_pair(host, static_cast<std::uint16_t>(port));
}

namespace detail {

// Accepts connections on its own strand and hands each to a session on a new strand.
class Acceptor : public std::enable_shared_from_this<Acceptor> {
public:
    Acceptor(net::io_context& ioc, std::shared_ptr<ServerState> state)
        : ioc_(ioc), state_(std::move(state)), acceptor_(net::make_strand(ioc)), retry_(acceptor_.get_executor()) {}

    Expected<std::uint16_t, std::string> open(const tcp::endpoint& ep) {
        boost::system::error_code ec;
        acceptor_.open(ep.protocol(), ec);
        if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(ep, ec);
        if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec)
            return Unexpected("http: cannot listen on " + ep.address().to_string() + ":" + std::to_string(ep.port()) +
                              ": " + ec.message());
        return acceptor_.local_endpoint().port();
    }

    void start() {
        net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->doAccept(); });
    }

    void close() {
        net::post(acceptor_.get_executor(), [self = shared_from_this()] {
            boost::system::error_code ec;
            self->acceptor_.close(ec);
            self->retry_.cancel();
        });
    }

private:
    void doAccept() {
        acceptor_.async_accept(net::make_strand(ioc_),
                               [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
                                   self->onAccept(ec, std::move(socket));
                               });
    }

    void onAccept(boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            // E.g. out of file descriptors: back off instead of spinning.
            spdlog::warn("http: accept failed: {}", ec.message());
            retry_.expires_after(std::chrono::milliseconds(100));
            retry_.async_wait([self = shared_from_this()](boost::system::error_code e) {
                if (!e) self->doAccept();
            });
            return;
        }
        admit(std::move(socket));
        doAccept();
    }

    void admit(tcp::socket socket) {
        const auto& o = state_->options;
        bool reject = false;
        {
            std::lock_guard lock(state_->mu);
            if (state_->stopping) return;
            if (state_->open < o.maxConnections) {
                ++state_->open;
            } else if (state_->rejecting < o.rejectBacklog) {
                ++state_->rejecting;
                reject = true;
            } else {
                if (state_->metrics) state_->metrics->rejected.labels({"backlog"}).inc();
                return;  // the socket closes here
            }
        }
        if (state_->metrics) {
            if (reject) {
                state_->metrics->rejected.labels({"max_connections"}).inc();
            } else {
                state_->metrics->openConnections.inc();
            }
        }
        ConnectionSlot slot(state_, reject);
        std::make_shared<HttpSession>(state_, std::move(socket), std::move(slot), reject)->run();
    }

    net::io_context& ioc_;
    std::shared_ptr<ServerState> state_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_;
};

}  // namespace detail

struct HttpServer::WorkGuard {
    explicit WorkGuard(const net::io_context::executor_type& ex) : guard(ex) {}
    net::executor_work_guard<net::io_context::executor_type> guard;
};

HttpServer::HttpServer(HttpServerOptions options, const Router& router, WsHub* hub, MetricsRegistry* metrics)
    : state_(std::make_shared<detail::ServerState>(std::move(options), router, hub, metrics)) {}

HttpServer::~HttpServer() {
    stop();
}

std::uint32_t HttpServer::openConnections() const {
    std::lock_guard lock(state_->mu);
    return state_->open;
}

Expected<std::uint16_t, std::string> HttpServer::start() {
    if (running_) return Unexpected(std::string("http: already started"));
    const auto& o = state_->options;
    auto hp = splitHostPort(o.address);
    if (!hp) return Unexpected(hp.error());
    boost::system::error_code ec;
    const auto addr = net::ip::make_address(hp->first, ec);
    if (ec) return Unexpected("http: bad bind address '" + hp->first + "'");
    if (o.threads == 0) return Unexpected(std::string("http: threads must be at least 1"));

    ioc_ = std::make_unique<net::io_context>(static_cast<int>(o.threads));
    acceptor_ = std::make_shared<detail::Acceptor>(*ioc_, state_);
    auto port = acceptor_->open(tcp::endpoint(addr, hp->second));
    if (!port) {
        acceptor_.reset();
        ioc_.reset();
        return Unexpected(port.error());
    }
    port_ = *port;
    // Without the guard the threads would return the moment the context is
    // idle, e.g. in stop() between closing the acceptor and posting closes.
    work_ = std::make_unique<WorkGuard>(ioc_->get_executor());
    acceptor_->start();
    for (std::uint32_t i = 0; i < o.threads; ++i) {
        threads_.emplace_back([this, i, name = o.threadName] {
            const std::string threadName = (name + "-" + std::to_string(i)).substr(0, 15);
            pthread_setname_np(pthread_self(), threadName.c_str());
            // The acceptor keeps the context busy until stop(); a handler
            // that throws is a bug, but must not take the node down.
            for (;;) {
                try {
                    ioc_->run();
                    break;
                } catch (const std::exception& e) {
                    spdlog::error("http: I/O thread caught: {}", e.what());
                }
            }
        });
    }
    running_ = true;
    return port_;
}

void HttpServer::stop() {
    if (!running_) return;
    running_ = false;
    std::vector<std::shared_ptr<detail::ServerSession>> sessions;
    {
        std::lock_guard lock(state_->mu);
        state_->stopping = true;
        for (const auto& [id, weak] : state_->sessions) {
            if (auto s = weak.lock()) sessions.push_back(std::move(s));
        }
    }
    acceptor_->close();
    for (const auto& s : sessions) s->shutdown();
    sessions.clear();
    {
        // Closing handshakes get their deadline, plus slack for the timers to fire.
        std::unique_lock lock(state_->mu);
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(state_->options.wsCloseTimeoutMs) + std::chrono::seconds(1);
        if (!state_->cv.wait_until(lock, deadline, [&] { return state_->sessions.empty(); })) {
            spdlog::warn("http: {} sessions still open at the stop deadline", state_->sessions.size());
        }
    }
    work_.reset();
    ioc_->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // Sessions still alive only hold the hub through their queued handlers: unlink them first.
    {
        std::lock_guard lock(state_->mu);
        for (const auto& [id, weak] : state_->sessions) {
            if (auto s = weak.lock()) sessions.push_back(std::move(s));
        }
    }
    for (const auto& s : sessions) s->serverStopped();
    sessions.clear();
    acceptor_.reset();
    ioc_.reset();
}

}  // namespace agora::node
